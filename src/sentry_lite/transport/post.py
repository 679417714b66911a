"""One POST over a pooled urllib3 connection, with a minimal HTTP/1.1 exchange.

Why: the worker shares the GIL with the app, so every microsecond it spends is taken from
the app. ``HTTPConnectionPool.urlopen`` costs about 300 µs of CPU per request on the
benchmark machine, ``http.client`` alone about 120 µs, most of it in generic header
handling (``email.parser``) that a fire-and-forget POST does not need. Here urllib3 still
does everything that matters for security and configuration: it opens the connection
(TLS with the configured CA bundle and client certificate, socket options) and keeps the
pool (dropped-connection checks, reuse). The request is written with one ``sendall`` and
the reply is read by a small parser: status line, headers, and a body framed by
``Content-Length``, ``chunked`` or the end of the connection.

While a thread works through a batch (:meth:`FastPost.holding`), it keeps its connection
instead of returning it to the pool after every request: that skips the pool's locking,
its dropped-connection ``poll`` and the socket's timeout reset each time. A connection the
server closed meanwhile is caught like any stale keep-alive (one retry on a fresh one).

Proxies are left to urllib3's full path. Anything unexpected from urllib3 itself (a
version whose internals differ) switches this off for the process, and the caller falls
back to ``urlopen``.
"""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from typing import Any, Dict, Iterator, Mapping, Optional, Tuple

import urllib3
from urllib3.exceptions import HTTPError

from sentry_lite.limits import MAX_CACHED_HEADS, MAX_HEAD_BYTES

logger = logging.getLogger("sentry_lite.errors")

__all__ = ["FastPost", "NetworkError", "ProtocolError", "read_response"]

_RECV = 65536


class NetworkError(Exception):
    """The request could not be completed (refused, reset, closed, timed out, TLS)."""


class ProtocolError(NetworkError):
    """The reply was not valid HTTP/1.x."""


class _Closed(NetworkError):
    """The server closed the connection before sending a reply."""


class _Reader:
    """Buffered reads from a socket, enough for one HTTP reply."""

    __slots__ = ("buf", "sock")

    def __init__(self, sock: Any) -> None:
        self.sock = sock
        self.buf = b""

    def fill(self) -> bool:
        chunk = self.sock.recv(_RECV)
        if not chunk:
            return False
        self.buf += chunk
        return True

    def until(self, marker: bytes, limit: int = MAX_HEAD_BYTES) -> bytes:
        while True:
            index = self.buf.find(marker)
            if index >= 0:
                out, self.buf = self.buf[:index], self.buf[index + len(marker) :]
                return out
            if len(self.buf) > limit:
                raise ProtocolError("reply head too long")
            if not self.fill():
                raise ProtocolError("connection closed inside the reply")

    def skip(self, count: int) -> None:
        """Consume ``count`` body bytes without keeping them."""
        while count > 0:
            if not self.buf and not self.fill():
                raise ProtocolError("connection closed inside the reply body")
            taken = min(count, len(self.buf))
            self.buf = self.buf[taken:]
            count -= taken


def read_response(sock: Any) -> Tuple[int, Dict[str, str], bool]:
    """Read one reply: status, headers (lower-case names), and whether to keep the socket."""
    reader = _Reader(sock)
    while True:
        if not reader.buf and not reader.fill():
            raise _Closed("connection closed before the reply")
        head = reader.until(b"\r\n\r\n").decode("latin-1")
        lines = head.split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
            raise ProtocolError(f"bad status line {lines[0][:80]!r}")
        try:
            status = int(parts[1])
        except ValueError:
            raise ProtocolError(f"bad status line {lines[0][:80]!r}") from None
        headers: Dict[str, str] = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if not sep:
                continue
            key = name.strip().lower()
            value = value.strip()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        if 100 <= status < 200:
            continue  # interim reply (100 Continue): the real one follows
        break
    keep = parts[0] == "HTTP/1.1" and "close" not in headers.get("connection", "").lower()
    if "chunked" in headers.get("transfer-encoding", "").lower():
        while True:
            size_line = reader.until(b"\r\n").split(b";", 1)[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError:
                raise ProtocolError("bad chunk size") from None
            if size == 0:
                while reader.until(b"\r\n"):  # trailers, up to the empty line
                    pass
                break
            reader.skip(size + 2)
    elif "content-length" in headers:
        try:
            length = int(headers["content-length"])
        except ValueError:
            raise ProtocolError("bad Content-Length") from None
        reader.skip(length)
    elif status in (204, 304):
        pass
    else:
        keep = False  # the body runs to the end of the connection, which we close
    if reader.buf:
        keep = False  # bytes we did not ask for: do not reuse this connection
    return status, headers, keep


_NETWORK = (OSError, HTTPError, NetworkError)
_STALE = (ConnectionResetError, ConnectionAbortedError, BrokenPipeError, _Closed)
"""Failures that mean a kept-alive connection had already been closed by the server (never
a timeout: a request that timed out may have been processed)."""


class FastPost:
    def __init__(
        self,
        pool: urllib3.HTTPConnectionPool,
        path: str,
        host_header: str,
        connect_timeout: float,
        read_timeout: float,
    ) -> None:
        self._pool = pool
        self._start = f"POST {path} HTTP/1.1\r\nHost: {host_header}\r\n"
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self.usable = hasattr(pool, "_get_conn") and hasattr(pool, "_put_conn")
        self.pool_owner: Any = None
        """The PoolManager this connection pool came from (a rebuilt one gets a new one)."""
        self._heads: Dict[Tuple[Tuple[str, str], ...], bytes] = {}
        """Request head up to the Content-Length value, per header set."""
        self._local = threading.local()
        """Per thread: ``holding`` (inside :meth:`holding`) and ``conn`` (the one kept)."""

    @contextmanager
    def holding(self) -> Iterator[None]:
        """Keep this thread's connection between requests until the block ends."""
        local = self._local
        if getattr(local, "holding", False):
            yield
            return
        local.holding = True
        try:
            yield
        finally:
            local.holding = False
            conn = getattr(local, "conn", None)
            local.conn = None
            if conn is not None:
                self._pool._put_conn(conn)

    def _checkout(self) -> Tuple[Any, bool]:
        """A connection, and whether it is one this thread kept (timeout already set)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            self._local.conn = None
            return conn, True
        try:
            return self._pool._get_conn(), False
        except Exception as exc:
            raise NetworkError(str(exc)) from None

    def _checkin(self, conn: Any) -> None:
        if getattr(self._local, "holding", False) and conn.sock is not None:
            self._local.conn = conn
        else:
            self._pool._put_conn(conn)

    def _head(self, length: int, headers: Mapping[str, str]) -> bytes:
        # The transport sends one of two fixed header sets: their text is built once.
        key = tuple(headers.items())
        prefix = self._heads.get(key)
        if prefix is None:
            lines = [self._start]
            for name, value in key:
                lines.append(f"{name}: {value}\r\n")
            lines.append("Content-Length: ")
            prefix = "".join(lines).encode("latin-1")
            if len(self._heads) >= MAX_CACHED_HEADS:
                self._heads.clear()
            self._heads[key] = prefix
        return b"%s%d\r\n\r\n" % (prefix, length)

    def post(self, body: bytes, headers: Mapping[str, str]) -> Optional[Tuple[int, Dict[str, str]]]:
        """Status and headers of the reply; None if this path cannot be used (fall back).

        Raises :class:`NetworkError` when the exchange failed.
        """
        if not self.usable:
            return None
        data = self._head(len(body), headers) + body
        for attempt in (0, 1):
            conn, kept = self._checkout()
            reused = getattr(conn, "sock", None) is not None
            try:
                if conn.sock is None:
                    conn.timeout = self._connect_timeout
                    conn.connect()
                    kept = False
                sock = conn.sock
                if not kept:
                    sock.settimeout(self._read_timeout)
                sock.sendall(data)
                status, reply_headers, keep = read_response(sock)
                if not keep:
                    conn.close()
            except _NETWORK as exc:
                conn.close()
                self._pool._put_conn(conn)
                if reused and attempt == 0 and isinstance(exc, _STALE):
                    continue  # a kept-alive connection the server had closed: once more
                if isinstance(exc, NetworkError):
                    raise
                raise NetworkError(f"{type(exc).__name__}: {exc}") from None
            except Exception:
                logger.debug("sentry_lite: lean POST path unusable, using urlopen", exc_info=True)
                self.usable = False
                conn.close()
                self._pool._put_conn(conn)
                return None
            self._checkin(conn)
            return status, reply_headers
        raise NetworkError("unreachable")  # pragma: no cover
