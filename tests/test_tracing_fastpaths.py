"""The request path's shortcuts give exactly what the general code gives."""

from __future__ import annotations

from typing import Any, Dict
from urllib.parse import parse_qsl

import sentry_lite
from sentry_lite.events.scrub import EventScrubber
from sentry_lite.events.serialize import serialize_event
from sentry_lite.integrations.wsgi import _headers
from sentry_lite.tracing.propagation import Baggage
from sentry_lite.tracing.span import Span, make_child
from sentry_lite.tracing.transaction import Transaction, continuing_transaction
from tests.conftest import reset_sdk


def _slots(cls: type) -> set:
    names: set = set()
    for klass in cls.__mro__:
        names.update(getattr(klass, "__slots__", ()))
    return names


def test_continuing_transaction_sets_every_slot_like_init() -> None:
    baggage = Baggage({"sample_rand": "0.250000", "trace_id": "a" * 32}, mutable=False)
    slow = Transaction(
        name="n",
        source="route",
        op="http.server",
        origin="auto.http.x",
        baggage=baggage,
        parent_sampled=True,
        trace_id="a" * 32,
        parent_span_id="b" * 16,
        same_process_as_parent=False,
    )
    fast = continuing_transaction(
        "n", "route", "http.server", "auto.http.x", baggage, True, "a" * 32, "b" * 16
    )
    for name in _slots(Transaction):
        assert hasattr(fast, name), name
        if name in ("_anchor", "_start", "_thread"):
            continue
        assert getattr(fast, name) == getattr(slow, name), name
    assert fast._sample_rand == 0.25


def test_child_span_sets_every_slot_like_init() -> None:
    txn = Transaction(name="t", op="http.server", sampled=True)
    slow = Span(
        op="db",
        description="SELECT 1",
        origin="auto.db",
        trace_id=txn.trace_id,
        parent_span_id=txn.span_id,
        sampled=txn.sampled,
        containing_transaction=txn,
        _anchor=txn._anchor,
    )
    fast = make_child(txn, txn, "db", "SELECT 1", "auto.db", None)
    for name in _slots(Span):
        assert hasattr(fast, name), name
        if name in ("_start", "_thread"):
            continue
        assert getattr(fast, name) == getattr(slow, name), name
    assert fast.span_id != txn.span_id and fast.parent_span_id == txn.span_id


def test_trace_context_of_continued_transaction_matches() -> None:
    sentry_lite.init(dsn="http://public@127.0.0.1:9/1", traces_sample_rate=1.0)
    try:
        txn = sentry_lite.continue_trace({}, op="http.server", name="x", source="route")
        txn.set_data("k", "v")
        context = txn.get_trace_context()
        assert context["trace_id"] == txn.trace_id and context["span_id"] == txn.span_id
        assert context["data"]["k"] == "v" and "thread.id" in context["data"]
        assert context["dynamic_sampling_context"]["trace_id"] == txn.trace_id
    finally:
        reset_sdk()


def test_wsgi_headers_named_as_sent_and_bounded_cache() -> None:
    environ: Dict[str, Any] = {
        "HTTP_USER_AGENT": "ua",
        "HTTP_X_CUSTOM_THING": "1",
        "CONTENT_TYPE": "text/plain",
        "HTTP_CONTENT_TYPE": "dup",
        "REQUEST_METHOD": "GET",
    }
    assert _headers(environ) == {
        "User-Agent": "ua",
        "X-Custom-Thing": "1",
        "Content-Type": "text/plain",
    }
    for i in range(2000):  # made-up headers do not grow the cache without bound
        _headers({f"HTTP_X_{i}": "v"})
    from sentry_lite.integrations import wsgi

    assert len(wsgi._header_names) <= wsgi.MAX_CACHED_HEADER_NAMES
    assert _headers({"HTTP_X_1999": "v"}) == {"X-1999": "v"}


def test_query_scrub_shortcut_matches_parse_qsl() -> None:
    scrubber = EventScrubber()
    queries = ("a=1&b=2", "password=x&a=1", "a&&token=1", "x=1;password=2", "pass%77ord=1", "=&")
    for query in queries:
        event: Dict[str, Any] = {"request": {"query_string": query}}
        scrubber.scrub_event(event)
        filtered = "[Filtered]" in event["request"]["query_string"]
        keys = [key for key, _ in parse_qsl(query, keep_blank_values=True)]
        assert filtered == any(scrubber.is_denied(key) for key in keys), query


def test_serializer_inline_leaves_same_as_full_walk() -> None:
    long = "x" * 50
    event = {"extra": {"a": long, "b": 1, "c": None, "d": True, "e": "\ud800", "f": 1.5}}
    out = serialize_event(event, max_value_length=40, size_budget=None)
    assert out["extra"]["a"].endswith("...") and len(out["extra"]["a"]) == 40
    assert out["extra"]["e"] == "\ufffd"
    assert out["extra"]["b"] == 1 and out["extra"]["c"] is None and out["extra"]["f"] == 1.5
    assert "_meta" in out


def test_request_fork_is_a_fork_without_crumbs_or_trace() -> None:
    from sentry_lite.scope import Scope

    base = Scope("isolation")
    base.set_tag("t", 1)
    base._breadcrumbs.append({"message": "old"})
    base.get_propagation_context()

    def processor(event: Any, hint: Any) -> Any:
        return event

    forked = base.fork_for_request(processor)
    plain = base.fork()
    for name in Scope.__slots__:
        if name in ("_breadcrumbs", "_propagation_context", "_event_processors"):
            continue
        assert getattr(forked, name) == getattr(plain, name), name
    assert list(forked._breadcrumbs) == [] and forked._propagation_context is None
    assert forked._event_processors == [*base._event_processors, processor]
    forked.set_tag("t", 2)
    assert base._tags == {"t": 1} and len(base._breadcrumbs) == 1


def test_serializer_section_shortcuts_same_as_walker() -> None:
    """Plain top-level sections (empty ones too) and request strings skip calls; the
    result and the _meta notes must be the walker's."""
    from sentry_lite.events.serialize import MAX_SAFETY_BREADTH, MAX_SAFETY_DEPTH, _Walker

    sections: Dict[str, Any] = {
        "spans": [],
        "measurements": {},
        "empty_tuple": (),
        "tags": {"http.status_code": "200", "long": "y" * 60},
        "nested": {"a": [1, "x", None, {"b": "\ud800"}]},
        "request": {
            "url": "http://h/" + "p" * 60,
            "method": "GET",
            "query_string": None,
            "headers": {"Host": "h"},
            "other": "caf\u00e9",
            "bad": "\udc80",
        },
    }
    for name, section in sections.items():
        out = serialize_event({name: section}, max_value_length=40, size_budget=None)
        walker = _Walker(False, 40, None, False, track=True)
        walked = walker.child(section, name, MAX_SAFETY_DEPTH - 1, MAX_SAFETY_BREADTH, None)
        assert out[name] == walked, name
        assert out.get("_meta", {}) == walker.meta, name


class _Key(str):
    """A str subclass key whose str() differs from its text (like a str-mixin Enum)."""

    def __str__(self) -> str:
        return "other"


def _hostile_spans() -> list:
    """Span dicts as Span.to_json makes them, then with every kind of hostile value."""
    reset_sdk()
    sentry_lite.init(dsn="http://p@127.0.0.1:1/1", traces_sample_rate=1.0, transport=None)
    txn = sentry_lite.start_transaction(name="t", op="http.server")
    with txn.start_child(op="db", name="SELECT 1") as span:
        span.set_data("db.system", "sqlite")
        span.set_tag("k", "v")
        span.set_measurement("m", 1.5, "ms")
    plain = span.to_json()
    cycle: Dict[str, Any] = {}
    cycle["self"] = cycle
    deep: Dict[str, Any] = {}
    node = deep
    for _ in range(80):
        node["d"] = {}
        node = node["d"]
    variants: list = [plain]
    changes: list = [
        {"description": "SELECT " + "x" * 3000},
        {"description": "caf\u00e9 " * 500},
        {"description": "bad \ud800 " * 300},
        {"description": "bad \udc80"},
        {"op": "o" * 300},
        {"op": "\ud800"},
        {"status": "ok\udfff"},
        {"origin": 1.5},
        {"origin": float("nan")},
        {"timestamp": float("inf")},
        {"start_timestamp": None},
        {"\ud800": 1},
        {"caf\u00e9": "ok"},
        {_Key("op"): "x"},
        {1: "int key"},
        {"data": {1: "x"}},
        {"data": {"a": float("nan")}},
        {"data": {"a": float("-inf"), "b": 2.5}},
        {"data": {"a": "y" * 5000}},
        {"data": {"a": "\ud800"}},
        {"data": {"\udc00": 1}},
        {"data": {_Key("a"): 1}},
        {"data": {"a": {"b": {"c": [1, (2, 3), {"d": "\ud800"}]}}}},
        {"data": {"a": deep}},
        {"data": {"a": cycle}},
        {"data": {"a": b"bytes", "b": object()}},
        {"data": {"a": _Key("value")}},
        {"data": {"a": list(range(20_000))}},
        {"data": {str(i): i for i in range(6000)}},
        {"data": []},
        {"data": "not a dict"},
        {"tags": {"k": "\ud800", "n": None}},
        {"measurements": {"m": {"value": float("nan"), "unit": "ms"}}},
    ]
    for change in changes:
        variant = dict(plain)
        variant.update(change)
        variants.append(variant)
    return variants


def _walked(name: str, section: Any, max_length: int) -> Any:
    from sentry_lite.events.serialize import MAX_SAFETY_BREADTH, MAX_SAFETY_DEPTH, _Walker

    walker = _Walker(False, max_length, None, False, track=True)
    walked = walker.child(section, name, MAX_SAFETY_DEPTH - 1, MAX_SAFETY_BREADTH, None)
    return walked, walker.meta


def test_span_list_shortcut_same_as_walker() -> None:
    """``spans`` takes a shape-aware copy; with any hostile value it must give exactly
    the walker's spans and _meta (or fall back to the walker)."""
    try:
        variants = _hostile_spans()
        for max_length in (1024, 40, 0):
            for variant in variants:
                for spans in ([variant], [variant, variants[0]], [variants[0], variant]):
                    out = serialize_event(
                        {"spans": spans}, max_value_length=max_length, size_budget=None
                    )
                    walked, meta = _walked("spans", spans, max_length)
                    assert out["spans"] == walked, (max_length, variant)
                    assert out.get("_meta", {}) == meta, (max_length, variant)
            many = [variants[0]] * 600  # more nodes than a section may hold
            out = serialize_event({"spans": many}, size_budget=None)
            assert (out["spans"], out.get("_meta", {})) == _walked("spans", many, 1024)
        odd: list = [[variants[0], "not a span"], [None], [(1, 2)], ("tuple",)]
        for spans in odd:
            out = serialize_event({"spans": spans}, size_budget=None)
            walked, meta = _walked("spans", spans, 1024)
            assert out["spans"] == walked and out.get("_meta", {}) == meta
    finally:
        reset_sdk()


def test_nested_leaf_dicts_inline_same_as_walker() -> None:
    """Dicts of leaves inside a section (trace data, the DSC, headers) are copied inline."""
    hostile: list = [
        {"a": "x"},
        {"a": "y" * 300},
        {"a": "\ud800"},
        {"\ud800": 1},
        {1: 2},
        {_Key("a"): 1},
        {"a": float("nan")},
        {"a": 1.5, "b": [1, {"c": "\udc00"}]},
        {"a": {"b": {"c": {"d": 1}}}},
        {str(i): i for i in range(6000)},
    ]
    for inner in hostile:
        sections = {
            "contexts": {"trace": {"trace_id": "t", "data": inner}, "response": inner},
            "request": {"url": "u", "headers": inner, "env": {"e": inner}},
            "tags": {"t": inner},
            "transaction_info": inner,
        }
        for name, section in sections.items():
            for max_length in (1024, 40):
                out = serialize_event(
                    {name: section}, max_value_length=max_length, size_budget=None
                )
                walked, meta = _walked(name, section, max_length)
                assert out[name] == walked, (name, inner)
                assert out.get("_meta", {}) == meta, (name, inner)


def test_span_scrub_shortcut_same_as_full_scrub() -> None:
    """scrub_spans skips spans whose data is plain under known keys; the event and its
    _meta must be what scrubbing every span's data gives."""
    import copy

    spans: list = [
        {"data": {"thread.id": "1", "signal": "x"}},
        {"data": {"password": "secret", "ok": 1}},
        {"data": {"nested": {"token": "t"}}},
        {"data": {"list": [{"api_key": "k"}]}},
        {"data": {1: "int key", "auth": "a"}},
        {"data": {"Authorization": "a"}},
        {"data": None},
        {"data": "text"},
        {"data": [{"session": "s"}]},
        {"no_data": 1},
        "not a span",
        None,
    ]
    warm = EventScrubber()
    warm.scrub_event({"spans": copy.deepcopy(spans)})  # learn the verdicts
    for _ in range(2):
        fast = {"spans": copy.deepcopy(spans)}
        warm.scrub_event(fast)
        slow = {"spans": copy.deepcopy(spans)}
        reference = EventScrubber()
        for index, span in enumerate(slow["spans"]):
            if isinstance(span, dict) and "data" in span:
                reference._scrub(slow, span, "data", ["spans", index, "data"])
        assert fast == slow
    assert fast["spans"][1]["data"]["password"] == "[Filtered]"
    assert fast["spans"][3]["data"]["list"][0]["api_key"] == "[Filtered]"


def test_span_json_thread_data_inline() -> None:
    from sentry_lite.tracing import span as span_module

    try:
        reset_sdk()
        sentry_lite.init(dsn="http://p@127.0.0.1:1/1", traces_sample_rate=1.0, transport=None)
        txn = sentry_lite.start_transaction(name="t")
        with txn.start_child(op="x") as child:
            child.set_data("thread.name", "mine")
        for _ in range(2):  # not cached, then cached
            span_module._ident_text.clear()
            data = child.to_json()["data"]
            assert data == {**child._thread_data(), "thread.name": "mine"}
    finally:
        reset_sdk()


class _RaisingKey:
    """A key that collides with a cached verdict's hash and raises when compared."""

    def __init__(self, text: str) -> None:
        self._hash = hash(text)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("hostile key")


def test_scrub_shortcuts_survive_hostile_keys() -> None:
    """A key whose comparison raises must not stop the other spans/sections being scrubbed."""
    scrubber = EventScrubber()
    scrubber.scrub_event({"spans": [{"data": {"signal": "x", "Host": "h"}}]})  # warm
    hostile = {_RaisingKey("signal"): 1}
    event: Dict[str, Any] = {
        "spans": [{"data": hostile}, {"data": {"password": "p"}}],
        "contexts": {"trace": {"data": hostile}, "app": hostile, "c": {"token": "t"}},
        "request": {"headers": hostile, "env": {"password": "p"}},
    }
    scrubber.scrub_event(event)
    assert event["spans"][1]["data"]["password"] == "[Filtered]"
    assert event["contexts"]["c"]["token"] == "[Filtered]"
    assert event["request"]["env"]["password"] == "[Filtered]"
