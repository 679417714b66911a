"""The denylist scrubber: same results as sentry_sdk's EventScrubber where it scrubs, and
more (nested values, contexts, env, query string, header spellings) where it does not."""

from __future__ import annotations

import copy
import json
from types import MappingProxyType
from typing import Any, Dict, List

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sentry_sdk.scrubber import DEFAULT_DENYLIST as SDK_DENYLIST
from sentry_sdk.scrubber import DEFAULT_PII_DENYLIST as SDK_PII_DENYLIST
from sentry_sdk.scrubber import EventScrubber as SdkScrubber
from sentry_sdk.serializer import serialize as sdk_serialize

from sentry_lite.consts import DEFAULT_MAX_VALUE_LENGTH
from sentry_lite.events.scrub import DEFAULT_DENYLIST, DEFAULT_PII_DENYLIST, EventScrubber
from sentry_lite.events.serialize import serialize_event

FILTERED_META = {"": {"rem": [["!config", "s"]]}}


def _frames_event() -> Dict[str, Any]:
    return {
        "event_id": "e" * 32,
        "request": {
            "url": "http://localhost/login",
            "method": "POST",
            "headers": {"Authorization": "Bearer abc", "Accept": "*/*", "x_api_key": "k"},
            "cookies": {"sessionid": "s", "csrftoken": "c", "theme": "dark"},
            "data": {"password": "hunter2", "username": "bob", "remember": True},
            "env": {"SERVER_NAME": "web1"},
        },
        "extra": {"secret": "s", "ok": 1, "list": [1, 2]},
        "user": {"id": "1", "ip_address": "1.2.3.4", "email": "a@b.c", "token": "t"},
        "breadcrumbs": {
            "values": [
                {"message": "m", "data": {"csrf": "c", "x": 1}},
                {"message": "no data"},
            ]
        },
        "exception": {
            "values": [
                {
                    "type": "E",
                    "value": "v",
                    "stacktrace": {
                        "frames": [{"function": "f", "vars": {"password": "'p'", "a": "1"}}]
                    },
                }
            ]
        },
        "threads": {"values": [{"stacktrace": {"frames": [{"vars": {"api_key": "'k'"}}]}}]},
        "spans": [{"span_id": "1", "data": {"auth": "x", "db": "y"}}],
    }


def _nested_event() -> Dict[str, Any]:
    event = _frames_event()
    event["extra"]["deep"] = [{"api_key": "a", "inner": {"PassWord": "p"}}]
    event["request"]["data"]["nested"] = {"token": "t", "list": [{"secret": 1}]}
    event["breadcrumbs"]["values"][0]["data"]["more"] = {"session": "s"}
    return event


def _both(event: Dict[str, Any], **kwargs: Any) -> Any:
    ours = copy.deepcopy(event)
    EventScrubber(**kwargs).scrub_event(ours)
    theirs = copy.deepcopy(event)
    SdkScrubber(**kwargs).scrub_event(theirs)
    return (
        serialize_event(ours),
        sdk_serialize(theirs, max_value_length=DEFAULT_MAX_VALUE_LENGTH),
    )


def test_default_lists_match_sentry_sdk() -> None:
    assert DEFAULT_DENYLIST == SDK_DENYLIST
    assert DEFAULT_PII_DENYLIST == SDK_PII_DENYLIST
    ours = EventScrubber()
    assert ours.denylist == SdkScrubber().denylist
    assert (
        EventScrubber(send_default_pii=True).denylist == SdkScrubber(send_default_pii=True).denylist
    )
    assert EventScrubber(denylist=["A"], pii_denylist=["B"]).denylist == ["a", "b"]


@pytest.mark.parametrize("send_default_pii", [False, True])
@pytest.mark.parametrize("recursive", [False, True])
def test_flat_event_matches_sentry_sdk(recursive: bool, send_default_pii: bool) -> None:
    ours, theirs = _both(_frames_event(), recursive=recursive, send_default_pii=send_default_pii)
    assert ours == theirs
    assert ours["request"]["data"]["password"] == "[Filtered]"
    assert ours["_meta"]["request"]["data"]["password"] == FILTERED_META


@pytest.mark.parametrize("send_default_pii", [False, True])
def test_nested_event_matches_sentry_sdk_recursive(send_default_pii: bool) -> None:
    ours, theirs = _both(_nested_event(), recursive=True, send_default_pii=send_default_pii)
    assert ours == theirs


def test_nested_values_are_scrubbed_even_when_not_recursive() -> None:
    """Intentional difference: sentry_sdk needs recursive=True for these."""
    event = _nested_event()
    EventScrubber().scrub_event(event)
    assert event["extra"]["deep"][0]["api_key"] == "[Filtered]"
    assert event["extra"]["deep"][0]["inner"]["PassWord"] == "[Filtered]"
    assert event["request"]["data"]["nested"]["token"] == "[Filtered]"
    assert event["request"]["data"]["nested"]["list"][0]["secret"] == "[Filtered]"
    assert event["_meta"]["extra"]["deep"]["0"]["inner"]["PassWord"] == FILTERED_META


def test_user_ip_dropped_unless_pii() -> None:
    event = _frames_event()
    EventScrubber().scrub_event(event)
    assert "ip_address" not in event["user"]
    assert event["user"]["token"] == "[Filtered]"
    event = _frames_event()
    EventScrubber(send_default_pii=True).scrub_event(event)
    assert event["user"]["ip_address"] == "1.2.3.4"


def test_header_spellings_contexts_env_and_query_string() -> None:
    """Intentional differences: sentry_sdk matches only exact lower-case names and does not
    look at contexts, request.env or the query string."""
    event = {
        "request": {
            "headers": {"X-Forwarded-For": "1.2.3.4", "X-Api-Key": "k", "Proxy-Authorization": "p"},
            "env": {"REMOTE_ADDR": "1.2.3.4", "SERVER_PORT": "80"},
            "query_string": "a=1&token=abc&b=x+y",
        },
        "contexts": {"db": {"password": "p", "host": "h"}, "trace": {"trace_id": "t" * 32}},
    }
    EventScrubber().scrub_event(event)
    request = event["request"]
    assert request["headers"] == {
        "X-Forwarded-For": "[Filtered]",
        "X-Api-Key": "[Filtered]",
        "Proxy-Authorization": "[Filtered]",
    }
    assert request["env"] == {"REMOTE_ADDR": "[Filtered]", "SERVER_PORT": "80"}
    assert request["query_string"] == "a=1&token=[Filtered]&b=x+y"
    assert event["contexts"]["db"] == {"password": "[Filtered]", "host": "h"}
    assert event["contexts"]["trace"] == {"trace_id": "t" * 32}
    meta = event["_meta"]
    assert meta["request"]["query_string"] == FILTERED_META
    assert meta["contexts"]["db"]["password"] == FILTERED_META
    assert meta["request"]["env"]["REMOTE_ADDR"] == FILTERED_META
    # with send_default_pii the PII-only names stay (x_forwarded_for is on both lists)
    event2 = {"request": {"headers": {"X-Real-Ip": "1.2.3.4", "X-Forwarded-For": "1.2.3.4"}}}
    EventScrubber(send_default_pii=True).scrub_event(event2)
    assert event2["request"]["headers"] == {"X-Real-Ip": "1.2.3.4", "X-Forwarded-For": "[Filtered]"}


def test_scrub_then_serialize_keeps_meta_and_strict_json() -> None:
    event = _nested_event()
    EventScrubber().scrub_event(event)
    out = serialize_event(event)
    json.dumps(out, allow_nan=False)
    assert (
        out["_meta"]["exception"]["values"]["0"]["stacktrace"]["frames"]["0"]["vars"]["password"]
        == FILTERED_META
    )
    assert (
        out["_meta"]["threads"]["values"]["0"]["stacktrace"]["frames"]["0"]["vars"]["api_key"]
        == FILTERED_META
    )
    assert out["_meta"]["spans"]["0"]["data"]["auth"] == FILTERED_META


def test_weird_data_does_not_raise() -> None:
    cyclic: Dict[str, Any] = {"password": "x"}
    cyclic["self"] = cyclic
    lst: List[Any] = []
    lst.append(lst)
    event: Dict[str, Any] = {
        "request": {
            "data": "a=b",
            "headers": None,
            "cookies": [("sessionid", "x")],
            "query_string": 5,
        },
        "extra": {
            "cyc": cyclic,
            "lst": lst,
            1: "int key",
            None: {"token": "t"},
            "proxy": MappingProxyType({"secret": "s"}),
        },
        "user": "not a dict",
        "breadcrumbs": {"values": ["oops", None, {"data": 5}]},
        "exception": {
            "values": [
                None,
                {"stacktrace": None},
                {"stacktrace": {"frames": [None, {"vars": None}]}},
            ]
        },
        "threads": "nope",
        "spans": [None, {"data": [1, {"password": 2}]}],
        "contexts": None,
    }
    EventScrubber().scrub_event(event)
    assert event["extra"]["cyc"]["password"] == "[Filtered]"
    assert cyclic["password"] == "x"  # copy-on-write: the app's own dict is untouched
    assert event["extra"][None]["token"] == "[Filtered]"
    assert event["extra"]["proxy"] == {"secret": "[Filtered]"}
    assert event["spans"][1]["data"][1]["password"] == "[Filtered]"
    EventScrubber().scrub_event("not an event")  # type: ignore[arg-type]
    json.dumps(serialize_event(event), allow_nan=False)


def test_deep_nesting_is_scrubbed_without_recursion_error() -> None:
    deep: Any = {"password": "x"}
    inner = deep
    for _ in range(5000):
        deep = {"d": deep}
    event = {"extra": {"deep": deep}}
    EventScrubber().scrub_event(event)
    assert inner["password"] == "x"  # never modified in place
    # Below the scrub depth the serializer's databag depth limit has cut the value away.
    text = json.dumps(serialize_event(event), allow_nan=False)
    assert "password" not in text


def test_scrubbing_never_modifies_application_data() -> None:
    config = {"db": {"password": "p", "host": "h"}, "api_key": "k"}
    crumbs = [{"data": {"token": "t"}}]
    event = {"extra": {"config": config}, "breadcrumbs": {"values": crumbs}}
    EventScrubber().scrub_event(event)
    assert config == {"db": {"password": "p", "host": "h"}, "api_key": "k"}
    assert event["extra"]["config"] == {
        "db": {"password": "[Filtered]", "host": "h"},
        "api_key": "[Filtered]",
    }
    assert event["_meta"]["extra"]["config"]["db"]["password"] == {"": {"rem": [["!config", "s"]]}}


_JSONISH = st.recursive(
    st.one_of(st.none(), st.integers(), st.text(max_size=5), st.floats()),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.sampled_from(["password", "Token", "X-Api-Key", "a", "b", "Session", "ok"]),
            children,
            max_size=4,
        ),
    ),
    max_leaves=30,
)


def _secrets_left(value: Any, scrubber: EventScrubber) -> List[Any]:
    found: List[Any] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if scrubber.is_denied(key) and item != "[Filtered]":
                found.append(key)
            found += _secrets_left(item, scrubber)
    elif isinstance(value, list):
        for item in value:
            found += _secrets_left(item, scrubber)
    return found


@settings(max_examples=100, deadline=None)
@given(data=_JSONISH)
def test_property_no_denylisted_value_survives(data: Any) -> None:
    event = {
        "extra": {"x": data},
        "request": {"data": data, "headers": {"h": data}},
        "contexts": {"c": {"x": data}},
        "breadcrumbs": {"values": [{"data": {"d": data}}]},
        "exception": {"values": [{"stacktrace": {"frames": [{"vars": {"v": data}}]}}]},
    }
    event = copy.deepcopy(event)
    scrubber = EventScrubber()
    scrubber.scrub_event(event)
    assert _secrets_left({k: v for k, v in event.items() if k != "_meta"}, scrubber) == []
    json.dumps(serialize_event(event), allow_nan=False)


class _Hostile:
    def __repr__(self) -> str:
        raise ValueError("no")

    def __eq__(self, other: object) -> bool:
        raise ValueError("no eq")

    __hash__ = object.__hash__


class _ExplodingDict(dict):  # type: ignore[type-arg]
    def keys(self) -> Any:
        raise RuntimeError("keys exploded")


_HOSTILE = st.recursive(
    st.one_of(
        st.none(),
        st.floats(),
        st.text(st.characters(blacklist_categories=()), max_size=5),
        st.binary(max_size=5),
        st.sampled_from([_Hostile, lambda: _ExplodingDict(password=1)]).map(lambda make: make()),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.tuples(children),
        st.dictionaries(
            st.one_of(st.sampled_from(["password", "ok", "Cookie"]), st.integers()),
            children,
            max_size=4,
        ),
    ),
    max_leaves=25,
)


@settings(max_examples=100, deadline=None)
@given(data=_HOSTILE)
def test_property_hostile_data_never_raises(data: Any) -> None:
    event: Dict[str, Any] = {
        "extra": data,
        "request": {
            "data": data,
            "headers": data,
            "cookies": data,
            "env": data,
            "query_string": data,
        },
        "user": data,
        "contexts": data,
        "breadcrumbs": {"values": [data, {"data": data}]},
        "exception": {"values": [{"stacktrace": {"frames": [{"vars": data}, data]}}]},
        "threads": {"values": data},
        "spans": [data, {"data": data}],
    }
    EventScrubber().scrub_event(event)
    json.dumps(serialize_event(event), allow_nan=False)


def test_user_ip_dropped_from_a_copy_not_the_scopes_dict() -> None:
    user = {"id": "1", "ip_address": "1.2.3.4"}
    event: Dict[str, Any] = {"user": user}
    EventScrubber().scrub_event(event)
    assert event["user"] == {"id": "1"}
    assert user == {"id": "1", "ip_address": "1.2.3.4"}


@pytest.mark.parametrize("fast", [True, False])
def test_secret_after_a_budget_sized_sibling_is_still_filtered(fast: bool) -> None:
    """The walk's container budget may run out on the tail of a huge list the serializer
    will cut anyway; what it could not look into is filtered, not sent as it is."""
    from sentry_lite import shortcuts
    from sentry_lite.limits import MAX_SCRUB_NODES

    extra = {"a": [{"x": i} for i in range(MAX_SCRUB_NODES + 5)], "b": {"password": "s"}}
    event: Dict[str, Any] = {"extra": extra}
    if fast:
        EventScrubber().scrub_event(event)
    else:
        with shortcuts.disabled():
            EventScrubber().scrub_event(event)
    out = serialize_event(event, size_budget=None)
    assert "s" not in json.dumps(out["extra"]["b"])
    assert out["extra"]["b"] == "[Filtered]"
    assert extra["b"] == {"password": "s"}  # the app's own dict is untouched


def test_a_value_the_scrubber_replaces_carries_only_the_filtered_remark() -> None:
    """As sentry_sdk, whose scrubber replaces the integration's annotated empty header
    with a new annotated ``[Filtered]``: one remark, not the integration's beside it."""
    event: Dict[str, Any] = {
        "request": {"headers": {"Authorization": "", "Accept": "*/*"}},
        "_meta": {"request": {"headers": {"Authorization": {"": {"rem": [["!config", "x"]]}}}}},
    }
    EventScrubber().scrub_event(event)
    assert event["request"]["headers"] == {"Authorization": "[Filtered]", "Accept": "*/*"}
    assert event["_meta"]["request"]["headers"]["Authorization"] == {
        "": {"rem": [["!config", "s"]]}
    }


def _count_calls(monkeypatch: pytest.MonkeyPatch, scrubber: EventScrubber, name: str) -> List[Any]:
    """The first argument of each call of the scrubber's method ``name``, from now on."""
    calls: List[Any] = []
    method = getattr(scrubber, name)

    def counting(arg: Any) -> Any:
        calls.append(arg)
        return method(arg)

    monkeypatch.setattr(scrubber, name, counting)
    return calls


def test_a_long_list_is_read_only_as_far_as_the_walk_reads_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The plain-data shortcut reads the first MAX_SCRUB_ITEMS items of a list, as the
    walk does: 1,000 spans or breadcrumbs each holding a list of 100,000 values took
    seconds on the capturing thread when it read them all."""
    from sentry_lite.limits import MAX_SCRUB_ITEMS

    scrubber = EventScrubber()
    checked = _count_calls(monkeypatch, scrubber, "_secret_text")
    args = ["x"] * (5 * MAX_SCRUB_ITEMS)
    event: Dict[str, Any] = {
        "breadcrumbs": {"values": [{"category": "c", "data": {"args": args}}] * 2}
    }
    scrubber.scrub_event(event)
    assert event["breadcrumbs"]["values"][0]["data"]["args"] is args  # kept, unscrubbed
    assert 0 < len(checked) <= 2 * MAX_SCRUB_ITEMS


def test_a_query_of_many_keys_is_searched_once_not_judged_key_by_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """100,000 distinct keys were each judged (a cache miss each: 350 ms a request);
    a query holding no word that a denied key contains is now passed over in one search."""
    scrubber = EventScrubber()
    judged = _count_calls(monkeypatch, scrubber, "is_denied")
    query = "&".join(f"p{n}=v{n}" for n in range(20_000))
    event: Dict[str, Any] = {"request": {"query_string": query}}
    scrubber.scrub_event(event)
    assert event["request"]["query_string"] is query
    assert judged == []


@pytest.mark.parametrize(
    "secret", ["token=s3cr3t", "%74oken=s3cr3t", "Api-Key=s3cr3t", "db+password=s3cr3t"]
)
def test_a_secret_among_many_keys_is_still_filtered(secret: str) -> None:
    query = "&".join([*(f"p{n}=v{n}" for n in range(1_000)), secret, "last=1"])
    results = []
    for fast in (True, False):  # the one search is a shortcut: the same with it off
        event: Dict[str, Any] = {"request": {"query_string": query}}
        EventScrubber().scrub_request(event, fast)
        results.append(event)
    assert results[0] == results[1]
    scrubbed = results[0]["request"]["query_string"]
    assert "s3cr3t" not in scrubbed and "[Filtered]" in scrubbed
    assert scrubbed.startswith("p0=v0&p1=v1") and scrubbed.endswith("last=1")
