"""``stream_gen_ai_spans`` (default on, as sentry_sdk 2.75): the ``gen_ai.*`` spans of a
transaction leave it and travel beside it as a ``span`` item in the streamed (v2) format,
so AI agent spans reach Sentry's AI views without span streaming switched on.

Each span's attributes are its data and tags plus what the transaction knows (release,
environment, server, segment name and id, SDK, user), as sentry_sdk converts them.
"""

from __future__ import annotations

import calendar
import json
import sys
import time
from typing import Any, Dict, List, Optional, Tuple

from sentry_lite.tracing.attributes import serialize_attribute

__all__ = ["GEN_AI_OP_PREFIX", "split_gen_ai_spans", "v2_span"]

GEN_AI_OP_PREFIX = "gen_ai."
"""Spans whose op starts with this are AI spans (sentry_sdk's rule)."""


_IMPLEMENTATIONS = {"cpython": "CPython", "pypy": "PyPy", "ironpython": "IronPython"}
"""``platform.python_implementation()``'s spelling, without importing ``platform``."""


def split_gen_ai_spans(event: Dict[str, Any]) -> Optional[List[Dict[str, Any]]]:
    """Take the gen_ai spans out of a transaction ``event`` (in place) and return them in
    the streamed format; None (event untouched) when it has none."""
    spans = event.get("spans")
    if not isinstance(spans, list) or not has_gen_ai_span(spans):
        return None
    kept: List[Any] = []
    taken: List[Dict[str, Any]] = []
    for span in spans:
        op = span.get("op") if isinstance(span, dict) else None
        if isinstance(op, str) and op.startswith(GEN_AI_OP_PREFIX):
            taken.append(span)
        else:
            kept.append(span)
    if not taken:
        return None
    event["spans"] = kept
    return [v2_span(span, event) for span in taken]


def has_gen_ai_span(spans: List[Any]) -> bool:
    """The check every transaction pays (AI or not): one pass, no lists built."""
    prefix = GEN_AI_OP_PREFIX
    width = len(prefix)
    for span in spans:
        if type(span) is dict:
            op = span.get("op")
            if type(op) is str and op[:width] == prefix:
                return True
    return False


def _seconds(value: Any) -> Optional[float]:
    """Unix seconds of a span timestamp (float, or RFC 3339 ``...T..:..:..[.ffffff]Z``)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and len(value) >= 19:
        try:
            whole = calendar.timegm(time.strptime(value[:19], "%Y-%m-%dT%H:%M:%S"))
            fraction = value[19:].rstrip("Z")
            return whole + (float("0" + fraction) if fraction.startswith(".") else 0.0)
        except ValueError:
            return None
    return None


def _segment_attributes(event: Dict[str, Any]) -> List[Tuple[str, Any]]:
    out: List[Tuple[str, Any]] = []
    user = event.get("user")
    if isinstance(user, dict):
        for key, name in (("id", "user.id"), ("username", "user.name"), ("email", "user.email")):
            if key in user:
                out.append((name, user[key]))
    for key, name in (
        ("release", "sentry.release"),
        ("environment", "sentry.environment"),
        ("server_name", "server.address"),
        ("transaction", "sentry.segment.name"),
    ):
        if key in event:
            out.append((name, event[key]))
    trace = (event.get("contexts") or {}).get("trace") or {}
    if "span_id" in trace:
        out.append(("sentry.segment.id", trace["span_id"]))
    sdk = event.get("sdk")
    if isinstance(sdk, dict):
        for key in ("name", "version"):
            if key in sdk:
                out.append(("sentry.sdk." + key, sdk[key]))
    name = sys.implementation.name
    out.append(("process.runtime.name", _IMPLEMENTATIONS.get(name, name)))
    out.append(("process.runtime.version", "%d.%d.%d" % sys.version_info[:3]))  # noqa: UP031
    return out


def v2_span(span: Dict[str, Any], event: Dict[str, Any]) -> Dict[str, Any]:
    """One transaction span (``to_json`` shape) as a streamed span item."""
    status = span.get("status")
    out: Dict[str, Any] = {"status": "ok" if status in (None, "ok") else "error"}
    out["is_segment"] = False
    for key in ("trace_id", "span_id"):
        if key in span:
            out[key] = span[key]
    if "description" in span:
        out["name"] = span["description"] if span["description"] is not None else span.get("op")
    for key, name in (("start_timestamp", "start_timestamp"), ("timestamp", "end_timestamp")):
        seconds = _seconds(span.get(key))
        if seconds is not None:
            out[name] = seconds
    if "parent_span_id" in span:
        out["parent_span_id"] = span["parent_span_id"]
    attributes: Dict[str, Any] = {}
    if "op" in span:
        attributes["sentry.op"] = span["op"]
    if "origin" in span:
        attributes["sentry.origin"] = span["origin"]
    for key in ("data", "tags"):
        values = span.get(key)
        if isinstance(values, dict):
            attributes.update(values)
    attributes.update(_segment_attributes(event))
    attributes.pop("status", None)  # the status field carries it
    out["attributes"] = {
        key: _attribute(value) for key, value in attributes.items() if value is not None
    }
    return out


def _attribute(value: Any) -> Dict[str, Any]:
    """As sentry_sdk: containers that are no homogeneous list become JSON text."""
    if isinstance(value, (dict, list, tuple)) and not (
        isinstance(value, list) and serialize_attribute(value)["type"] == "array"
    ):
        try:
            return {"value": json.dumps(value, default=str), "type": "string"}
        except (TypeError, ValueError):
            pass
    return serialize_attribute(value)
