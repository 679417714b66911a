"""One POST over a pooled urllib3 connection, with a minimal HTTP/1.1 exchange.

Why: the worker shares the GIL with the app, so every microsecond it spends is taken from
the app. ``HTTPConnectionPool.urlopen`` costs about 300 µs of CPU per request on the
benchmark machine, ``http.client`` alone about 120 µs. Here urllib3 still does everything
that matters for security and configuration: it opens the connection (TLS with the
configured CA bundle and client certificate, socket options) and keeps the pool
(dropped-connection checks, reuse). The request is written with one ``sendall`` and the
reply is read by the lean reader of replies.py.

While a thread works through a batch (:meth:`FastPost.holding`), it keeps its connection
instead of returning it to the pool after every request: that skips the pool's locking,
its dropped-connection ``poll`` and the socket's timeout reset each time. A connection the
server closed meanwhile is caught like any stale keep-alive (one retry on a fresh one).

Proxies are left to urllib3's full path. Anything unexpected from urllib3 itself (a
version whose internals differ) switches this off for the process, and the caller falls
back to ``urlopen``.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from typing import Any, Dict, Iterator, Mapping, Optional, Tuple

import urllib3
from urllib3.exceptions import HTTPError

from sentry_lite.limits import MAX_CACHED_HEADS
from sentry_lite.sdk_loggers import internal_logger as logger
from sentry_lite.transport.replies import Closed, NetworkError, read_response

__all__ = ["FastPost"]

_NETWORK = (OSError, HTTPError, NetworkError)
_STALE = (ConnectionResetError, ConnectionAbortedError, BrokenPipeError, Closed)
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

    def request(self, body: bytes, headers: Mapping[str, str]) -> bytes:
        """The whole request for ``body``, as :meth:`post` writes it."""
        return self._head(len(body), headers) + body

    def holds_connection(self) -> bool:
        """This thread keeps a live connection (inside :meth:`holding`, after a reply
        that kept it alive)."""
        conn = getattr(self._local, "conn", None)
        return conn is not None and getattr(conn, "sock", None) is not None

    def take_held(self) -> Any:
        """The connection of :meth:`holds_connection`, now the caller's (it hands it back
        with :meth:`hand_back`), or None."""
        if not self.holds_connection():
            return None
        conn = self._local.conn
        self._local.conn = None
        return conn

    def hand_back(self, conn: Any, keep: bool) -> None:
        if not keep:
            conn.close()
            self._pool._put_conn(conn)
        else:
            self._checkin(conn)

    def take_round_trip(self) -> Optional[float]:
        """Seconds from writing this thread's last request to reading its reply, without
        the new connection's handshake (None if it did not come this way)."""
        local = self._local
        took: Optional[float] = getattr(local, "round_trip", None)
        local.round_trip = None
        return took

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
        data = self.request(body, headers)
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
                sent_at = time.monotonic()
                sock.sendall(data)
                status, reply_headers, keep = read_response(sock)
                self._local.round_trip = time.monotonic() - sent_at
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
