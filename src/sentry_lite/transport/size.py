"""Keeping envelopes within the ingest's size limit, and saying so when we could not.

Before sending, an event or transaction item over :data:`MAX_EVENT_BYTES` is trimmed by
``sentry_lite.events.trim.trim_event`` (its docstring lists the order of cuts; each cut is
noted in ``_meta``). If the server still answers ``413``, the original is reported lost
(``send_error``) and a small *fallback event* is sent once in its place, so the project
shows that an event was too large and what it was.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Dict, Optional

from sentry_lite.consts import MAX_EVENT_BYTES
from sentry_lite.envelope import Envelope, Item
from sentry_lite.tracing.context import new_trace_id

logger = logging.getLogger("sentry_lite.errors")

__all__ = ["FALLBACK_MARK", "MAX_EVENT_BYTES", "fallback_envelope", "trim_oversized"]

FALLBACK_MARK = "sentry_lite.oversized_event"
"""Extra key on a fallback event; a fallback that is itself refused gets no fallback."""
SUMMARY_CHARS = 200
"""Length of the original title kept in the fallback message."""

_TRIMMABLE = ("event", "transaction")


def trim_oversized(envelope: Envelope, budget: int = MAX_EVENT_BYTES) -> Envelope:
    """Return ``envelope`` with every oversized event/transaction item trimmed to ``budget``."""
    changed = False
    items = []
    for item in envelope.items:
        if item.type in _TRIMMABLE and len(item.payload) > budget:
            trimmed = _trim_item(item, budget)
            if trimmed is not None:
                items.append(trimmed)
                changed = True
                continue
        items.append(item)
    return Envelope(envelope.headers, items) if changed else envelope


def _trim_item(item: Item, budget: int) -> Optional[Item]:
    try:
        from sentry_lite.events.trim import trim_event

        event = item.get_json()
        if not isinstance(event, dict):
            return None
        result = trim_event(event, budget)
        headers = {k: v for k, v in item.headers.items() if k not in ("length", "type")}
        return Item(result if isinstance(result, dict) else event, item.type, headers)
    except Exception:  # trimming is best effort; the 413 path remains
        logger.debug("sentry_lite: trimming an oversized event failed", exc_info=True)
        return None


def _title(event: Dict[str, Any]) -> str:
    exc = event.get("exception")
    values = exc.get("values") if isinstance(exc, dict) else None
    if isinstance(values, list) and values and isinstance(values[-1], dict):
        last = values[-1]
        return f"{last.get('type') or 'Error'}: {last.get('value') or ''}"
    logentry = event.get("logentry")
    if isinstance(logentry, dict) and logentry.get("message"):
        return str(logentry.get("formatted") or logentry["message"])
    if event.get("message"):
        return str(event["message"])
    return str(event.get("transaction") or event.get("type") or "event")


def fallback_envelope(envelope: Envelope, size: int) -> Optional[Envelope]:
    """A small event telling that ``envelope``'s event was refused as too large."""
    event: Optional[Dict[str, Any]] = None
    item_type = "event"
    for item in envelope.items:
        if item.type in _TRIMMABLE:
            try:
                data = item.get_json()
            except Exception:
                data = None
            event = data if isinstance(data, dict) else {}
            item_type = item.type
            break
    if event is None:
        return None
    extra = event.get("extra")
    if isinstance(extra, dict) and extra.get(FALLBACK_MARK):
        return None
    title = _title(event)[:SUMMARY_CHARS]
    fallback: Dict[str, Any] = {
        "event_id": new_trace_id(),
        "timestamp": time.time(),
        "platform": "python",
        "level": event.get("level") if item_type == "event" else "warning",
        "logger": "sentry_lite",
        "message": f"Event dropped by the server as too large ({size} bytes): {title}",
        "extra": {
            FALLBACK_MARK: True,
            "original_event_id": event.get("event_id"),
            "original_type": item_type,
            "original_size_bytes": size,
            "original_title": title,
        },
        "tags": {"sentry_lite.oversized": "true"},
    }
    for key in ("release", "environment", "dist", "server_name", "sdk", "user", "transaction"):
        value = event.get(key)
        if value is not None:
            fallback[key] = value
    out = Envelope({"event_id": fallback["event_id"]})
    out.add_event(fallback)
    return out
