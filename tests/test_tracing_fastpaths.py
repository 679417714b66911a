"""The request path's shortcuts give exactly what the general code gives."""

from __future__ import annotations

from typing import Any, Dict
from urllib.parse import parse_qsl

import sentry_lite
from sentry_lite.events.scrub import EventScrubber
from sentry_lite.events.serialize import serialize_event
from sentry_lite.integrations.wsgi import _headers
from sentry_lite.tracing.propagation import Baggage
from sentry_lite.tracing.span import Transaction, _continuing_transaction
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
    fast = _continuing_transaction(
        "n", "route", "http.server", "auto.http.x", baggage, True, "a" * 32, "b" * 16
    )
    for name in _slots(Transaction):
        assert hasattr(fast, name), name
        if name in ("_anchor", "_start", "_thread"):
            continue
        assert getattr(fast, name) == getattr(slow, name), name
    assert fast._sample_rand == 0.25


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

    forked = base._fork_for_request(processor)
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
