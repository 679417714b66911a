"""Reading one request body off the socket and undoing its ``Content-Encoding``, with
the cost bounded at every step.

The body is read in chunks (sized or chunked transfer) and, for gzip and deflate, fed
to the decompressor as it arrives: neither the body as sent nor the decompressed body
is ever held beyond ``limit`` bytes, so a 100 KB zip bomb costs a few milliseconds and
``limit`` bytes of memory before it is answered with 413. br and zstd (when a module
for them is importable) are decoded from the bounded wire body, with the output capped.
"""

from __future__ import annotations

import io
import zlib
from typing import Any, Callable, Dict, Iterator, List, Optional, Protocol, Tuple

from sentry_lite.devserver.limits import (
    MAX_BODY_BYTES,
    MAX_CHUNK_LINE,
    MAX_DRAIN_BYTES,
    READ_CHUNK_BYTES,
)

__all__ = ["IngestError", "decode_body", "read_body", "supported_encodings"]

_BROTLI_SLICE = 1024


class Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...
    def readline(self, size: int = ..., /) -> bytes: ...


class IngestError(Exception):
    """A request the receiver refuses; ``status`` is the HTTP answer to give."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _too_big(limit: int, what: str = "decompressed body") -> IngestError:
    return IngestError(413, f"{what} is over the {limit} byte limit")


# -- the body as sent -------------------------------------------------------------------


def _sized_chunks(rfile: Readable, length: int) -> Iterator[bytes]:
    left = length
    while left > 0:
        chunk = rfile.read(min(left, READ_CHUNK_BYTES))
        if not chunk:
            raise IngestError(400, "body ended before Content-Length bytes")
        left -= len(chunk)
        yield chunk


def _chunked_chunks(rfile: Readable) -> Iterator[bytes]:
    while True:
        line = rfile.readline(MAX_CHUNK_LINE)
        if not line.endswith(b"\n"):
            raise IngestError(400, "malformed chunk size line")
        try:
            size = int(line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise IngestError(400, "malformed chunk size") from None
        if size < 0:
            raise IngestError(400, "malformed chunk size")
        if size == 0:
            while rfile.readline(MAX_CHUNK_LINE) not in (b"\r\n", b"\n", b""):
                pass  # trailer headers end with an empty line
            return
        yield from _sized_chunks(rfile, size)
        if rfile.readline(MAX_CHUNK_LINE) not in (b"\r\n", b"\n"):
            raise IngestError(400, "chunk not followed by CRLF")


def wire_chunks(rfile: Readable, headers: Any, limit: int = MAX_BODY_BYTES) -> Iterator[bytes]:
    """The body as sent, chunk by chunk; raises 413 once more than ``limit`` bytes came.

    A body over the limit but under :data:`MAX_DRAIN_BYTES` is read and thrown away
    before the 413 is raised, so the client gets to read the answer instead of a broken
    pipe; a larger one is left unread (the caller must close the connection).
    """
    if "chunked" in (headers.get("Transfer-Encoding") or "").lower():
        source = _chunked_chunks(rfile)
    else:
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
                drain(_sized_chunks(rfile, length))
            raise _too_big(limit, f"body of {length} bytes")
        source = _sized_chunks(rfile, length)
    total = 0
    for chunk in source:
        total += len(chunk)
        if total > limit:
            drain(source, MAX_DRAIN_BYTES - total)
            raise _too_big(limit, "body")
        yield chunk


def drain(chunks: Iterator[bytes], budget: int = MAX_DRAIN_BYTES) -> None:
    """Read and drop what is left of a body, up to ``budget`` bytes."""
    try:
        for chunk in chunks:
            budget -= len(chunk)
            if budget <= 0:
                return
    except IngestError:
        return


def read_body(rfile: Readable, headers: Any, limit: int = MAX_BODY_BYTES) -> bytes:
    """The body, decoded, holding at most ``limit`` bytes as sent and as decoded."""
    codings = _codings(headers.get("Content-Encoding"))
    chunks = wire_chunks(rfile, headers, limit)
    if len(codings) == 1 and codings[0] in _STREAMING:
        return _stream_zlib(chunks, codings[0], limit)
    return decode_body(b"".join(chunks), headers.get("Content-Encoding"), limit)


# -- decompression ----------------------------------------------------------------------


def _codings(content_encoding: Optional[str]) -> List[str]:
    codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
    return [c for c in codings if c != "identity"]


def _zlib_wbits(coding: str, first: bytes) -> int:
    if coding in ("gzip", "x-gzip"):
        return 16 + zlib.MAX_WBITS
    # HTTP "deflate" is meant to be zlib-wrapped, but some clients send raw deflate.
    wrapped = len(first) >= 2 and first[0] & 0x0F == 8 and (first[0] << 8 | first[1]) % 31 == 0
    return zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS


def _stream_zlib(chunks: Iterator[bytes], coding: str, limit: int) -> bytes:
    out = bytearray()
    decoder: Any = None
    try:
        for chunk in chunks:
            if decoder is None:
                decoder = zlib.decompressobj(_zlib_wbits(coding, chunk))
            data = chunk
            while data and not decoder.eof:
                out += decoder.decompress(data, limit + 1 - len(out))
                if len(out) > limit:
                    drain(chunks)
                    raise _too_big(limit)
                data = decoder.unconsumed_tail
        if decoder is None:
            return b""
        out += decoder.flush()
    except zlib.error as exc:
        drain(chunks)
        raise IngestError(400, f"cannot decode {coding} body: {exc}") from None
    if len(out) > limit:
        raise _too_big(limit)
    if not decoder.eof:
        raise IngestError(400, "compressed body is truncated")
    return bytes(out)


def _zlib_whole(coding: str) -> Callable[[bytes, int], bytes]:
    def decode(data: bytes, limit: int) -> bytes:
        return _stream_zlib(iter([data]), coding, limit)

    return decode


def _brotli_decoder() -> Optional[Callable[[bytes, int], bytes]]:
    try:
        import brotli  # type: ignore[import-not-found, import-untyped, unused-ignore]
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


_STREAMING = ("gzip", "x-gzip", "deflate")
_DECODERS: Dict[str, Callable[[bytes, int], bytes]] = {
    **{name: _zlib_whole(name) for name in _STREAMING},
    **_optional_decoders(),
}


def supported_encodings() -> Tuple[str, ...]:
    return ("identity", *sorted(_DECODERS))


def decode_body(data: bytes, content_encoding: Optional[str], limit: int = MAX_BODY_BYTES) -> bytes:
    """Undo ``Content-Encoding`` (possibly a list, applied in order)."""
    for coding in reversed(_codings(content_encoding)):
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
