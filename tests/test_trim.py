"""The size budget: events over the ingest limit are cut in the documented order, every
cut noted in _meta, and the result always fits."""

from __future__ import annotations

import copy
import json
from typing import Any, Dict, List

from hypothesis import given, settings
from hypothesis import strategies as st

from sentry_lite.consts import MAX_EVENT_BYTES
from sentry_lite.events.serialize import serialize_event
from sentry_lite.events.trim import TRIM_STRING_BYTES, encoded_size, trim_event

LIMIT = [["!limit", "x"]]


def _frame(index: int, vars_size: int = 0) -> Dict[str, Any]:
    frame: Dict[str, Any] = {
        "function": f"f{index}",
        "module": "app",
        "lineno": index,
        "context_line": "x = 1",
        "pre_context": ["a"] * 5,
        "post_context": ["b"] * 5,
    }
    if vars_size:
        frame["vars"] = {"blob": "v" * vars_size}
    return frame


def _event(
    frames: int = 10, vars_size: int = 0, crumbs: int = 0, crumb_size: int = 10
) -> Dict[str, Any]:
    return {
        "event_id": "e" * 32,
        "level": "error",
        "platform": "python",
        "exception": {
            "values": [
                {
                    "type": "ValueError",
                    "value": "boom",
                    "stacktrace": {"frames": [_frame(i, vars_size) for i in range(frames)]},
                }
            ]
        },
        "breadcrumbs": {"values": [{"message": f"{i}:" + "c" * crumb_size} for i in range(crumbs)]},
    }


def _frames_of(event: Dict[str, Any]) -> List[Dict[str, Any]]:
    frames: List[Dict[str, Any]] = event["exception"]["values"][0]["stacktrace"]["frames"]
    return frames


def test_small_event_untouched() -> None:
    event = _event()
    before = copy.deepcopy(event)
    assert trim_event(event, MAX_EVENT_BYTES) == before


def test_outermost_frame_vars_go_first() -> None:
    event = _event(frames=10, vars_size=1000)
    size = encoded_size(event)
    out = trim_event(event, size - 2500)  # needs about three frames' vars
    assert encoded_size(out) <= size - 2500
    frames = _frames_of(out)
    with_vars = [i for i, frame in enumerate(frames) if "vars" in frame]
    assert with_vars == list(range(len(frames) - len(with_vars), len(frames)))
    assert 9 in with_vars and 0 not in with_vars and len(with_vars) >= 5
    meta_frames = out["_meta"]["exception"]["values"]["0"]["stacktrace"]["frames"]
    for i in range(10):
        assert (str(i) in meta_frames) == (i not in with_vars)
        if str(i) in meta_frames:
            assert meta_frames[str(i)]["vars"] == {"": {"rem": LIMIT}}
    assert out["breadcrumbs"] == event["breadcrumbs"]


def test_breadcrumbs_oldest_first_after_vars() -> None:
    event = _event(frames=3, vars_size=500, crumbs=50, crumb_size=200)
    size = encoded_size(event)
    budget = size - 1500 - 10 * 210
    out = trim_event(event, budget)
    assert encoded_size(out) <= budget
    frames = _frames_of(out)
    assert all("vars" not in frame for frame in frames[:-1])
    assert "vars" in frames[-1]  # the crashing frame's locals outlive the breadcrumbs
    crumbs = out["breadcrumbs"]["values"]
    assert 0 < len(crumbs) < 50
    assert crumbs[-1]["message"].startswith("49:")  # newest kept
    assert crumbs[0]["message"].startswith(f"{50 - len(crumbs)}:")
    assert out["_meta"]["breadcrumbs"] == {"": {"len": 50}}


def test_long_strings_in_data_then_middle_frames() -> None:
    event = _event(frames=60)
    event["extra"] = {"big": "x" * 50_000}
    out = trim_event(copy.deepcopy(event), 30_000)
    assert encoded_size(out) <= 30_000
    assert len(out["extra"]["big"]) == TRIM_STRING_BYTES
    assert out["_meta"]["extra"]["big"][""]["len"] == 50_000
    assert len(_frames_of(out)) == 60  # frames untouched: the string cut was enough

    out = trim_event(copy.deepcopy(event), 8_000)
    assert encoded_size(out) <= 8_000
    frames = _frames_of(out)
    assert len(frames) < 60
    assert frames[0]["function"] == "f0" and frames[-1]["function"] == "f59"
    assert out["_meta"]["exception"]["values"]["0"]["stacktrace"]["frames"][""] == {"len": 60}


def test_skeleton_as_last_resort() -> None:
    event = _event(frames=5)
    event["message"] = "m" * 400
    event["tags"] = {f"t{i}": "v" * 50 for i in range(100)}
    out = trim_event(event, 700)
    assert encoded_size(out) <= 700
    assert out["event_id"] == "e" * 32
    assert out["exception"]["values"][0]["type"] == "ValueError"


def test_tiny_budget_still_fits() -> None:
    for budget in (0, 2, 10, 50, 100):
        out = trim_event(_event(vars_size=100, crumbs=5), budget)
        assert encoded_size(out) <= budget or out == {}


def test_serialize_event_applies_default_budget() -> None:
    event = _event(frames=40, vars_size=60_000, crumbs=100, crumb_size=5_000)
    event["extra"] = {f"k{i}": "y" * 90_000 for i in range(10)}
    assert encoded_size(event) > 3 * MAX_EVENT_BYTES
    out = serialize_event(event)
    assert encoded_size(out) <= MAX_EVENT_BYTES
    json.dumps(out, allow_nan=False)
    assert "vars" in _frames_of(out)[-1]  # the crashing frame keeps its locals


@settings(max_examples=60, deadline=None)
@given(
    frames=st.integers(min_value=0, max_value=40),
    vars_size=st.integers(min_value=0, max_value=3000),
    crumbs=st.integers(min_value=0, max_value=60),
    crumb_size=st.integers(min_value=0, max_value=800),
    extra=st.dictionaries(st.text(max_size=5), st.text(max_size=3000), max_size=5),
    budget=st.integers(min_value=300, max_value=60_000),
)
def test_property_trim_fits_and_notes_cuts(
    frames: int, vars_size: int, crumbs: int, crumb_size: int, extra: Dict[str, str], budget: int
) -> None:
    event = _event(frames, vars_size, crumbs, crumb_size)
    event["extra"] = extra
    before = encoded_size(event)
    out = trim_event(copy.deepcopy(event), budget)
    size = encoded_size(out)
    assert size <= budget
    if before > budget:
        assert "_meta" in out  # something was cut and said so
    else:
        assert out == event


def test_meta_follows_items_when_older_ones_are_dropped() -> None:
    crumbs = [{"message": f"{i}:" + "c" * 300, "data": {"w": list(range(12))}} for i in range(20)]
    event = serialize_event({"event_id": "e" * 32, "breadcrumbs": {"values": crumbs}})
    assert event["_meta"]["breadcrumbs"]["values"]["19"]["data"]["w"] == {"": {"len": 12}}
    budget = encoded_size(event) - 3000
    out = trim_event(event, budget)
    assert encoded_size(out) <= budget
    kept = out["breadcrumbs"]["values"]
    first = int(kept[0]["message"].split(":")[0])
    values_meta = out["_meta"]["breadcrumbs"]["values"]
    assert sorted(values_meta, key=int) == [str(i) for i in range(len(kept))]
    assert first > 0 and kept[-1]["message"].startswith("19:")
    assert out["_meta"]["breadcrumbs"][""] == {"len": 20}


def test_dropped_section_takes_its_notes_along() -> None:
    event = serialize_event(
        {"modules": {f"m{i}": "1" * 300 for i in range(300)}, "event_id": "e" * 32}
    )
    event["_meta"] = {"modules": {f"m{i}": {"": {"len": 999}} for i in range(300)}}
    out = trim_event(event, 2000)
    assert encoded_size(out) <= 2000
    assert "modules" not in out or len(json.dumps(out["_meta"])) < 2000
