"""Reading an ingest's HTTP/1.x reply straight from the socket: status, headers, body.

Why: ``http.client`` spends most of its time per reply in generic header handling
(``email.parser``) that a fire-and-forget POST does not need. The lean reader here handles
the plain replies an ingest sends (status line, headers, a body framed by
``Content-Length`` or ``chunked``); anything else is handed, from its first byte, to the
general parser (http.client and urllib3's checks), so both give the same answer for any
reply. Every read is bounded by a deadline (a reply trickled a byte at a time must not
hold the sending thread). Pipelined replies (pipelined.py) are read in order from one
buffer, by the lean reader only.
"""

from __future__ import annotations

import io
import re
import socket
import time
from typing import Any, Dict, List, Optional, Tuple

from sentry_lite import shortcuts
from sentry_lite.limits import MAX_HEAD_BYTES, REPLY_BODY_TIMEOUT, REQUEST_DEADLINE

__all__ = [
    "Closed",
    "NetworkError",
    "ProtocolError",
    "read_body_leniently",
    "read_replies",
    "read_response",
]

_RECV = 65536


class NetworkError(Exception):
    """The request could not be completed (refused, reset, closed, timed out, TLS)."""


class ProtocolError(NetworkError):
    """The reply was not valid HTTP/1.x."""


class Closed(NetworkError):
    """The server closed the connection before sending a reply."""


class _Unusual(Exception):
    """The reply leaves the plain grammar the lean reader knows: the general parser reads it."""


_QUICK_ACK: Optional[int] = getattr(socket, "TCP_QUICKACK", None)
"""Linux: acknowledge what arrived at once. A server with Nagle's algorithm on holds each
pipelined reply until the one before it is acknowledged, and a delayed acknowledgement
(up to 40 ms) would hold the whole pipeline that long."""

_STATUS = re.compile(rb"HTTP/1\.([01]) ([1-9][0-9][0-9])(?: [^\r\n]*)?\r\n")
_HEADER = re.compile(rb"([!#$%&'*+.^_`|~0-9A-Za-z-]+):([^\r\n]*)\r\n")
_CHUNK = re.compile(rb"([0-9A-Fa-f]{1,16})(?:;[^\r\n]*)?\r\n")
_MAX_HEADERS = 99
"""http.client refuses a head of more than 100 lines, the blank line included."""


class _Deadline:
    """The time one reply may still take, applied to every read from its socket.

    A socket timeout bounds each read, not their sum: an ingest sending a byte every few
    seconds would hold the thread for ever. Each read gets at most what is left; the
    timeout is only changed (a syscall) when the deadline is nearer than it by a second,
    and restored before the connection is reused.
    """

    __slots__ = ("at", "original", "sock", "timeout")

    def __init__(self, sock: Any, seconds: Optional[float] = None) -> None:
        self.sock = sock
        self.at = time.monotonic() + (REQUEST_DEADLINE if seconds is None else seconds)
        self.original = self.timeout = sock.gettimeout()

    def before_read(self) -> None:
        remaining = self.at - time.monotonic()
        if remaining <= 0:
            raise socket.timeout("the reply took longer than its deadline")
        if self.timeout is None or remaining + 1.0 < self.timeout:
            self.timeout = remaining
            self.sock.settimeout(remaining)

    def for_body(self) -> None:
        """The head is in: the body gets :data:`REPLY_BODY_TIMEOUT` at most."""
        self.at = min(self.at, time.monotonic() + REPLY_BODY_TIMEOUT)

    def restore(self) -> None:
        if self.timeout != self.original:
            self.timeout = self.original
            try:
                self.sock.settimeout(self.original)
            except OSError:  # closed meanwhile: it will not be reused
                pass


class _Reader:
    """Buffered reads from a socket, enough for one HTTP reply.

    Everything received is kept in ``data`` (replies are small) so that the general
    parser can be handed the reply from its first byte when the lean one gives up.
    """

    __slots__ = ("data", "deadline", "pos", "quick_ack", "sock")

    def __init__(self, sock: Any, deadline: _Deadline, quick_ack: bool = False) -> None:
        self.sock = sock
        self.deadline = deadline
        self.data = b""
        self.pos = 0
        self.quick_ack = quick_ack and _QUICK_ACK is not None

    def fill(self) -> bool:
        self.deadline.before_read()
        if self.quick_ack:
            try:
                self.sock.setsockopt(socket.IPPROTO_TCP, _QUICK_ACK, 1)
            except OSError:
                self.quick_ack = False
        chunk = self.sock.recv(_RECV)
        if not chunk:
            return False
        self.data += chunk
        return True

    def line(self, limit: int = MAX_HEAD_BYTES) -> int:
        """Index of the end of the next CRLF-terminated line (CRLF included)."""
        while True:
            index = self.data.find(b"\r\n", self.pos)
            if index >= 0:
                end = index + 2
                if end - self.pos > limit:
                    raise _Unusual("line too long")
                return end
            if len(self.data) - self.pos > limit or not self.fill():
                raise _Unusual("no end of line")

    def skip(self, count: int) -> None:
        """Consume ``count`` body bytes."""
        while len(self.data) - self.pos < count:
            if not self.fill():
                raise _Unusual("connection closed inside the reply body")
        self.pos += count


def _read_head(reader: _Reader) -> Tuple[int, str, Dict[str, str]]:
    """Status, HTTP version and headers (lower-case names, repeated ones joined)."""
    limit = reader.pos + MAX_HEAD_BYTES  # so no line can exceed http.client's limit
    end = reader.line()
    match = _STATUS.fullmatch(reader.data, reader.pos, end)
    if match is None:
        raise _Unusual("status line")
    reader.pos = end
    headers: Dict[str, str] = {}
    count = 0
    while True:
        end = reader.line()
        if end > limit:
            raise _Unusual("head too long")
        if end - reader.pos == 2:
            reader.pos = end
            break
        header = _HEADER.fullmatch(reader.data, reader.pos, end)
        count += 1
        if header is None or count > _MAX_HEADERS:
            raise _Unusual("header line")
        reader.pos = end
        key = header.group(1).decode("ascii").lower()
        # As http.client (email.parser, compat32): only leading blanks are stripped.
        value = header.group(2).decode("latin-1").lstrip(" \t")
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return int(match.group(2)), match.group(1).decode("ascii"), headers


def _read_plain(reader: _Reader, pipelined: bool = False) -> Tuple[int, Dict[str, str], bool]:
    """``pipelined``: bytes after this reply are the next one's, not a reason to close."""
    if not (pipelined and reader.pos < len(reader.data)) and not reader.fill():
        raise Closed("connection closed before the reply")
    while True:
        status, minor, headers = _read_head(reader)
        if status == 100:
            continue  # interim reply: the real one follows (other 1xx: the general parser)
        break
    if 100 <= status < 200 or "content-encoding" in headers:
        raise _Unusual("status or encoding")
    keep = minor == "1" and "close" not in headers.get("connection", "").lower()
    encoding = headers.get("transfer-encoding")
    length = headers.get("content-length")
    if encoding is not None:
        if encoding.lower() != "chunked" or length is not None or status in (204, 304):
            raise _Unusual("transfer-encoding")
    elif length is not None:
        if not (length.isdigit() and length.isascii()) or status in (204, 304):
            raise _Unusual("content-length")
    elif status not in (204, 304):
        raise _Unusual("body delimited by the end of the connection")
    reader.deadline.for_body()
    try:
        _skip_body(reader, encoding is not None, length)
    except (_Unusual, OSError):
        return status, headers, False  # the head decided; this connection is spent
    if reader.pos < len(reader.data) and not pipelined:
        keep = False  # bytes we did not ask for: do not reuse this connection
    return status, headers, keep


def _skip_body(reader: _Reader, chunked: bool, length: Optional[str]) -> None:
    if chunked:
        while True:
            end = reader.line()
            chunk = _CHUNK.fullmatch(reader.data, reader.pos, end)
            if chunk is None:
                raise _Unusual("chunk size")
            reader.pos = end
            size = int(chunk.group(1), 16)
            if size == 0:
                while True:  # trailers, up to the empty line
                    end = reader.line()
                    blank = end - reader.pos == 2
                    if b"\n" in reader.data[reader.pos : end - 1]:
                        raise _Unusual("trailer line")
                    reader.pos = end
                    if blank:
                        break
                break
            reader.skip(size + 2)
    elif length is not None:
        reader.skip(int(length))


class _Replay(io.RawIOBase):
    """A socket's reads, starting with bytes that were already received from it."""

    def __init__(self, data: bytes, sock: Any, deadline: _Deadline) -> None:
        self._data = memoryview(data)
        self._sock = sock
        self.deadline = deadline
        self.seen = bytearray(data)
        """Everything read so far: a 2xx status line in it means delivered (see below)."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._data:
            count = min(len(buffer), len(self._data))
            buffer[:count] = self._data[:count]
            self._data = self._data[count:]
            return count
        self.deadline.before_read()
        count = int(self._sock.recv_into(buffer))
        if len(self.seen) < MAX_HEAD_BYTES:
            self.seen += bytes(buffer[:count])
        return count

    def makefile(self, mode: str = "rb", *args: Any, **kwargs: Any) -> io.BufferedReader:
        return io.BufferedReader(self)


def _read_general(data: bytes, sock: Any, deadline: _Deadline) -> Tuple[int, Dict[str, str], bool]:
    """The reply as urllib3's ``urlopen`` reads it (http.client, then urllib3's checks).

    As in the lean reader, once the head is valid the body cannot change the outcome.
    """
    import http.client

    from urllib3 import HTTPResponse
    from urllib3 import connection as urllib3_connection

    try:
        from urllib3 import HTTPHeaderDict
    except ImportError:  # urllib3 1.26 (still what botocore pins on Python 3.9)
        from urllib3._collections import HTTPHeaderDict

    replay = _Replay(data, sock, deadline)
    raw = http.client.HTTPResponse(replay, method="POST")  # type: ignore[arg-type]
    try:
        raw.begin()
        normalize = getattr(urllib3_connection, "_normalize_header_values", None)
        items = normalize(raw.msg) if normalize is not None else raw.msg.items()
        response = HTTPResponse(
            body=raw,
            headers=HTTPHeaderDict(items),
            status=raw.status,
            version=raw.version,
            reason=raw.reason,
            preload_content=False,
            decode_content=True,
            original_response=raw,
            enforce_content_length=True,
            request_method="POST",
        )
    except OSError:
        raw.close()
        accepted = _accepted(bytes(replay.seen))
        if accepted is None:
            raise
        return accepted
    except Exception as exc:
        raw.close()
        raise ProtocolError(f"{type(exc).__name__}: {exc}") from None
    read_body_leniently(response, deadline.for_body)
    raw.close()
    headers = {name.lower(): value for name, value in response.headers.itermerged()}
    return response.status, headers, False


def read_body_leniently(response: Any, start: Optional[Any] = None) -> None:
    """Read (and drop) a reply's body; a body that fails or stalls changes nothing."""
    try:
        if start is not None:
            start()
        response.read()
    except Exception:  # noqa: BLE001 -- the head decided the outcome
        pass


def _accepted(data: bytes) -> Optional[Tuple[int, Dict[str, str], bool]]:
    """A reply that stalled or broke after a 2xx status line: the ingest took the envelope.

    Sending it again would duplicate it, and counting it lost would be wrong; what the
    rest of the head said (rate limits) is lost with the connection.
    """
    match = _STATUS.match(data)
    if match is None or not 200 <= int(match.group(2)) < 300:
        return None
    return int(match.group(2)), {}, False


def read_response(sock: Any) -> Tuple[int, Dict[str, str], bool]:
    """Read one reply: status, headers (lower-case names), and whether to keep the socket.

    The lean reader handles the plain replies an ingest sends; anything else (and
    everything while ``sentry_lite.shortcuts`` is off) goes to the general parser, from
    the reply's first byte, so both give the same answer for any reply.
    """
    deadline = _Deadline(sock)
    try:
        if not shortcuts.enabled:
            return _read_general(b"", sock, deadline)
        reader = _Reader(sock, deadline)
        try:
            return _read_plain(reader)
        except _Unusual:
            return _read_general(reader.data, sock, deadline)
        except OSError:
            accepted = _accepted(reader.data)
            if accepted is None:
                raise
            return accepted
    finally:
        deadline.restore()


def read_replies(
    sock: Any, count: int, replies: List[Tuple[int, Dict[str, str]]], later_wait: float
) -> bool:
    """Read up to ``count`` pipelined replies into ``replies``, in order; whether the
    connection may be kept. Stops after a reply that closes the connection; raises when
    the exchange broke (``replies`` then holds those read before). Each reply after the
    first must come within ``later_wait`` of the one before: a server that dropped the
    requests it read along with the first would otherwise hold the thread for the whole
    deadline. Only the lean reader is used: the general one would read past its reply."""
    reader = _Reader(sock, _Deadline(sock), quick_ack=True)
    for index in range(count):
        deadline = _Deadline(sock, later_wait if index else None)
        reader.deadline = deadline
        try:
            status, headers, keep = _read_plain(reader, pipelined=True)
        finally:
            deadline.restore()
        replies.append((status, headers))
        if not keep:
            return False
    return reader.pos == len(reader.data)
