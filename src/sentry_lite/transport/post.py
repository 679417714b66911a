"""One POST over a pooled urllib3 connection, without urllib3's per-request machinery.

Why: on this project's benchmark machine ``HTTPConnectionPool.urlopen`` costs about 300 µs
of CPU per request, of which less than half is the HTTP exchange itself (the rest is
response wrapping, header normalisation, retry and timeout bookkeeping that a fire-and-
forget POST does not need). The worker shares the GIL with the app, so that CPU is taken
from the app. Here urllib3 still does everything that matters for security and
configuration (TLS with the configured CA bundle and client certificate, socket options,
``CONNECT`` tunnels through a proxy, dropped-connection checks); the request and
response go through ``http.client``'s lean path on the connection it set up.

Anything unexpected (a urllib3 version whose internals differ) switches this off for the
process and the caller falls back to ``urlopen``.
"""

from __future__ import annotations

import http.client
import logging
from typing import Any, Mapping, Optional, Tuple

import urllib3
from urllib3.exceptions import HTTPError

logger = logging.getLogger("sentry_lite.errors")

__all__ = ["FastPost", "NetworkError"]


class NetworkError(Exception):
    """The request could not be completed (refused, reset, closed, timed out, TLS)."""


_NETWORK = (OSError, http.client.HTTPException, HTTPError)
_STALE = (
    http.client.RemoteDisconnected,
    ConnectionResetError,
    ConnectionAbortedError,
    BrokenPipeError,
)
"""Failures that mean a kept-alive connection was already closed by the server (never a
timeout: a request that timed out may have been processed)."""


class FastPost:
    def __init__(
        self,
        pool: urllib3.HTTPConnectionPool,
        path: str,
        connect_timeout: float,
        read_timeout: float,
    ) -> None:
        self._pool = pool
        self._path = path
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self.usable = hasattr(pool, "_get_conn") and hasattr(pool, "_put_conn")
        self.pool_owner: Any = None
        """The PoolManager this connection pool came from (rebuilt pools get a new one)."""

    def post(self, body: bytes, headers: Mapping[str, str]) -> Optional[Tuple[int, Any]]:
        """Status and headers of the reply; None if this path cannot be used (fall back).

        Raises :class:`NetworkError` when the exchange failed.
        """
        if not self.usable:
            return None
        for attempt in (0, 1):
            try:
                conn: Any = self._pool._get_conn()
            except Exception as exc:
                raise NetworkError(str(exc)) from None
            reused = getattr(conn, "sock", None) is not None
            try:
                conn.timeout = self._connect_timeout
                http.client.HTTPConnection.request(
                    conn, "POST", self._path, body=body, headers=dict(headers)
                )
                if conn.sock is not None:
                    conn.sock.settimeout(self._read_timeout)
                response = http.client.HTTPConnection.getresponse(conn)
                response.read()
                status, reply_headers = response.status, response.msg
                if response.will_close:
                    conn.close()
            except _NETWORK as exc:
                conn.close()
                self._pool._put_conn(conn)
                if reused and attempt == 0 and isinstance(exc, _STALE):
                    continue  # a kept-alive connection the server had closed: once more
                raise NetworkError(f"{type(exc).__name__}: {exc}") from None
            except Exception:
                logger.debug("sentry_lite: lean POST path unusable, using urlopen", exc_info=True)
                self.usable = False
                conn.close()
                self._pool._put_conn(conn)
                return None
            self._pool._put_conn(conn)
            return status, reply_headers
        raise NetworkError("unreachable")  # pragma: no cover
