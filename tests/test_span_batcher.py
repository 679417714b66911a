"""The span batcher and streaming-mode rules that the side-by-side scenarios do not
reach: flushing by count and at shutdown, drops counted, unsampled and ignored spans
reported, hooks that fail, and the two tracing APIs refusing to mix."""

from __future__ import annotations

import math
import warnings
from typing import Any, Dict, List

import pytest

import sentry_lite
from sentry_lite import span_batcher
from sentry_lite.tracing.attributes import format_attribute, serialize_attribute
from tests.receiver import Receiver

STREAM = {"traces_sample_rate": 1.0, "trace_lifecycle": "stream"}


def spans_of(receiver: Receiver) -> List[Dict[str, Any]]:
    return [span for item in receiver.items("span") for span in item.get_json()["items"]]


def test_count_flush_sends_before_the_timer(sentry_init: Any, receiver: Receiver) -> None:
    sentry_init(**STREAM)
    with sentry_lite.traces.start_span(name="long segment"):
        for _ in range(span_batcher.SPAN_BATCH_FLUSH_COUNT):
            sentry_lite.traces.start_span(name="child").end()
        # The segment is still open: only the count can have sent these.
        receiver.wait_for(1, timeout=4, item_type="span")
        (item,) = receiver.items("span")
        assert item.headers["item_count"] == span_batcher.SPAN_BATCH_FLUSH_COUNT
        assert item.headers["content_type"] == "application/vnd.sentry.items.span.v2+json"


def test_open_trace_is_sent_at_shutdown(sentry_init: Any, receiver: Receiver) -> None:
    guard = sentry_init(**STREAM)
    segment = sentry_lite.traces.start_span(name="never ends")
    sentry_lite.traces.start_span(name="finished child").end()
    guard._client.close(timeout=5)
    (span,) = spans_of(receiver)
    assert span["name"] == "finished child"
    assert span["parent_span_id"] == segment.span_id
    (envelope,) = [e for e in receiver.envelopes if e.items[0].type == "span"]
    assert envelope.headers["trace"]["trace_id"] == segment.trace_id


def test_overflow_is_dropped_and_counted(
    sentry_init: Any, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(span_batcher, "SPAN_BATCH_FLUSH_COUNT", 10**9)
    monkeypatch.setattr(span_batcher, "SPAN_BATCH_FLUSH_BYTES", 10**12)
    guard = sentry_init(**STREAM)
    with sentry_lite.traces.start_span(name="segment"):
        for _ in range(span_batcher.SPAN_BATCH_MAX_QUEUED + 5):
            sentry_lite.traces.start_span(name="child").end()
    guard._client.close(timeout=5)
    assert len(spans_of(receiver)) == span_batcher.SPAN_BATCH_MAX_QUEUED
    assert receiver.discarded() == {("span", "queue_overflow"): 6}  # 5 children + segment


def test_unsampled_and_ignored_spans_are_reported(sentry_init: Any, receiver: Receiver) -> None:
    guard = sentry_init(traces_sample_rate=0.0, trace_lifecycle="stream")
    with sentry_lite.traces.start_span(name="segment") as segment:
        assert isinstance(segment, sentry_lite.traces.NoOpStreamedSpan)
        assert segment.sampled is False
        with sentry_lite.traces.start_span(name="child"):
            pass
    guard._client.close(timeout=5)
    assert spans_of(receiver) == []
    assert receiver.discarded() == {("span", "sample_rate"): 2}


def test_before_send_span_that_raises_keeps_the_span(sentry_init: Any, receiver: Receiver) -> None:
    def hook(span: Dict[str, Any], hint: Dict[str, Any]) -> Any:
        raise RuntimeError("user bug")

    guard = sentry_init(before_send_span=hook, **STREAM)
    with sentry_lite.traces.start_span(name="kept", attributes={"a": 1}):
        pass
    guard._client.close(timeout=5)
    (span,) = spans_of(receiver)
    assert span["name"] == "kept"
    assert span["attributes"]["a"] == {"value": 1, "type": "integer"}


def test_apis_do_not_mix(sentry_init: Any) -> None:
    sentry_init(**STREAM)
    with pytest.warns(DeprecationWarning):
        txn = sentry_lite.start_transaction(name="legacy")
    assert isinstance(txn, sentry_lite.tracing.NoOpSpan)
    sentry_init(traces_sample_rate=1.0)
    with pytest.warns(UserWarning, match="non-span-streaming"):
        span = sentry_lite.traces.start_span(name="streamed")
    assert isinstance(span, sentry_lite.traces.NoOpStreamedSpan)


def test_streaming_options_warn_in_the_wrong_mode(sentry_init: Any) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sentry_init(ignore_spans=["x"], before_send_span=lambda s, h: s)
    messages = [str(w.message) for w in caught]
    assert any("ignore_spans" in m for m in messages)
    assert any("before_send_span" in m for m in messages)


def test_errors_link_to_the_active_span(sentry_init: Any, receiver: Receiver) -> None:
    guard = sentry_init(**STREAM)
    with sentry_lite.traces.start_span(name="segment") as segment:
        child = sentry_lite.traces.start_span(name="child")
        sentry_lite.capture_message("inside")
        child.end()
    guard._client.close(timeout=5)
    (event,) = receiver.events
    trace = event["contexts"]["trace"]
    assert (trace["trace_id"], trace["span_id"]) == (segment.trace_id, child.span_id)
    assert event["transaction"] == "segment"


class Hostile:
    def __repr__(self) -> str:
        raise RuntimeError("no repr")


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        ("s", {"value": "s", "type": "string"}),
        (True, {"value": True, "type": "boolean"}),
        (3, {"value": 3, "type": "integer"}),
        (0.5, {"value": 0.5, "type": "double"}),
        (math.nan, {"value": "nan", "type": "string"}),
        ((1, 2), {"value": [1, 2], "type": "array"}),
        ([], {"value": [], "type": "array"}),
        ([1, "x"], {"value": "[1, 'x']", "type": "string"}),
    ],
)
def test_attribute_types(value: Any, wire: Dict[str, Any]) -> None:
    assert serialize_attribute(format_attribute(value)) == wire


def test_unformatted_non_finite_float_is_sent_as_text() -> None:
    # Not through set_attribute (which formats it): JSON has no NaN, and an item that
    # cannot be encoded would lose every span of its batch.
    assert serialize_attribute(math.inf) == {"value": "inf", "type": "string"}
    assert serialize_attribute(math.nan) == {"value": "nan", "type": "string"}


def test_hostile_attribute_value_is_a_string() -> None:
    formatted = format_attribute(Hostile())
    assert isinstance(formatted, str)
    assert serialize_attribute(formatted)["type"] == "string"


@pytest.mark.parametrize("fast", [True, False])
def test_unsampled_children_are_counted_alike_with_and_without_shortcuts(
    sentry_init: Any, receiver: Receiver, fast: bool
) -> None:
    """The shortcut counts an unsampled segment's children with it (one report call);
    a child that outlives its segment is still counted on its own."""
    from sentry_lite import shortcuts

    shortcuts.set_enabled(fast)
    try:
        guard = sentry_init(traces_sample_rate=0.0, trace_lifecycle="stream")
        segment = sentry_lite.traces.start_span(name="segment")
        for _ in range(10):
            sentry_lite.traces.start_span(name="child").end()
        late = sentry_lite.traces.start_span(name="outlives the segment", active=False)
        segment.end()
        late.end()
        guard._client.close(timeout=5)
    finally:
        shortcuts.set_enabled(True)
    assert receiver.discarded() == {("span", "sample_rate"): 12}


def test_app_thread_queues_without_the_batchers_lock(
    sentry_init: Any, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ending a span appends to a queue that the batcher's thread sorts into traces: it
    never waits for that thread (held here by its lock), and a queue the thread cannot
    drain is bounded, the rest dropped and counted."""
    import threading

    monkeypatch.setattr(span_batcher, "SPAN_INCOMING_MAX", 5)
    guard = sentry_init(**STREAM)
    batcher = guard._client.span_batcher
    segment = sentry_lite.traces.start_span(name="segment")
    assert batcher._ensure_thread()  # started (the first span starts it, under the lock)
    batcher._lock.acquire()  # the batcher's thread is busy sorting: it holds the lock
    try:
        ended = threading.Thread(
            target=lambda: [sentry_lite.traces.start_span(name="c").end() for _ in range(8)]
        )
        ended.start()
        ended.join(10)
        assert not ended.is_alive(), "ending a span waited for the batcher's lock"
    finally:
        batcher._lock.release()
    segment.end()  # dropped too: the queue is still full
    guard._client.close(timeout=5)
    assert len(spans_of(receiver)) == 5
    assert receiver.discarded() == {("span", "queue_overflow"): 4}


class _Segment:
    def _dynamic_sampling_context(self) -> Dict[str, str]:
        return {"trace_id": "a" * 32}


def test_global_attributes_are_taken_when_the_batch_is_made() -> None:
    # The item is encoded later, on the sending thread; the app may change the global
    # scope's attributes meanwhile (and iterating a dict that changes would raise).
    envelopes: List[Any] = []
    batcher = span_batcher.SpanBatcher(envelopes.append, lambda *args: None)
    live = {"tenant": "acme"}
    batcher.use_global_attributes(lambda: live)
    span = {"trace_id": "a" * 32, "span_id": "b" * 16, "is_segment": True, "attributes": {}}
    batcher._send([(span, _Segment())])
    live["tenant"] = "changed"
    live["added"] = 1
    (envelope,) = envelopes
    (sent,) = envelope.items[0].get_json()["items"]
    assert sent["attributes"] == {"tenant": {"value": "acme", "type": "string"}}
    assert b'"added"' not in envelope.serialize()
    batcher.kill()
