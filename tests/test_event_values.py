"""A value the serializer cannot convert costs only itself, never the event.

Each case here once made ``serialize_event`` give up on the whole event and send the stub
``"sentry-lite could not serialize this event"`` (message, tags, extra and exception
lost), because a shortcut formatted the value without the guard the general walker has.
sentry_sdk keeps the event and replaces only the bad value; so must we.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from typing import Any, Dict, Iterator, List, Optional

import pytest

import sentry_lite
from sentry_lite import shortcuts
from sentry_lite.events.exceptions import event_from_exception
from sentry_lite.events.serialize import serialize_event, serialize_value
from tests.receiver import Receiver

STUB = "sentry-lite could not serialize this event"
HUGE = 10**5000
"""More than 4,300 decimal digits: ``str``/``repr`` raise ValueError under the limit."""
needs_int_limit = pytest.mark.skipif(
    not hasattr(sys, "set_int_max_str_digits"), reason="this Python has no int-to-text limit"
)


class BrokenOffset(dt.tzinfo):
    def utcoffset(self, when: Optional[dt.datetime]) -> dt.timedelta:
        raise RuntimeError("utcoffset exploded")

    def dst(self, when: Optional[dt.datetime]) -> dt.timedelta:
        raise RuntimeError("dst exploded")

    def tzname(self, when: Optional[dt.datetime]) -> str:
        raise RuntimeError("tzname exploded")

    def __repr__(self) -> str:
        return "BrokenOffset()"


class BrokenOffsetAndRepr(BrokenOffset):
    def __repr__(self) -> str:
        raise RuntimeError("repr exploded")


class BadBool:
    def __bool__(self) -> bool:
        raise RuntimeError("bool exploded")

    def __len__(self) -> int:
        raise RuntimeError("len exploded")

    def __repr__(self) -> str:
        return "<BadBool>"


WEST = dt.timezone(dt.timedelta(hours=-5))
EAST = dt.timezone(dt.timedelta(hours=5))

BAD_DATETIMES: Dict[str, dt.datetime] = {
    "naive_min": dt.datetime.min,
    "aware_max_west": dt.datetime.max.replace(tzinfo=WEST),
    "aware_min_east": dt.datetime.min.replace(tzinfo=EAST),
    "aware_near_max": dt.datetime(9999, 12, 31, 22, tzinfo=dt.timezone(dt.timedelta(hours=-3))),
    "aware_near_min": dt.datetime(1, 1, 1, 2, tzinfo=dt.timezone(dt.timedelta(hours=4))),
    "broken_tzinfo": dt.datetime(2024, 5, 1, tzinfo=BrokenOffset()),
    "broken_tzinfo_and_repr": dt.datetime(2024, 5, 1, tzinfo=BrokenOffsetAndRepr()),
}


@pytest.fixture
def int_digit_limit() -> Iterator[None]:
    """Python's default int-to-text limit (3.11+; older releases have none)."""
    setter = getattr(sys, "set_int_max_str_digits", None)
    if setter is None:
        yield
        return
    before = sys.get_int_max_str_digits()  # type: ignore[attr-defined]
    setter(4300)
    try:
        yield
    finally:
        setter(before)


@pytest.fixture
def local_tz_new_york() -> Iterator[None]:
    """A local time zone behind UTC: naive ``datetime.max`` then overflows in UTC."""
    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset is not available here")
    before = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


def strict(event: Any) -> Dict[str, Any]:
    """The event as the ingest would parse it (no NaN, valid UTF-8)."""

    def no_constants(name: str) -> None:
        raise AssertionError(f"non-strict JSON constant {name}")

    text = json.dumps(event, allow_nan=False, ensure_ascii=False)
    text.encode("utf-8")
    loaded: Dict[str, Any] = json.loads(text, parse_constant=no_constants)
    return loaded


def base_event(**extra: Any) -> Dict[str, Any]:
    return {
        "event_id": "a" * 32,
        "level": "error",
        "message": "x",
        "tags": {"release_train": "blue"},
        "extra": {"kept": "yes", **extra},
    }


def assert_kept(out: Dict[str, Any]) -> None:
    assert out.get("message") == "x", out
    assert out["tags"] == {"release_train": "blue"}
    assert out["extra"]["kept"] == "yes"


def both_paths(event: Dict[str, Any], **kwargs: Any) -> Dict[str, Any]:
    """serialize_event with the shortcuts on, checked equal to the general walker's."""
    kwargs.setdefault("size_budget", None)
    before = shortcuts.enabled
    shortcuts.set_enabled(True)
    try:
        out = serialize_event(event, **kwargs)
    finally:
        shortcuts.set_enabled(before)
    with shortcuts.disabled():
        general = serialize_event(event, **kwargs)
    assert json.dumps(out, sort_keys=True) == json.dumps(general, sort_keys=True)
    return strict(out)


# -- datetimes ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(BAD_DATETIMES))
def test_unformattable_datetime_costs_only_itself(name: str) -> None:
    value = BAD_DATETIMES[name]
    out = both_paths(base_event(last_seen=value))
    assert_kept(out)
    text = out["extra"]["last_seen"]
    assert isinstance(text, str) and text != STUB
    if name != "broken_tzinfo_and_repr":
        assert text.startswith("datetime.datetime(")
    else:
        assert text == "<broken repr>"


@pytest.mark.parametrize("name", sorted(BAD_DATETIMES))
def test_unformattable_datetime_anywhere_in_the_event(name: str) -> None:
    value = BAD_DATETIMES[name]
    event = base_event(nested={"a": [value, {"b": value}]}, listed=[value], tupled=(value,))
    event["contexts"] = {
        "trace": {"trace_id": "1" * 32, "data": {"when": value}},
        "mine": {"w": value},
    }
    event["breadcrumbs"] = {"values": [{"message": "m", "data": {"when": value}}]}
    event["request"] = {"url": "http://h/", "data": {"when": value}, "headers": {"H": "v"}}
    event["user"] = {"id": "1", "since": value}
    event["spans"] = [{"span_id": "b" * 16, "data": {"when": value}, "description": "d"}]
    event["exception"] = {
        "values": [{"type": "E", "value": "v", "stacktrace": {"frames": [{"when": value}]}}]
    }
    event["odd_top_level"] = value
    out = both_paths(event)
    assert_kept(out)
    assert out["exception"]["values"][0]["type"] == "E"
    assert out["extra"]["nested"]["a"][1]["b"] == out["extra"]["listed"][0]
    assert out["spans"][0]["description"] == "d"


def test_datetime_max_with_local_zone_behind_utc(local_tz_new_york: None) -> None:
    out = both_paths(base_event(last_seen=dt.datetime.max, fine=dt.datetime(2024, 5, 1, 12)))
    assert_kept(out)
    assert out["extra"]["last_seen"].startswith("datetime.datetime(9999")
    assert out["extra"]["fine"] == "2024-05-01T16:00:00.000000Z"


def test_formattable_datetimes_are_rfc3339() -> None:
    out = both_paths(
        base_event(
            utc_min=dt.datetime.min.replace(tzinfo=dt.timezone.utc),
            utc_max=dt.datetime.max.replace(tzinfo=dt.timezone.utc),
            east=dt.datetime(2024, 1, 1, 3, tzinfo=EAST),
        )
    )
    # Four-digit years: strftime("%Y") gives "1-01-01" for year 1 on glibc.
    assert out["extra"]["utc_min"] == "0001-01-01T00:00:00.000000Z"
    assert out["extra"]["utc_max"] == "9999-12-31T23:59:59.999999Z"
    assert out["extra"]["east"] == "2023-12-31T22:00:00.000000Z"


def test_datetime_in_frame_vars_is_its_repr() -> None:
    out = serialize_value(
        {"when": dt.datetime.min, "tz": BAD_DATETIMES["broken_tzinfo"]}, is_vars=True
    )
    assert out == {
        "when": "datetime.datetime(1, 1, 1, 0, 0)",
        "tz": "datetime.datetime(2024, 5, 1, 0, 0, tzinfo=BrokenOffset())",
    }


# -- values whose __bool__ raises ----------------------------------------------------------


@pytest.mark.parametrize("section", ["user", "extra", "tags", "contexts", "spans", "odd"])
def test_top_level_value_whose_bool_raises(section: str) -> None:
    event = base_event()
    if section == "extra":
        event["extra"] = BadBool()
    elif section == "tags":
        event["tags"] = BadBool()
    else:
        event[section] = BadBool()
    out = both_paths(event)
    assert out["message"] == "x"
    assert out[section] == "<BadBool>"


def test_nested_value_whose_bool_raises() -> None:
    out = both_paths(base_event(bad=BadBool(), inner={"bad": [BadBool()]}))
    assert_kept(out)
    assert out["extra"]["bad"] == "<BadBool>"
    assert out["extra"]["inner"] == {"bad": ["<BadBool>"]}


# -- ints too long for str() ---------------------------------------------------------------


@needs_int_limit
def test_huge_int_in_extra_and_tags(int_digit_limit: None) -> None:
    event = base_event(big=HUGE, neg=-HUGE, ok=10**300, nested=[{"big": HUGE}])
    event["contexts"] = {"trace": {"data": {"big": HUGE}}}
    event["spans"] = [{"span_id": "b" * 16, "data": {"big": HUGE}}]
    event["odd"] = HUGE
    out = both_paths(event)
    assert_kept(out)
    assert out["extra"]["ok"] == 10**300
    placeholder = out["extra"]["big"]
    assert placeholder == f"<int of {HUGE.bit_length()} bits>"
    assert out["extra"]["neg"] == f"<int of {HUGE.bit_length()} bits>"
    assert out["extra"]["nested"] == [{"big": placeholder}]
    assert out["contexts"]["trace"]["data"]["big"] == placeholder
    assert out["spans"][0]["data"]["big"] == placeholder
    assert out["odd"] == placeholder


@needs_int_limit
def test_huge_int_as_dict_key(int_digit_limit: None) -> None:
    out = both_paths(base_event(keyed={HUGE: "v"}))
    assert_kept(out)
    assert out["extra"]["keyed"] == {f"<int of {HUGE.bit_length()} bits>": "v"}


@needs_int_limit
def test_huge_int_frame_local_keeps_exception_event(int_digit_limit: None) -> None:
    def fails() -> None:
        big = HUGE  # noqa: F841 - read as a frame local
        small = 7  # noqa: F841
        raise ValueError("boom")

    try:
        fails()
    except ValueError:
        event, _ = event_from_exception(sys.exc_info(), {})
    out = both_paths(event)
    (value,) = out["exception"]["values"]
    assert value["type"] == "ValueError" and value["value"] == "boom"
    frame_vars = value["stacktrace"]["frames"][-1]["vars"]
    assert frame_vars == {"big": f"<int of {HUGE.bit_length()} bits>", "small": "7"}


@needs_int_limit
def test_huge_int_in_serialize_value(int_digit_limit: None) -> None:
    expected = f"<int of {HUGE.bit_length()} bits>"
    assert serialize_value({"n": HUGE}, is_vars=True) == {"n": expected}
    assert serialize_value([HUGE, 1]) == [expected, 1]
    with shortcuts.disabled():
        assert serialize_value({"n": HUGE}, is_vars=True) == {"n": expected}


# -- through the public API, with a real receiver ------------------------------------------


def received(receiver: Receiver, count: int) -> List[Dict[str, Any]]:
    sentry_lite.flush(10)
    receiver.wait_for(count, timeout=20)
    events = []
    for request in receiver.requests:
        assert request.envelope is not None
        for item in request.envelope.items:
            if item.type == "event":
                events.append(strict(json.loads(item.payload)))
    assert len(events) == count
    return events


def test_api_extra_datetime_min_keeps_message_event(sentry_init: Any, receiver: Receiver) -> None:
    sentry_init()
    sentry_lite.set_tag("release_train", "blue")
    sentry_lite.set_extra("kept", "yes")
    sentry_lite.set_extra("last_seen", dt.datetime.min)
    sentry_lite.capture_message("x")
    (event,) = received(receiver, 1)
    assert_kept(event)
    assert event["extra"]["last_seen"] == "datetime.datetime(1, 1, 1, 0, 0)"


def test_api_bad_datetimes_keep_exception_event(
    sentry_init: Any, receiver: Receiver, local_tz_new_york: None
) -> None:
    sentry_init()
    sentry_lite.set_tag("release_train", "blue")
    sentry_lite.set_extra("kept", "yes")
    for name, value in BAD_DATETIMES.items():
        sentry_lite.set_extra(name, value)
    sentry_lite.set_extra("naive_max", dt.datetime.max)
    sentry_lite.set_context("when", {"max": dt.datetime.max})
    sentry_lite.add_breadcrumb(message="m", data={"when": dt.datetime.min})
    try:
        raise KeyError("gone")
    except KeyError as exc:
        sentry_lite.capture_exception(exc)
    (event,) = received(receiver, 1)
    assert event["tags"]["release_train"] == "blue"
    assert event["extra"]["kept"] == "yes"
    assert event["exception"]["values"][-1]["type"] == "KeyError"
    assert event["extra"]["naive_max"].startswith("datetime.datetime(9999")
    assert event["contexts"]["when"]["max"].startswith("datetime.datetime(9999")
    assert set(BAD_DATETIMES) <= set(event["extra"])


def test_api_user_and_extra_whose_bool_raises(sentry_init: Any, receiver: Receiver) -> None:
    sentry_init()
    sentry_lite.set_tag("release_train", "blue")
    sentry_lite.set_extra("kept", "yes")
    sentry_lite.set_extra("bad", BadBool())
    sentry_lite.set_user(BadBool())  # type: ignore[arg-type]
    sentry_lite.capture_message("x")
    (event,) = received(receiver, 1)
    assert_kept(event)
    assert event["user"] == "<BadBool>"
    assert event["extra"]["bad"] == "<BadBool>"


@needs_int_limit
def test_api_huge_int_frame_local_keeps_exception(
    sentry_init: Any, receiver: Receiver, int_digit_limit: None
) -> None:
    sentry_init()
    sentry_lite.set_extra("kept", "yes")
    sentry_lite.set_extra("big_extra", HUGE)

    def fails() -> None:
        big = HUGE  # noqa: F841 - read as a frame local
        raise ValueError("boom")

    try:
        fails()
    except ValueError as exc:
        sentry_lite.capture_exception(exc)
    (event,) = received(receiver, 1)
    placeholder = f"<int of {HUGE.bit_length()} bits>"
    (value,) = event["exception"]["values"]
    assert value["type"] == "ValueError"
    assert value["stacktrace"]["frames"][-1]["vars"]["big"] == placeholder
    assert event["extra"]["kept"] == "yes"
    assert event["extra"]["big_extra"] == placeholder
