"""A batch of streamed spans as one ``span`` envelope item, written straight to JSON text.

Why not the generic item: sending a span the generic way builds its wire form (a
``{"value": ..., "type": ...}`` dict per attribute) and then encodes that with ``json``,
about 27 µs for a web request's segment of 30 attributes, for each request, on the
sending threads. Most attributes repeat from span to span (operation, origin, method,
route, thread, the client's global ones), so their encoded text is kept and reused;
this item writes the payload from those fragments in about half the time. It is a
speed shortcut beside the generic path (``shortcuts.enabled``): anything it does not
know the shape of (a hook's odd value, a non-string key) goes the generic way, and
whoever reads the payload as JSON gets the generic wire form.
"""

from __future__ import annotations

import math
from json.encoder import encode_basestring
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from sentry_lite import shortcuts
from sentry_lite.envelope import Item
from sentry_lite.limits import SPAN_FRAGMENT_CACHE_MAX, SPAN_FRAGMENT_CACHE_VALUE_CHARS
from sentry_lite.tracing.attributes import serialize_attribute, serialize_attributes
from sentry_lite.transport.wire import compact_json

__all__ = ["SPAN_CONTENT_TYPE", "SpanBatchItem", "encode_spans"]

SPAN_CONTENT_TYPE = "application/vnd.sentry.items.span.v2+json"

_float_repr = float.__repr__
_fragments: Dict[Tuple[str, Any, type], str] = {}
"""``'"key":{"value":...,"type":...}'`` by (key, value, type of value): the type keeps
``True`` and ``1`` apart, which are equal as dict keys."""
_UNIQUE_KEYS = frozenset(("sentry.segment.id",))
"""Attributes whose values never repeat: not worth a place in the cache."""
_globals_memo: Tuple[Optional[List[Tuple[str, type, Any]]], Dict[str, str]] = (None, {})
"""The last global attributes seen and their fragments (they change only with options)."""


def _wire_span(span: Dict[str, Any], globals_json: Mapping[str, Any]) -> Dict[str, Any]:
    """The span as sent (the generic path); ``globals_json``: serialized attributes it has
    unless its own (``attributes`` of the span) say otherwise."""
    out = dict(span)
    attributes = out.pop("attributes", None)
    if attributes:
        if globals_json:
            merged = dict(globals_json)
            merged.update(serialize_attributes(attributes))
            out["attributes"] = merged
        else:
            out["attributes"] = serialize_attributes(attributes)
    elif globals_json:
        out["attributes"] = dict(globals_json)
    return out


def _wire_payload(
    spans: Sequence[Dict[str, Any]], global_attributes: Mapping[str, Any]
) -> Dict[str, Any]:
    globals_json = serialize_attributes(global_attributes)
    return {"version": 2, "items": [_wire_span(span, globals_json) for span in spans]}


_TYPE_NAMES = {str: "string", bool: "boolean", int: "integer", float: "double"}
"""The wire type of each plain value's exact type (subclasses take the generic path)."""


def _fragment(key: str, value: Any) -> str:
    """One attribute's ``"key":{...}`` text, as ``json`` would write its wire form."""
    name = _TYPE_NAMES.get(type(value))
    if name is not None and (name != "double" or math.isfinite(value)):
        return f'{encode_basestring(key)}:{{"value":{_plain_value(value)},"type":"{name}"}}'
    return f"{encode_basestring(key)}:{compact_json(serialize_attribute(value))}"


def _cache_key(key: str, value: Any) -> Optional[Tuple[str, Any, type]]:
    """Text, integers, flags and lists of text (argv, the integrations) are kept."""
    kind = type(value)
    if kind is str:
        if len(value) > SPAN_FRAGMENT_CACHE_VALUE_CHARS or key in _UNIQUE_KEYS:
            return None
        return (key, value, kind)
    if kind is int or kind is bool:
        return (key, value, kind)
    if kind is list and len(value) <= 32 and all(type(v) is str for v in value):
        return (key, tuple(value), kind)
    return None  # floats rarely repeat; other values are not hashable or ambiguous


def _cached_fragment(key: str, value: Any) -> str:
    cache_key = _cache_key(key, value)
    if cache_key is None:
        return _fragment(key, value)
    text = _fragments.get(cache_key)
    if text is None:
        text = _fragment(key, value)
        if len(_fragments) >= SPAN_FRAGMENT_CACHE_MAX:
            _fragments.clear()
        _fragments[cache_key] = text
    return text


def _global_fragments(global_attributes: Mapping[str, Any]) -> Optional[Dict[str, str]]:
    """Fragments of the global attributes (None: a key that is not text)."""
    global _globals_memo
    # Types too: True == 1, but they are written differently.
    signature = [(key, type(value), value) for key, value in global_attributes.items()]
    last, fragments = _globals_memo
    if last == signature:
        return fragments
    if any(type(key) is not str for key in global_attributes):
        return None
    fragments = {key: _fragment(key, value) for key, value in global_attributes.items()}
    _globals_memo = (signature, fragments)
    return fragments


def _plain_value(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return int.__repr__(value)
    if kind is float and math.isfinite(value):
        return _float_repr(value)
    if value is None:
        return "null"
    return compact_json(value)


def _span_text(span: Dict[str, Any], global_fragments: Dict[str, str]) -> Optional[str]:
    """The span's JSON as :func:`_wire_span` then ``json`` would write it; None when its
    shape is not the usual one (the caller then takes the generic path)."""
    attributes = span.get("attributes")
    if type(attributes) is not dict or not attributes:
        return None
    parts: List[str] = []
    for key, value in span.items():
        if type(key) is not str:
            return None
        if key != "attributes":
            parts.append(f"{encode_basestring(key)}:{_plain_value(value)}")
    fragments: List[str] = []
    add = fragments.append
    for key, text in global_fragments.items():  # a global the span overrides keeps its place
        if key in attributes:
            add(_cached_fragment(key, attributes[key]))
        else:
            add(text)
    for key, value in attributes.items():
        if type(key) is not str:
            return None
        if key not in global_fragments:
            add(_cached_fragment(key, value))
    parts.append(f'"attributes":{{{",".join(fragments)}}}')
    return f"{{{','.join(parts)}}}"


def encode_spans(spans: Sequence[Dict[str, Any]], global_attributes: Mapping[str, Any]) -> bytes:
    """The item's payload: the same bytes as encoding :func:`_wire_payload`'s result."""
    global_fragments = _global_fragments(global_attributes)
    if global_fragments is None:
        return compact_json(_wire_payload(spans, global_attributes)).encode("utf-8", "replace")
    texts: List[str] = []
    globals_json: Optional[Dict[str, Any]] = None
    for span in spans:
        text = _span_text(span, global_fragments)
        if text is None:
            if globals_json is None:
                globals_json = serialize_attributes(global_attributes)
            text = compact_json(_wire_span(span, globals_json))
        texts.append(text)
    # "replace": lone surrogates cannot be UTF-8 encoded (as in ``wire.dumps``).
    return f'{{"version":2,"items":[{",".join(texts)}]}}'.encode("utf-8", "replace")


class SpanBatchItem(Item):
    """A ``span`` item of finished spans (their ``_to_json`` dicts, after the hooks) and
    the global attributes each carries below its own."""

    __slots__ = ("_global_attributes", "_spans")

    def __init__(self, spans: List[Dict[str, Any]], global_attributes: Mapping[str, Any]) -> None:
        super().__init__(
            {},
            "span",
            headers={"item_count": len(spans), "content_type": SPAN_CONTENT_TYPE},
            finish=lambda _: _wire_payload(spans, global_attributes),
        )
        self._spans = spans
        self._global_attributes = global_attributes

    def _encode(self) -> bytes:
        # Nobody has read the payload as JSON (which finishes it): write it from the spans.
        if self._finish is not None and shortcuts.enabled:
            return encode_spans(self._spans, self._global_attributes)
        return super()._encode()
