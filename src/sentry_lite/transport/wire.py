"""The envelope wire format: framing, lazy JSON payloads, parsing, data categories.

Format (https://develop.sentry.dev/sdk/data-model/envelopes/): a JSON header line, then
items, each a JSON header line followed by its payload. Payloads carry an explicit
``length`` so binary data and embedded newlines are safe.

Why here and not in ``sentry_lite.envelope``: the transport builds envelopes of its own
(client reports, envelopes stripped of rate-limited items) and reads them back from the
outbox, and it may only depend on layers below it. What an *event* item means (trimming
an oversized one, the stand-in for one the ingest refused) is added by the subclasses in
``sentry_lite.envelope``; the hooks for it here do nothing.
"""

from __future__ import annotations

import json
import os
import threading
from typing import (
    Any,
    Callable,
    ClassVar,
    Dict,
    Iterator,
    List,
    Optional,
    Sequence,
    Type,
    TypeVar,
    Union,
)

from sentry_lite.sdk_loggers import internal_logger as logger

__all__ = [
    "Envelope",
    "EnvelopeError",
    "Item",
    "data_category",
    "dumps",
    "envelope_class",
    "parse",
    "set_envelope_class",
]

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


_finishing = threading.RLock()
"""Held while an item's payload is finished: a reader on another thread waits for it
rather than finish it a second time. Reentrant, in case finishing reads an item."""


def _IN_PROGRESS(payload: Any) -> Any:  # noqa: N802 - a marker, never called
    """An item's ``finish`` while it runs: a read from inside finishing gets the payload
    as it is; other threads wait on ``_finishing``."""
    return payload


def _new_finishing_lock() -> None:
    """In a forked child: a sending thread that held the lock did not come along."""
    global _finishing
    _finishing = threading.RLock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_new_finishing_lock)


def data_category(item_type: str) -> str:
    return _CATEGORIES.get(item_type, "default")


class EnvelopeError(ValueError):
    """Raised by :meth:`Envelope.parse` on bytes that are not a valid envelope."""


compact_json = json.JSONEncoder(separators=(",", ":"), allow_nan=False, ensure_ascii=False).encode
"""JSON text as envelopes carry it: compact, and no NaN/Infinity (Relay rejects them).
One shared encoder: ``json.dumps`` with options builds a new one per call (~1.5 µs),
which a batch of a thousand logs would pay a thousand times."""


def dumps(obj: Any) -> bytes:
    # Lone surrogates cannot be UTF-8 encoded; the serializer removes them, "replace" is
    # the last line of defence so an envelope is always produced.
    return compact_json(obj).encode("utf-8", "replace")


class Item:
    """One envelope item. The payload is kept as JSON data or raw bytes, encoded lazily.

    Lazily, because encoding is the expensive part of sending and must happen on the
    sending thread, not on the app thread that built the item. For the same reason a
    JSON payload may come with ``finish``: the last steps that complete it, run once when
    the payload is first read (on the sending thread, unless someone reads it sooner).
    """

    __slots__ = ("_bytes", "_finish", "_json", "headers")

    def __init__(
        self,
        payload: Union[bytes, bytearray, str, Dict[str, Any], List[Any]],
        type: str,  # noqa: A002 - mirrors the protocol field name
        headers: Optional[Dict[str, Any]] = None,
        finish: Optional[Callable[[Any], Any]] = None,
    ) -> None:
        self.headers: Dict[str, Any] = dict(headers) if headers else {}
        self.headers["type"] = type
        self._finish = finish
        if isinstance(payload, (dict, list)):  # the usual case first: events, reports
            self._bytes: Optional[bytes] = None
            self._json: Optional[Any] = payload
        elif isinstance(payload, str):  # text is sent as UTF-8, as sentry_sdk does
            self._bytes = payload.encode("utf-8")
            self._json = None
        elif isinstance(payload, (bytes, bytearray)):
            self._bytes = bytes(payload)
            self._json = None
        else:
            self._bytes = None
            self._json = payload

    @property
    def json(self) -> Any:
        """The JSON payload, finished first if it still waits for that."""
        if self._finish is not None:
            self._run_finish()
        return self._json

    @json.setter
    def json(self, value: Any) -> None:
        self._finish = None
        self._json = value

    def _run_finish(self) -> None:
        with _finishing:
            finish = self._finish
            if finish is None or finish is _IN_PROGRESS:
                return  # finished while this thread waited, or a read from inside finish
            self._finish = _IN_PROGRESS
            try:
                self._json = finish(self._json)
            except Exception:  # an unfinished payload is still sent, never lost
                logger.warning("sentry_lite: could not finish an item", exc_info=True)
            finally:
                # Only now: a reader on another thread that sees ``_finish`` unset must
                # find the payload finished (finishing may scrub it), not half-way.
                self._finish = None

    @property
    def type(self) -> str:
        return str(self.headers.get("type"))

    @property
    def data_category(self) -> str:
        return data_category(self.type)

    @property
    def payload(self) -> bytes:
        if self._bytes is None:
            self._bytes = self._encode()
        return self._bytes

    def _encode(self) -> bytes:
        """The payload's bytes, computed once on first use; subclasses may reshape it."""
        return dumps(self.json)

    def get_bytes(self) -> bytes:
        return self.payload

    def get_json(self) -> Any:
        """The payload as JSON data (parsed on demand for items read from bytes)."""
        self.unfinished_json()
        return self.json

    def unfinished_json(self) -> Any:
        """The payload as it stands, its ``finish`` not run: enough to count what it
        holds (finishing adds defaults, never spans). Why: an item dropped on the app
        thread (a full queue) is counted there, and must not be finished there."""
        if self._json is None and self._bytes is not None:
            self._json = json.loads(self._bytes)
        return self._json

    def header_line(self, length: int) -> bytes:
        """The item's header as JSON, ``length`` included (written by hand when plain)."""
        headers = self.headers
        if len(headers) == 1:
            kind = headers.get("type")
            if type(kind) is str and kind.isidentifier() and kind.isascii():
                return b'{"type":"%s","length":%d}' % (kind.encode("ascii"), length)
        full = dict(headers)
        full["length"] = length
        return dumps(full)

    def serialize_into(self, f: Any) -> None:
        """Write the item (header line, payload, newline) to a binary file-like ``f``."""
        payload = self.payload
        f.write(self.header_line(len(payload)))
        f.write(b"\n")
        f.write(payload)
        f.write(b"\n")

    write_to = serialize_into

    def serialize(self) -> bytes:
        payload = self.payload
        return b"%s\n%s\n" % (self.header_line(len(payload)), payload)

    def __repr__(self) -> str:
        return f"<Item type={self.type!r}>"


E = TypeVar("E", bound="Envelope")


class Envelope:
    """An envelope header plus an ordered list of items."""

    __slots__ = ("headers", "items")

    item_class: ClassVar[Type[Item]] = Item
    """What :meth:`parse` builds items as."""

    def __init__(
        self, headers: Optional[Dict[str, Any]] = None, items: Optional[Sequence[Item]] = None
    ) -> None:
        self.headers: Dict[str, Any] = dict(headers or {})
        self.items: List[Item] = list(items or [])

    def add_item(self, item: Item) -> None:
        self.items.append(item)

    def with_items(self: E, items: Sequence[Item]) -> E:
        """The same kind of envelope and headers with other items (stripped, extended)."""
        return type(self)(self.headers, items)

    def __iter__(self) -> Iterator[Item]:
        return iter(self.items)

    def serialize(self) -> bytes:
        parts = [dumps(self.headers)]
        for item in self.items:
            payload = item.payload
            parts.append(item.header_line(len(payload)))
            parts.append(payload)
        parts.append(b"")
        return b"\n".join(parts)

    def serialize_into(self, f: Any) -> None:
        """Write the serialized envelope to a binary file-like ``f``."""
        f.write(self.serialize())

    # -- what the transport asks of an envelope the ingest refused as too large ------
    def shrunk(self, budget: int) -> Optional[Envelope]:
        """A copy whose items fit ``budget`` bytes each, or None if nothing can shrink."""
        return None

    def too_large_fallback(self, size: int) -> Optional[Envelope]:
        """A small envelope to send in place of this one, refused at ``size`` bytes."""
        return None

    @classmethod
    def parse(cls: Type[E], data: Union[bytes, bytearray, memoryview]) -> E:
        """Parse envelope bytes; raises :class:`EnvelopeError` on anything malformed."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise EnvelopeError("envelope must be bytes")
        buf = bytes(data)
        end = len(buf)
        pos = 0

        def read_line() -> Optional[bytes]:
            nonlocal pos
            if pos >= end:
                return None
            stop = buf.find(b"\n", pos)
            if stop == -1:
                stop = end
            line = buf[pos:stop]
            pos = stop + 1
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
        make_item = cls.item_class
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
                if pos + length > end:
                    raise EnvelopeError("item length runs past the end of the envelope")
                payload = buf[pos : pos + length]
                pos += length
                if pos < end and buf[pos : pos + 1] == b"\n":
                    pos += 1
            else:
                payload = read_line() or b""
            envelope.items.append(make_item(payload, item_type, headers))
        return envelope

    def __repr__(self) -> str:
        return f"<Envelope headers={self.headers!r} items={self.items!r}>"


_envelope_class: Type[Envelope] = Envelope


def set_envelope_class(cls: Type[Envelope]) -> None:
    """Read envelopes back (from the outbox) as ``cls``.

    Why: an envelope read from disk, perhaps written by an earlier process, needs the
    same event semantics as one handed over by the client (a refused oversized event gets
    a stand-in), and the layer that defines them sits above the transport: it registers
    its class here when it is imported.
    """
    global _envelope_class
    _envelope_class = cls


def envelope_class() -> Type[Envelope]:
    """The class envelopes are read back as (see :func:`set_envelope_class`)."""
    return _envelope_class


def parse(data: Union[bytes, bytearray, memoryview]) -> Envelope:
    """Parse with the registered envelope class (see :func:`set_envelope_class`)."""
    return _envelope_class.parse(data)
