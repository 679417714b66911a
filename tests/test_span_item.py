"""The span item writes its payload from cached attribute fragments (a shortcut); these
tests hold it to the generic path (wire form, then ``json``) byte for byte, over hostile
spans such as a ``before_send_span`` hook may leave, and through a real send."""

from __future__ import annotations

import json
import math
from typing import Any, Dict, List, Optional, Tuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sentry_lite
from sentry_lite import shortcuts, span_item
from sentry_lite.span_item import SpanBatchItem, encode_spans
from sentry_lite.tracing.attributes import format_attribute
from sentry_lite.transport.wire import dumps
from tests.receiver import Receiver


def _generic(spans: List[Dict[str, Any]], global_attributes: Dict[Any, Any]) -> bytes:
    return dumps(span_item._wire_payload(spans, global_attributes))


def _outcome(call: Any) -> Tuple[str, Any]:
    """What a call gives, or that it raised (both paths must agree; which error comes
    first may differ: the generic path builds every span's wire form before encoding)."""
    _Odd.hostile = True
    try:
        return ("ok", call())
    except Exception as exc:  # noqa: BLE001
        return ("raised", isinstance(exc, (TypeError, ValueError, AttributeError)))
    finally:
        _Odd.hostile = False


class _Odd:
    hostile = False
    """Its repr raises only inside the encoders (hypothesis reprs examples it reports)."""

    def __repr__(self) -> str:
        if _Odd.hostile:
            raise RuntimeError("no repr")
        return "<odd>"


text = st.text(max_size=12) | st.sampled_from(["", "http.route", "ünï", "\ud800x", "a" * 250])
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    text,
)
attribute_values = st.one_of(
    scalars,
    st.lists(st.integers(), max_size=3),
    st.lists(text, max_size=3),
    st.lists(scalars, max_size=3),
    st.builds(_Odd),
    st.just({"nested": [1, "x"]}),
    st.just((1, 2)),
)
keys = text | st.sampled_from(["sentry.op", "sentry.release", 1, True, None])
attribute_dicts = st.dictionaries(keys, attribute_values, max_size=6)
# Most spans have plain text keys, as the SDK makes them; a hook may leave anything.
plain_attribute_dicts = st.dictionaries(text, attribute_values, max_size=6)


@st.composite
def spans(draw: Any, odd: bool = True) -> Dict[Any, Any]:
    """A span's JSON; ``odd=False``: only the shapes ``span_for_sending`` gives (it
    applies a hook's changes through ``set_attributes``, which formats every value)."""
    span: Dict[Any, Any] = {
        "trace_id": "a" * 32,
        "span_id": draw(st.sampled_from(["b" * 16, "c" * 16])),
        "name": draw(text),
        "status": draw(st.sampled_from(["ok", "error"])),
        "is_segment": draw(st.booleans()),
        "start_timestamp": draw(st.floats(min_value=0, max_value=2e9)),
    }
    if not odd:
        span["end_timestamp"] = span["start_timestamp"] + 0.5
        span["attributes"] = {
            key: format_attribute(value) for key, value in draw(plain_attribute_dicts).items()
        }
        return span
    if draw(st.booleans()):
        span["end_timestamp"] = draw(scalars)
    if draw(st.booleans()):
        span["parent_span_id"] = draw(scalars)
    shape = draw(st.sampled_from(["plain", "plain", "plain", "odd keys", "none", "list"]))
    if shape == "plain":
        span["attributes"] = draw(plain_attribute_dicts)
    elif shape == "odd keys":
        span["attributes"] = draw(attribute_dicts)
    elif shape == "list":
        span["attributes"] = [1, 2]
    if draw(st.booleans()):
        span[draw(st.sampled_from(["links", "extra", 7]))] = draw(attribute_values)
    return span


global_dicts = st.dictionaries(
    st.sampled_from(["sentry.release", "sentry.environment", "server.address", "sentry.op"]),
    scalars,
    max_size=4,
) | st.dictionaries(keys, attribute_values, max_size=3)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=st.lists(spans(), min_size=1, max_size=4), global_attributes=global_dicts)
def test_payload_is_the_generic_payload_byte_for_byte(
    batch: List[Dict[str, Any]], global_attributes: Dict[Any, Any]
) -> None:
    fast = _outcome(lambda: encode_spans(batch, global_attributes))
    generic = _outcome(lambda: _generic(batch, global_attributes))
    assert fast == generic
    # A second encoding, now from the caches, is the same again.
    assert _outcome(lambda: encode_spans(batch, global_attributes)) == generic


def _item_bytes(item: SpanBatchItem) -> Tuple[str, Any]:
    return _outcome(item.serialize)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=st.lists(spans(odd=False), min_size=1, max_size=3), global_attributes=global_dicts)
def test_item_is_the_same_with_the_shortcuts_off_or_after_a_json_read(
    batch: List[Dict[str, Any]], global_attributes: Dict[Any, Any]
) -> None:
    fast = _item_bytes(SpanBatchItem(batch, global_attributes))
    read_first = SpanBatchItem(batch, global_attributes)
    _outcome(read_first.get_json)  # a reader finished it: the generic path from here on
    with shortcuts.disabled():
        generic = _item_bytes(SpanBatchItem(batch, global_attributes))
    assert fast == generic == _item_bytes(read_first)


def test_true_and_one_are_kept_apart_in_the_cache() -> None:
    span = {"trace_id": "a" * 32, "span_id": "b" * 16, "is_segment": True}
    first = encode_spans([dict(span, attributes={"k": True})], {})
    second = encode_spans([dict(span, attributes={"k": 1})], {})
    third = encode_spans([dict(span, attributes={"k": 1.0})], {})
    assert json.loads(first)["items"][0]["attributes"]["k"] == {"value": True, "type": "boolean"}
    assert json.loads(second)["items"][0]["attributes"]["k"] == {"value": 1, "type": "integer"}
    assert json.loads(third)["items"][0]["attributes"]["k"] == {"value": 1.0, "type": "double"}


def test_cache_is_bounded_and_skips_long_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(span_item, "_fragments", {})
    span = {"trace_id": "a" * 32, "span_id": "b" * 16, "is_segment": True}
    long_value = "x" * (span_item.SPAN_FRAGMENT_CACHE_VALUE_CHARS + 1)
    encode_spans([dict(span, attributes={"query": long_value, "sentry.segment.id": "c" * 16})], {})
    assert span_item._fragments == {}
    encode_spans([dict(span, attributes={"argv": ["a", "b"], "mixed": [1, "b"]})], {})
    assert list(span_item._fragments) == [("argv", ("a", "b"), list)]
    for n in range(span_item.SPAN_FRAGMENT_CACHE_MAX + 10):
        encode_spans([dict(span, attributes={"id": n})], {})
        assert len(span_item._fragments) <= span_item.SPAN_FRAGMENT_CACHE_MAX


def _sent_spans(receiver: Receiver) -> List[Dict[str, Any]]:
    return [span for item in receiver.items("span") for span in item.get_json()["items"]]


@pytest.mark.parametrize("use_shortcuts", [True, False])
def test_a_hook_changed_span_reaches_the_receiver(
    sentry_init: Any, receiver: Receiver, use_shortcuts: bool
) -> None:
    def hook(span: Dict[str, Any], hint: Any) -> Optional[Dict[str, Any]]:
        span["attributes"]["odd"] = _Odd()
        span["attributes"]["ratio"] = math.inf
        span["attributes"]["sentry.release"] = "overridden@2"
        return span

    previous = shortcuts.enabled
    shortcuts.set_enabled(use_shortcuts)
    _Odd.hostile = True
    try:
        guard = sentry_init(
            traces_sample_rate=1.0,
            trace_lifecycle="stream",
            release="r@1",
            before_send_span=hook,
        )
        sentry_lite.set_attribute("global.flag", True)
        with sentry_lite.traces.start_span(name="segment", attributes={"n": 3, "ok": "yes"}):
            pass
        guard._client.close(timeout=5)
    finally:
        shortcuts.set_enabled(previous)
        _Odd.hostile = False
    (span,) = _sent_spans(receiver)
    attributes = span["attributes"]
    assert attributes["n"] == {"value": 3, "type": "integer"}
    assert attributes["ok"] == {"value": "yes", "type": "string"}
    assert attributes["global.flag"] == {"value": True, "type": "boolean"}
    assert attributes["sentry.release"] == {"value": "overridden@2", "type": "string"}
    assert attributes["ratio"] == {"value": "inf", "type": "string"}
    assert attributes["odd"]["type"] == "string"
    (item,) = receiver.items("span")
    assert item.headers["item_count"] == 1
    assert item.headers["content_type"] == span_item.SPAN_CONTENT_TYPE


def test_an_envelope_of_span_items_reads_back_as_sent() -> None:
    # What the outbox spools and a receiver parses: the fast bytes, read as an envelope.
    from sentry_lite.envelope import Envelope
    from sentry_lite.transport import wire

    spans = [
        {
            "trace_id": "a" * 32,
            "span_id": f"{n:016x}",
            "name": 'ünï "quoted"',
            "status": "ok",
            "is_segment": n == 0,
            "start_timestamp": 1.5 + n,
            "end_timestamp": 2.25 + n,
            "attributes": {"sentry.op": "db", "n": n, "ok": True, "argv": ["a", "b"]},
        }
        for n in range(3)
    ]
    envelope = Envelope({"trace": {"trace_id": "a" * 32}})
    envelope.add_item(SpanBatchItem(spans, {"sentry.release": "r@1"}))
    (item,) = wire.parse(envelope.serialize()).items
    assert item.headers == {
        "item_count": 3,
        "content_type": span_item.SPAN_CONTENT_TYPE,
        "type": "span",
        "length": len(item.get_bytes()),
    }
    assert item.get_json() == span_item._wire_payload(spans, {"sentry.release": "r@1"})
