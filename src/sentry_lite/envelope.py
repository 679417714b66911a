"""Sentry envelopes: the unit the transport sends and the receiver parses.

Format (https://develop.sentry.dev/sdk/data-model/envelopes/): a JSON header line,
then items, each a JSON header line followed by its payload. Payloads carry an
explicit ``length`` so binary data and embedded newlines are safe.
"""

from __future__ import annotations

import io
import json
from typing import Any, Dict, Iterator, List, Optional, Union

__all__ = ["Envelope", "EnvelopeError", "Item", "data_category"]

# Maps item types to the rate-limit / client-report data categories
# (https://develop.sentry.dev/sdk/expected-features/rate-limiting/#definitions).
_CATEGORIES: Dict[str, str] = {
    "event": "error",
    "transaction": "transaction",
    "span": "span",
    "attachment": "attachment",
    "session": "session",
    "sessions": "session",
    "client_report": "internal",
    "profile": "profile",
    "profile_chunk": "profile_chunk",
    "statsd": "metric_bucket",
    "check_in": "monitor",
    "log": "log_item",
    "feedback": "feedback",
    "replay_event": "replay",
    "replay_recording": "replay",
    "trace_metric": "trace_metric",
}


def data_category(item_type: str) -> str:
    return _CATEGORIES.get(item_type, "default")


class EnvelopeError(ValueError):
    """Raised by :meth:`Envelope.parse` on bytes that are not a valid envelope."""


def _dumps(obj: Any) -> bytes:
    # allow_nan=False: Relay rejects NaN/Infinity, so refuse to produce them.
    # Lone surrogates cannot be UTF-8 encoded; the serializer removes them, "replace" is
    # the last line of defence so an envelope is always produced.
    text = json.dumps(obj, separators=(",", ":"), allow_nan=False, ensure_ascii=False)
    return text.encode("utf-8", "replace")


class Item:
    """One envelope item. The payload is kept as JSON data or raw bytes, encoded lazily."""

    __slots__ = ("_bytes", "headers", "json")

    def __init__(
        self,
        payload: Union[bytes, Dict[str, Any], List[Any]],
        type: str,  # noqa: A002 - mirrors the protocol field name
        headers: Optional[Dict[str, Any]] = None,
    ) -> None:
        self.headers: Dict[str, Any] = dict(headers or {})
        self.headers["type"] = type
        if isinstance(payload, (bytes, bytearray)):
            self._bytes: Optional[bytes] = bytes(payload)
            self.json: Optional[Any] = None
        else:
            self._bytes = None
            self.json = payload

    @property
    def type(self) -> str:
        return str(self.headers.get("type"))

    @property
    def data_category(self) -> str:
        return data_category(self.type)

    @property
    def payload(self) -> bytes:
        if self._bytes is None:
            self._bytes = _dumps(self.json)
        return self._bytes

    def get_json(self) -> Any:
        """The payload as JSON data (parsed on demand for items read from bytes)."""
        if self.json is None and self._bytes is not None:
            self.json = json.loads(self._bytes)
        return self.json

    def get_event(self) -> Optional[Dict[str, Any]]:
        if self.type in ("event", "transaction"):
            data = self.get_json()
            return data if isinstance(data, dict) else None
        return None

    def header_line(self, length: int) -> bytes:
        """The item's header as JSON, ``length`` included (written by hand when plain)."""
        headers = self.headers
        if len(headers) == 1:
            kind = headers.get("type")
            if type(kind) is str and kind.isidentifier() and kind.isascii():
                return b'{"type":"%s","length":%d}' % (kind.encode("ascii"), length)
        full = dict(headers)
        full["length"] = length
        return _dumps(full)

    def write_to(self, out: io.BytesIO) -> None:
        payload = self.payload
        out.write(self.header_line(len(payload)))
        out.write(b"\n")
        out.write(payload)
        out.write(b"\n")

    def __repr__(self) -> str:
        return f"<Item type={self.type!r}>"


class Envelope:
    """An envelope header plus an ordered list of items."""

    __slots__ = ("headers", "items")

    def __init__(
        self, headers: Optional[Dict[str, Any]] = None, items: Optional[List[Item]] = None
    ) -> None:
        self.headers: Dict[str, Any] = dict(headers or {})
        self.items: List[Item] = list(items or [])

    def add_item(self, item: Item) -> None:
        self.items.append(item)

    def add_event(self, event: Dict[str, Any]) -> None:
        self.add_item(Item(event, "event"))

    def add_transaction(self, event: Dict[str, Any]) -> None:
        self.add_item(Item(event, "transaction"))

    def get_event(self) -> Optional[Dict[str, Any]]:
        for item in self.items:
            event = item.get_event()
            if event is not None and item.type == "event":
                return event
        return None

    def get_transaction_event(self) -> Optional[Dict[str, Any]]:
        for item in self.items:
            if item.type == "transaction":
                return item.get_event()
        return None

    def __iter__(self) -> Iterator[Item]:
        return iter(self.items)

    def serialize(self) -> bytes:
        parts = [_dumps(self.headers)]
        for item in self.items:
            payload = item.payload
            parts.append(item.header_line(len(payload)))
            parts.append(payload)
        parts.append(b"")
        return b"\n".join(parts)

    @classmethod
    def parse(cls, data: bytes) -> Envelope:
        """Parse envelope bytes; raises :class:`EnvelopeError` on anything malformed."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise EnvelopeError("envelope must be bytes")
        buf = bytes(data)
        pos = 0

        def read_line() -> Optional[bytes]:
            nonlocal pos
            if pos >= len(buf):
                return None
            end = buf.find(b"\n", pos)
            if end == -1:
                end = len(buf)
            line = buf[pos:end]
            pos = end + 1
            return line

        def load(line: bytes, what: str) -> Dict[str, Any]:
            try:
                value = json.loads(line)
            except (ValueError, UnicodeDecodeError) as exc:
                raise EnvelopeError(f"{what} is not valid JSON: {exc}") from None
            if not isinstance(value, dict):
                raise EnvelopeError(f"{what} must be a JSON object")
            return value

        first = read_line()
        if first is None or not first.strip():
            raise EnvelopeError("empty envelope")
        envelope = cls(load(first, "envelope header"))
        while True:
            line = read_line()
            if line is None:
                break
            if not line.strip():
                continue
            headers = load(line, "item header")
            item_type = headers.get("type")
            if not isinstance(item_type, str):
                raise EnvelopeError("item header has no type")
            length = headers.get("length")
            if length is not None:
                if not isinstance(length, int) or isinstance(length, bool) or length < 0:
                    raise EnvelopeError("item length must be a non-negative integer")
                if pos + length > len(buf):
                    raise EnvelopeError("item length runs past the end of the envelope")
                payload = buf[pos : pos + length]
                pos += length
                if pos < len(buf) and buf[pos : pos + 1] == b"\n":
                    pos += 1
            else:
                payload = read_line() or b""
            envelope.items.append(Item(payload, item_type, headers))
        return envelope

    def __repr__(self) -> str:
        return f"<Envelope headers={self.headers!r} items={self.items!r}>"
