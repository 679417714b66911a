"""Hostile data through the whole pipeline: nothing raises into the app, and every event
the receiver gets is strict JSON (no NaN) within the 1 MiB ingest budget."""

from __future__ import annotations

import json
import math
from typing import Any, Dict, List

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sentry_lite
from sentry_lite.consts import MAX_EVENT_BYTES
from tests.receiver import Receiver


class RaisingRepr:
    def __repr__(self) -> str:
        raise RuntimeError("repr exploded")


class HugeRepr:
    def __repr__(self) -> str:
        return "x" * 5_000_000


class NonStrRepr:
    def __repr__(self) -> Any:
        return 42


class RecursiveRepr:
    def __repr__(self) -> str:
        return repr(self)


class BadStr(Exception):
    def __str__(self) -> str:
        raise ValueError("no str for you")


def cyclic() -> Dict[str, Any]:
    d: Dict[str, Any] = {"name": "loop"}
    d["self"] = d
    d["list"] = [d, [d]]
    return d


def deep(n: int) -> Any:
    value: Any = "bottom"
    for _ in range(n):
        value = {"d": value, "l": [value]}
    return value


hostile_leaf = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)),
    st.binary(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(),
    st.none(),
    st.booleans(),
    st.builds(RaisingRepr),
    st.builds(HugeRepr),
    st.builds(NonStrRepr),
    st.builds(RecursiveRepr),
    st.just(b"\xff\xfe\x00"),
    st.builds(lambda: cyclic()),
    st.builds(lambda: deep(300)),
    st.builds(lambda: "y" * 300_000),
)
hostile = st.recursive(
    hostile_leaf,
    lambda children: st.one_of(
        st.lists(children, max_size=20),
        st.dictionaries(st.one_of(st.text(), st.integers(), st.none()), children, max_size=20),
        st.tuples(children, children),
        st.sets(st.integers(), max_size=5),
    ),
    max_leaves=30,
)


def strict_events(receiver: Receiver) -> List[Dict[str, Any]]:
    out = []
    for request in receiver.requests:
        assert request.envelope is not None, "receiver could not parse an envelope"
        for item in request.envelope.items:
            if item.type != "event":
                continue
            assert len(item.payload) <= MAX_EVENT_BYTES

            def no_constants(name: str) -> None:
                raise AssertionError(f"non-strict JSON constant {name}")

            out.append(json.loads(item.payload, parse_constant=no_constants))
    return out


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=hostile, key=st.text(max_size=30))
def test_hostile_scope_data_yields_strict_bounded_events(
    sentry_init: Any, receiver: Receiver, data: Any, key: str
) -> None:
    receiver.clear()
    sentry_init(transport_queue_size=1000)
    with sentry_lite.new_scope() as scope:
        scope.set_extra(key or "k", data)
        scope.set_context("ctx", {"value": data})
        scope.set_user({"id": data, "name": key})
        scope.set_tag("t", data)
        sentry_lite.add_breadcrumb(message=key, data={"d": data})
        local_hostile = data  # noqa: F841 - captured as a frame local
        try:
            raise BadStr()
        except BadStr as exc:
            assert sentry_lite.capture_exception(exc) is not None
        sentry_lite.capture_message(key, extras={"x": data})
    sentry_lite.flush(10)
    receiver.wait_for(2, timeout=20)
    events = strict_events(receiver)
    assert len(events) == 2


def test_before_send_returning_unserialisable_data_is_still_delivered(
    sentry_init: Any, receiver: Receiver
) -> None:
    def before_send(event: Dict[str, Any], hint: Dict[str, Any]) -> Dict[str, Any]:
        event["extra"] = {"obj": RaisingRepr(), "nan": math.nan, "set": {1, 2}}
        return event

    sentry_init(before_send=before_send)
    sentry_lite.capture_message("edited badly")
    sentry_lite.flush(5)
    receiver.wait_for(1)
    (event,) = strict_events(receiver)
    assert event["message"] == "edited badly"


def test_oversized_event_is_trimmed_to_budget(sentry_init: Any, receiver: Receiver) -> None:
    sentry_init()
    for i in range(100):
        sentry_lite.add_breadcrumb(message="m" * 20_000, data={"i": i})
    sentry_lite.set_context("big", {f"k{i}": "v" * 50_000 for i in range(10)})
    sentry_lite.capture_message("big event")
    sentry_lite.flush(10)
    receiver.wait_for(1)
    (event,) = strict_events(receiver)
    assert event["message"] == "big event"
    assert "_meta" in event
