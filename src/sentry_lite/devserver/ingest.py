"""Turning one ingest HTTP request into an :class:`Envelope`, or a precise refusal.

Everything an SDK may send is accepted: the envelope endpoint and the old ``/store/``
endpoint, gzip/deflate bodies (br and zstd when a module for them is importable),
chunked bodies, and the public key in the ``X-Sentry-Auth`` header, the query string or
the envelope header. Sizes are bounded before and after decompression so a hostile body
(or a zip bomb) costs at most :data:`MAX_BODY_BYTES` / :data:`MAX_DECODED_BYTES`.
"""

from __future__ import annotations

import io
import json
import re
import zlib
from typing import Any, Callable, Dict, List, Optional, Protocol, Tuple
from urllib.parse import parse_qs

from sentry_lite.envelope import Envelope, EnvelopeError

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_DECODED_BYTES",
    "IngestError",
    "Request",
    "decode_body",
    "parse_request",
    "read_body",
    "route_ingest",
    "supported_encodings",
]

MAX_BODY_BYTES = 20 * 1024 * 1024
"""Largest request body accepted on the wire (Relay's own envelope limit is in this range)."""
MAX_DRAIN_BYTES = 64 * 1024 * 1024
"""A refused body up to this size is read and dropped, so the client sees the 413
instead of a broken pipe; beyond it the connection is simply closed."""
MAX_DECODED_BYTES = 100 * 1024 * 1024
"""Largest body after decompression: stops zip bombs from exhausting memory."""
_READ_CHUNK = 64 * 1024
_MAX_CHUNK_LINE = 1024
_BROTLI_SLICE = 1024

_INGEST_PATH = re.compile(r"^/api/(?P<project>[^/]+)/(?P<kind>envelope|store)/?$")
_AUTH_FIELD = re.compile(r"(\w+)\s*=\s*([^,\s]*)")


class Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...
    def readline(self, size: int = ..., /) -> bytes: ...


class IngestError(Exception):
    """A request the receiver refuses; ``status`` is the HTTP answer to give."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class Request:
    """What one accepted ingest request carried."""

    __slots__ = ("envelope", "project", "public_key")

    def __init__(self, envelope: Envelope, project: Optional[str], public_key: Optional[str]):
        self.envelope = envelope
        self.project = project
        self.public_key = public_key


def route_ingest(path: str) -> Optional[Tuple[Optional[str], str]]:
    """``(project, kind)`` for an ingest path; kind is "envelope", "store" or "stream"."""
    if path.rstrip("/") == "/stream":
        return None, "stream"
    match = _INGEST_PATH.match(path)
    if match is None:
        return None
    return match.group("project"), match.group("kind")


# -- body reading -------------------------------------------------------------------


def read_body(rfile: Readable, headers: Any, limit: int = MAX_BODY_BYTES) -> bytes:
    """Read the request body (sized or chunked) without ever buffering more than ``limit``.

    A body over the limit but under :data:`MAX_DRAIN_BYTES` is read and thrown away
    before the 413 is raised, so the client gets to read the answer instead of a broken
    pipe; a larger one is left unread (the caller must close the connection).
    """
    encoding = (headers.get("Transfer-Encoding") or "").lower()
    if "chunked" in encoding:
        return _read_chunked(rfile, limit)
    raw_length = headers.get("Content-Length")
    if raw_length is None:
        raise IngestError(411, "Content-Length or chunked Transfer-Encoding is required")
    try:
        length = int(raw_length)
    except ValueError:
        raise IngestError(400, f"bad Content-Length {raw_length!r}") from None
    if length < 0:
        raise IngestError(400, "negative Content-Length")
    if length > limit:
        if length <= MAX_DRAIN_BYTES:
            _discard(rfile, length)
        raise IngestError(413, f"body of {length} bytes is over the {limit} byte limit")
    data = rfile.read(length) if length else b""
    if len(data) != length:
        raise IngestError(400, "body ended before Content-Length bytes")
    return data


def _discard(rfile: Readable, count: int) -> int:
    """Read and drop ``count`` bytes; returns how many were actually there."""
    left = count
    while left > 0:
        chunk = rfile.read(min(left, _READ_CHUNK))
        if not chunk:
            break
        left -= len(chunk)
    return count - left


def _read_chunked(rfile: Readable, limit: int) -> bytes:
    parts: List[bytes] = []
    total = 0
    while True:
        line = rfile.readline(_MAX_CHUNK_LINE)
        if not line.endswith(b"\n"):
            raise IngestError(400, "malformed chunk size line")
        size_text = line.split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise IngestError(400, "malformed chunk size") from None
        if size < 0:
            raise IngestError(400, "malformed chunk size")
        if size == 0:
            # Trailer headers end with an empty line.
            while True:
                trailer = rfile.readline(_MAX_CHUNK_LINE)
                if trailer in (b"\r\n", b"\n", b""):
                    break
            if total > limit:
                raise IngestError(413, f"chunked body is over the {limit} byte limit")
            return b"".join(parts)
        total += size
        if total > limit:
            # Keep reading (and dropping) up to the drain budget, then answer 413.
            if total > MAX_DRAIN_BYTES:
                raise IngestError(413, f"chunked body is over the {limit} byte limit")
            parts.clear()
            if _discard(rfile, size) != size:
                raise IngestError(400, "chunked body ended early")
        else:
            chunk = rfile.read(size)
            if len(chunk) != size:
                raise IngestError(400, "chunked body ended early")
            parts.append(chunk)
        if rfile.readline(_MAX_CHUNK_LINE) not in (b"\r\n", b"\n"):
            raise IngestError(400, "chunk not followed by CRLF")


# -- decompression ------------------------------------------------------------------


def _bounded_zlib(data: bytes, wbits: int, limit: int) -> bytes:
    decoder = zlib.decompressobj(wbits)
    out = decoder.decompress(data, limit + 1)
    if len(out) > limit or decoder.unconsumed_tail:
        raise IngestError(413, f"decompressed body is over the {limit} byte limit")
    out += decoder.flush()
    if len(out) > limit:
        raise IngestError(413, f"decompressed body is over the {limit} byte limit")
    if not decoder.eof:
        raise IngestError(400, "compressed body is truncated")
    return out


def _gunzip(data: bytes, limit: int) -> bytes:
    return _bounded_zlib(data, 16 + zlib.MAX_WBITS, limit)


def _inflate(data: bytes, limit: int) -> bytes:
    # HTTP "deflate" is meant to be zlib-wrapped, but some clients send raw deflate.
    try:
        return _bounded_zlib(data, zlib.MAX_WBITS, limit)
    except zlib.error:
        return _bounded_zlib(data, -zlib.MAX_WBITS, limit)


def _too_big(limit: int) -> IngestError:
    return IngestError(413, f"decompressed body is over the {limit} byte limit")


def _brotli_decoder() -> Optional[Callable[[bytes, int], bytes]]:
    try:
        import brotli  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return None

    def decode(data: bytes, limit: int) -> bytes:
        decoder = brotli.Decompressor()
        out = bytearray()
        try:  # brotli >= 1.2 can cap each step's output
            out += decoder.process(data, output_buffer_limit=limit + 1)
            while len(out) <= limit and not decoder.can_accept_more_data():
                out += decoder.process(b"", output_buffer_limit=limit + 1 - len(out))
        except TypeError:  # older brotli: no cap, so feed it small slices and stop early
            for start in range(0, len(data), _BROTLI_SLICE):
                out += decoder.process(data[start : start + _BROTLI_SLICE])
                if len(out) > limit:
                    break
        if len(out) > limit:
            raise _too_big(limit)
        if not decoder.is_finished():
            raise IngestError(400, "compressed body is truncated")
        return bytes(out)

    return decode


def _zstd_decoder() -> Optional[Callable[[bytes, int], bytes]]:
    try:  # Python 3.14+
        from compression import zstd  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        pass
    else:

        def decode_stdlib(data: bytes, limit: int) -> bytes:
            decoder = zstd.ZstdDecompressor()
            out: bytes = decoder.decompress(data, max_length=limit + 1)
            if len(out) > limit:
                raise _too_big(limit)
            if not decoder.eof:
                raise IngestError(400, "compressed body is truncated")
            return out

        return decode_stdlib
    try:
        import zstandard  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return None

    def decode_zstandard(data: bytes, limit: int) -> bytes:
        reader = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data))
        out: bytes = reader.read(limit + 1)
        if len(out) > limit:
            raise _too_big(limit)
        return out

    return decode_zstandard


def _optional_decoders() -> Dict[str, Callable[[bytes, int], bytes]]:
    decoders: Dict[str, Callable[[bytes, int], bytes]] = {}
    for name, decoder in (("br", _brotli_decoder()), ("zstd", _zstd_decoder())):
        if decoder is not None:
            decoders[name] = decoder
    return decoders


_DECODERS: Dict[str, Callable[[bytes, int], bytes]] = {
    "gzip": _gunzip,
    "x-gzip": _gunzip,
    "deflate": _inflate,
    **_optional_decoders(),
}


def supported_encodings() -> Tuple[str, ...]:
    return ("identity", *sorted(_DECODERS))


def decode_body(
    data: bytes, content_encoding: Optional[str], limit: int = MAX_DECODED_BYTES
) -> bytes:
    """Undo ``Content-Encoding`` (possibly a list, applied in order)."""
    codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
    for coding in reversed(codings):
        if coding == "identity":
            continue
        decoder = _DECODERS.get(coding)
        if decoder is None:
            raise IngestError(415, f"unsupported Content-Encoding {coding!r}")
        try:
            data = decoder(data, limit)
        except IngestError:
            raise
        except Exception as exc:
            raise IngestError(400, f"cannot decode {coding} body: {exc}") from None
    return data


# -- auth and parsing ---------------------------------------------------------------


def _key_from_auth(value: Optional[str]) -> Optional[str]:
    if not value:
        return None
    text = value.strip()
    if text.lower().startswith("sentry "):
        text = text[7:]
    for name, field in _AUTH_FIELD.findall(text):
        if name == "sentry_key" and field:
            return str(field)
    return None


def _key_from_dsn(dsn: Any) -> Optional[str]:
    if not isinstance(dsn, str) or "@" not in dsn or "//" not in dsn:
        return None
    userinfo = dsn.split("//", 1)[1].split("@", 1)[0]
    return userinfo.split(":", 1)[0] or None


def parse_request(path: str, query: str, headers: Any, body: bytes) -> Request:
    """Decode and parse one ingest request; raises :class:`IngestError` on any problem."""
    route = route_ingest(path)
    if route is None:
        raise IngestError(404, f"no ingest endpoint at {path}")
    project, kind = route
    data = decode_body(body, headers.get("Content-Encoding"))
    if kind == "store":
        envelope = _store_to_envelope(data)
    else:
        try:
            envelope = Envelope.parse(data)
        except EnvelopeError as exc:
            raise IngestError(400, f"malformed envelope: {exc}") from None
        except Exception as exc:
            raise IngestError(400, f"malformed envelope: {exc!r}") from None
        _check_payloads(envelope)
    params = parse_qs(query)
    key = (
        _key_from_auth(headers.get("X-Sentry-Auth"))
        or _key_from_auth(headers.get("Authorization"))
        or next(iter(params.get("sentry_key") or []), None)
        or _key_from_dsn(envelope.headers.get("dsn"))
    )
    return Request(envelope, project, key)


def _store_to_envelope(data: bytes) -> Envelope:
    try:
        event = json.loads(data, parse_constant=str)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise IngestError(400, f"store body is not JSON: {exc}") from None
    if not isinstance(event, dict):
        raise IngestError(400, "store body must be a JSON object")
    envelope = Envelope({"event_id": event.get("event_id")})
    if event.get("type") == "transaction":
        envelope.add_transaction(event)
    else:
        envelope.add_event(event)
    return envelope


_JSON_ITEMS = frozenset(
    {"event", "transaction", "log", "session", "sessions", "client_report", "check_in", "span"}
)


def _check_payloads(envelope: Envelope) -> None:
    """Items the viewer reads as JSON must be JSON objects, or the envelope is refused."""
    for item in envelope.items:
        if item.type not in _JSON_ITEMS:
            continue
        try:
            # NaN/Infinity become strings so everything stored is strict JSON.
            value = json.loads(item.payload, parse_constant=str)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise IngestError(400, f"{item.type} item is not valid JSON: {exc}") from None
        if not isinstance(value, dict):
            raise IngestError(400, f"{item.type} item must be a JSON object")
        item.json = value
