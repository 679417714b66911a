"""One POST of an encoded envelope to the ingest, and what the reply means.

Requests go over urllib3's pooled connections; the exchange itself takes the lean path of
``post.py`` when it fits (no proxy) and urllib3's ``urlopen`` otherwise, or when the
project-wide ``sentry_lite.shortcuts`` switch is off. Every reply updates the rate limits;
the caller gets one of the outcome names below and decides what it means for the envelope.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from typing import TYPE_CHECKING, Any, Deque, Dict, List, Mapping, Optional, Sequence, Tuple
from urllib.parse import urlsplit

from sentry_lite import shortcuts
from sentry_lite.consts import USER_AGENT
from sentry_lite.dsn import Dsn
from sentry_lite.limits import LATENCY_SAMPLES
from sentry_lite.sdk_loggers import internal_logger as logger
from sentry_lite.transport.pipelined import Pipeliner
from sentry_lite.transport.ratelimits import RateLimits

if TYPE_CHECKING:
    import urllib3

    from sentry_lite.transport.post import FastPost

# urllib3, ssl and certifi are imported on a sending thread at its first request:
# together they are most of an eager import's cost (about 30 ms and several MiB).


__all__ = [
    "LIMITED",
    "NETWORK",
    "REJECTED",
    "RETRY",
    "SENT",
    "TOO_LARGE",
    "Exchange",
]

# Outcomes of one POST.
SENT = "sent"
NETWORK = "network"
RETRY = "retry"
LIMITED = "limited"
REJECTED = "rejected"
TOO_LARGE = "too_large"


class Exchange:
    """POSTs bodies to the DSN's envelope endpoint; owns the connection pool."""

    def __init__(
        self, options: Mapping[str, Any], dsn: Dsn, rate_limits: RateLimits, connections: int
    ) -> None:
        self.options = options
        self.connections = connections
        self.dsn = dsn
        self.rate_limits = rate_limits
        self._url = dsn.envelope_url
        self._path = urlsplit(self._url).path
        self._headers = {
            "Content-Type": "application/x-sentry-envelope",
            "X-Sentry-Auth": dsn.auth_header(USER_AGENT),
            "User-Agent": USER_AGENT,
        }
        self._gzip_headers = dict(self._headers, **{"Content-Encoding": "gzip"})
        self._took: Deque[float] = deque(maxlen=LATENCY_SAMPLES)
        """Durations of the last requests (seconds), see ``latency``."""
        self._pool: Optional[urllib3.PoolManager] = None
        self._pool_pid = os.getpid()
        self._pool_lock = threading.Lock()
        self.fast: Optional[FastPost] = None
        self._pipeliner = Pipeliner()

    @property
    def latency(self) -> float:
        """The ingest's round trip as the fastest of the last few requests (0.0 before
        the first): a request's time also counts waiting for the GIL behind a busy app or
        a new connection's handshake, so one fast request ends a false alarm; a slow
        ingest makes every request slow."""
        took = self._took
        return min(took) if took else 0.0

    def after_fork(self) -> None:
        self._pool = None
        self.fast = None
        self._pool_pid = os.getpid()
        self._pool_lock = threading.Lock()

    def _get_pool(self) -> urllib3.PoolManager:
        pool = self._pool
        if pool is None or self._pool_pid != os.getpid():
            with self._pool_lock:
                pool = self._pool
                if pool is None or self._pool_pid != os.getpid():
                    from sentry_lite.transport.pool import make_pool

                    pool = make_pool(dict(self.options), self.dsn, maxsize=self.connections)
                    self._pool = pool
                    self._pool_pid = os.getpid()
        return pool

    def deliver_many(self, bodies: Sequence[Tuple[bytes, int, bool]]) -> List[str]:
        """:meth:`deliver` for each body, in order; where the connection allows, several
        are written back to back before their replies are read (pipelined.py)."""
        outcomes: List[str] = []
        index = 0
        while index < len(bodies):
            fast = self.fast
            if (
                len(bodies) - index > 1
                and fast is not None
                and fast.pool_owner is self._pool
                and shortcuts.enabled
                and self._pipeliner.ready(fast)
            ):
                answered = self._deliver_pipelined(fast, bodies[index:], outcomes)
                index += answered
                if answered:
                    continue  # the rest: another pipeline, or one at a time if it broke
            outcomes.append(self.deliver(*bodies[index]))
            index += 1
        return outcomes

    def _deliver_pipelined(
        self, fast: FastPost, bodies: Sequence[Tuple[bytes, int, bool]], outcomes: List[str]
    ) -> int:
        """Pipeline the first bodies; how many were answered (their outcomes appended)."""
        count = self._pipeliner.chunk([len(body) for body, _, _ in bodies])
        chunk = bodies[:count]
        replies = self._pipeliner.post(
            fast, [(body, self._gzip_headers if gz else self._headers) for body, _, gz in chunk]
        )
        # No latency sample (``latency``): the last reply's wait includes the server's
        # work on all the others. Each batch starts with a lone request that gives one.
        for (status, reply_headers), (_, size, _) in zip(replies, chunk):
            outcomes.append(self._outcome(status, reply_headers, size))
        return len(replies)

    def deliver(self, body: bytes, size: int, gzipped: bool) -> str:
        """POST an encoded body (``size`` bytes before compression); the outcome."""
        headers = self._gzip_headers if gzipped else self._headers
        started = time.monotonic()
        try:
            status, reply_headers = self._request(body, headers)
        except Exception as exc:  # any failure to talk is a network error
            logger.debug("sentry_lite: network error sending envelope: %s", exc)
            return NETWORK
        finally:
            fast = self.fast
            round_trip = fast.take_round_trip() if fast is not None else None
            self._took.append(time.monotonic() - started if round_trip is None else round_trip)
        return self._outcome(status, reply_headers, size)

    def _outcome(self, status: int, reply_headers: Any, size: int) -> str:
        """What a reply means for its envelope (and the rate limits it sets)."""
        self.rate_limits.update(status, reply_headers)
        if 200 <= status < 300:
            return SENT
        if status == 429:
            logger.debug("sentry_lite: rate limited (429)")
            return LIMITED
        if status == 413:
            logger.warning("sentry_lite: ingest refused an envelope of %d bytes as too large", size)
            return TOO_LARGE
        logger.debug("sentry_lite: ingest answered %s", status)
        if status >= 500 or status == 408:
            return RETRY
        return REJECTED

    def _request(self, body: bytes, headers: Dict[str, str]) -> Tuple[int, Any]:
        """POST ``body``; status and reply headers, or an exception for a network error."""
        pool = self._get_pool()
        if not shortcuts.enabled:
            return self._urlopen(pool, body, headers)
        fast = self.fast
        if fast is None or fast.pool_owner is not pool:
            fast = self._make_fast(pool)
        if fast is not None:
            result = fast.post(body, headers)
            if result is not None:
                return result
        return self._urlopen(pool, body, headers)

    def _make_fast(self, pool: urllib3.PoolManager) -> Optional[FastPost]:
        import urllib3

        from sentry_lite.limits import CONNECT_TIMEOUT, READ_TIMEOUT
        from sentry_lite.transport.post import FastPost

        if type(pool) is not urllib3.PoolManager:  # a ProxyManager: urllib3's full path
            return None
        conn_pool = pool.connection_from_url(self._url)
        fast = FastPost(conn_pool, self._path, self.dsn.netloc, CONNECT_TIMEOUT, READ_TIMEOUT)
        fast.pool_owner = pool
        self.fast = fast
        return fast

    def _urlopen(
        self, pool: urllib3.PoolManager, body: bytes, headers: Dict[str, str]
    ) -> Tuple[int, Any]:
        """Proxies (absolute-form requests) and the fallback: urllib3's full path.

        The head decides the outcome, as on the lean path: the body is read leniently.
        urllib3's ``total`` bounds the time before the reply starts, not each later read.
        """
        import urllib3

        from sentry_lite.limits import CONNECT_TIMEOUT, READ_TIMEOUT, REQUEST_DEADLINE
        from sentry_lite.transport.replies import read_body_leniently

        response = pool.urlopen(
            "POST",
            self._url,
            body=body,
            headers=dict(headers),
            retries=False,
            redirect=False,
            preload_content=False,
            timeout=urllib3.Timeout(
                connect=CONNECT_TIMEOUT, read=READ_TIMEOUT, total=REQUEST_DEADLINE
            ),
        )
        try:
            read_body_leniently(response, lambda: _shorten_body_timeout(response))
        finally:
            response.release_conn()
        return response.status, response.headers


def _shorten_body_timeout(response: Any) -> None:
    """Give the body :data:`REPLY_BODY_TIMEOUT` per read (urllib3 resets it per request)."""
    from sentry_lite.limits import REPLY_BODY_TIMEOUT

    sock = getattr(getattr(response, "connection", None), "sock", None)
    if sock is not None:
        sock.settimeout(REPLY_BODY_TIMEOUT)
