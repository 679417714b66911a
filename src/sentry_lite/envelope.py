"""Sentry envelopes as the SDK builds them: the wire format plus what events mean.

The framing (headers, items, lazy JSON payloads, parsing, data categories) lives in
``sentry_lite.transport.wire``, so the transport can build and read envelopes without
depending on this layer. The subclasses here add the event semantics that sentry_sdk's
``Envelope``/``Item`` have (``add_event``, ``get_event``, ...) and two duties of ours:

* an event or transaction item over :data:`MAX_EVENT_BYTES` is trimmed when its payload
  is encoded, which happens lazily on the sending thread (``sentry_lite.events.trim``
  lists the order of cuts; each is noted in ``_meta``);
* when the ingest still refuses an envelope as too large (413), the transport asks it for
  a smaller copy and, failing that, for a small *fallback event* that says an event was
  dropped and what it was.
"""

from __future__ import annotations

import time
from typing import Any, Dict, List, Optional

from sentry_lite.limits import FALLBACK_TITLE_CHARS, MAX_EVENT_BYTES
from sentry_lite.sdk_loggers import internal_logger as logger
from sentry_lite.transport import wire
from sentry_lite.transport.wire import EnvelopeError, data_category

__all__ = ["FALLBACK_MARK", "Envelope", "EnvelopeError", "Item", "data_category"]

FALLBACK_MARK = "sentry_lite.oversized_event"
"""Extra key on a fallback event; a fallback that is itself refused gets no fallback."""

_TRIMMABLE = ("event", "transaction")


class Item(wire.Item):
    """An envelope item; ``Item(payload=..., type=...)`` as in sentry_sdk."""

    __slots__ = ()

    def _encode(self) -> bytes:
        data = wire.dumps(self.json)
        if len(data) > MAX_EVENT_BYTES and self.headers.get("type") in _TRIMMABLE:
            trimmed = self._trimmed(MAX_EVENT_BYTES)
            if trimmed is not None:
                data = trimmed
        return data

    def _trimmed(self, budget: int) -> Optional[bytes]:
        """Cut the event to ``budget`` bytes (in place); its new encoding, None on failure."""
        try:
            from sentry_lite.events.trim import trim_event

            event = self.get_json()
            if not isinstance(event, dict):
                return None
            result = trim_event(event, budget)
            data = wire.dumps(result)
            self.json = result
            return data
        except Exception:  # trimming is best effort; the 413 path remains
            logger.debug("sentry_lite: trimming an oversized event failed", exc_info=True)
            return None

    def get_event(self) -> Optional[Dict[str, Any]]:
        """The event or transaction payload (sentry_lite has always returned both here)."""
        if self.type in _TRIMMABLE:
            data = self.get_json()
            return data if isinstance(data, dict) else None
        return None

    def get_transaction_event(self) -> Optional[Dict[str, Any]]:
        return self.get_event() if self.type == "transaction" else None


class Envelope(wire.Envelope):
    """An envelope header plus an ordered list of items, as sentry_sdk's ``Envelope``."""

    __slots__ = ()

    item_class = Item
    items: List[Item]  # type: ignore[assignment]  # what parse() and add_*() put there

    def add_event(self, event: Dict[str, Any]) -> None:
        self.add_item(Item(event, "event"))

    def add_transaction(self, transaction: Dict[str, Any]) -> None:
        self.add_item(Item(transaction, "transaction"))

    def get_event(self) -> Optional[Dict[str, Any]]:
        for item in self.items:
            if item.type == "event":
                event = item.get_json()
                if isinstance(event, dict):
                    return event
        return None

    def get_transaction_event(self) -> Optional[Dict[str, Any]]:
        for item in self.items:
            if item.type == "transaction":
                event = item.get_json()
                return event if isinstance(event, dict) else None
        return None

    @classmethod
    def deserialize(cls, data: bytes) -> Envelope:
        """sentry_sdk's name for :meth:`parse`."""
        return cls.parse(data)

    @property
    def description(self) -> str:
        categories = ", ".join(item.data_category for item in self.items)
        return f"envelope with {len(self.items)} items ({categories})"

    # -- the ingest refused this envelope as too large (see wire.Envelope) -------------
    def shrunk(self, budget: int) -> Optional[Envelope]:
        items: List[wire.Item] = []
        changed = False
        for item in self.items:
            if item.type in _TRIMMABLE and len(item.payload) > budget:
                smaller = _trimmed_copy(item, budget)
                if smaller is not None:
                    items.append(smaller)
                    changed = True
                    continue
            items.append(item)
        return self.with_items(items) if changed else None

    def too_large_fallback(self, size: int) -> Optional[Envelope]:
        event: Optional[Dict[str, Any]] = None
        item_type = "event"
        for item in self.items:
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
        return _fallback(event, item_type, size)


def _trimmed_copy(item: wire.Item, budget: int) -> Optional[Item]:
    headers = {k: v for k, v in item.headers.items() if k not in ("length", "type")}
    copy = Item(item.get_json(), item.type, headers)
    data = copy._trimmed(budget)
    if data is None:
        return None
    copy._bytes = data
    return copy


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


def _fallback(event: Dict[str, Any], item_type: str, size: int) -> Envelope:
    """A small event telling that ``event`` was refused as too large, and what it was."""
    from sentry_lite.tracing.context import new_trace_id

    title = _title(event)[:FALLBACK_TITLE_CHARS]
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


wire.set_envelope_class(Envelope)  # envelopes read back from the outbox are ours too
