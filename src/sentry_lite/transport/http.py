"""HTTP delivery of envelopes to a Sentry-protocol ingest, with rate limits, client reports,
size handling and an optional durable outbox.

Threads (all daemon, started lazily, restarted fresh in a forked child):

* without ``cache_dir``: ``SEND_THREADS`` workers take envelopes from the bounded queue in
  batches (transactions may wait ``LINGER`` for company, errors never do), encode a batch,
  then POST it; what cannot be sent is dropped and counted.
* with ``cache_dir``: the queue worker only *persists* envelopes to the outbox (fast disk
  writes, so the queue rarely fills even while the ingest hangs), and a second thread
  sends from the outbox oldest-first, deleting a file once the ingest accepted it and
  rescheduling it with exponential backoff otherwise.

The app thread only appends to the queue; when the queue is full it writes the envelope to
the outbox itself (a local file write) or, without an outbox, counts it as
``queue_overflow``.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional, Tuple
from urllib.parse import urlsplit

from sentry_lite.consts import USER_AGENT
from sentry_lite.dsn import Dsn
from sentry_lite.envelope import Envelope, Item
from sentry_lite.limits import (
    CACHE_MAX_AGE,
    CACHE_MAX_BYTES,
    CACHE_MAX_ENVELOPES,
    COMPRESS_MIN_BYTES,
    DEFAULT_COMPRESSION_LEVEL,
    DEFAULT_QUEUE_SIZE,
    LINGER,
    SEND_THREADS,
    SPREAD_LATENCY,
)
from sentry_lite.timestamps import now_iso
from sentry_lite.transport.base import Transport
from sentry_lite.transport.outbox import Claim, Outbox
from sentry_lite.transport.ratelimits import RateLimits
from sentry_lite.transport.reports import CLIENT_REPORT_INTERVAL, LossRecorder
from sentry_lite.transport.size import fallback_envelope, trim_oversized
from sentry_lite.transport.worker import BackgroundWorker

if TYPE_CHECKING:
    import urllib3

    from sentry_lite.transport.post import FastPost

# urllib3, ssl, certifi and zlib are imported on the worker thread at the first send:
# together they are most of an eager import's cost (about 30 ms and several MiB).

logger = logging.getLogger("sentry_lite.errors")

__all__ = ["HttpTransport"]

BATCHABLE = frozenset(
    {
        "transaction",
        "span",
        "client_report",
        "session",
        "sessions",
        "profile",
        "profile_chunk",
        "log",
        "trace_metric",
        "statsd",
    }
)
"""Item types that may wait for a batch; an envelope with any other item goes at once."""
RETRY_INITIAL = 0.5
"""First retry delay (seconds) after a network error or 5xx, doubled per failure ..."""
RETRY_MAX = 60.0
"""... up to this."""
RETRY_TRIM_BUDGET = 200 * 1024
"""After a 413, an event is trimmed to this many bytes and sent once more."""
SHUTDOWN_LOSS = "queue_overflow"
"""Reason for envelopes still queued at shutdown when there is no outbox to keep them."""

# Outcomes of one POST.
SENT = "sent"
NETWORK = "network"
RETRY = "retry"
LIMITED = "limited"
REJECTED = "rejected"
TOO_LARGE = "too_large"


def _opt(options: Mapping[str, Any], name: str, default: Any) -> Any:
    value = options.get(name)
    return default if value is None else value


def _compression(options: Mapping[str, Any]) -> Tuple[int, int]:
    """gzip level and the smallest body to compress: an explicit level applies to all."""
    level = options.get("transport_compression_level")
    if level is None:
        experiments = options.get("_experiments") or {}
        level = experiments.get("transport_compression_level")
        if level is None:
            level = experiments.get("transport_zlib_compression_level")
    if level is None:
        return DEFAULT_COMPRESSION_LEVEL, COMPRESS_MIN_BYTES
    try:
        return min(9, max(0, int(level))), 0
    except (TypeError, ValueError):
        return DEFAULT_COMPRESSION_LEVEL, COMPRESS_MIN_BYTES


class _Backoff:
    """Exponential backoff with jitter, shared by every envelope of this process."""

    def __init__(self) -> None:
        self.failures = 0
        self.until = 0.0

    def fail(self) -> float:
        self.failures += 1
        delay = min(RETRY_MAX, RETRY_INITIAL * (2.0 ** min(self.failures - 1, 16)))
        delay *= random.uniform(0.8, 1.0)
        self.until = time.monotonic() + delay
        return delay

    def ok(self) -> None:
        self.failures = 0
        self.until = 0.0

    def remaining(self) -> float:
        return max(0.0, self.until - time.monotonic())


def _is_urgent(envelope: Envelope) -> bool:
    return any(item.type not in BATCHABLE for item in envelope.items)


def file_delay(attempts: int) -> float:
    """Delay before an envelope's next attempt, growing with its own failures."""
    return float(min(RETRY_MAX, RETRY_INITIAL * (2.0 ** min(attempts, 16))))


class HttpTransport(Transport):
    def __init__(self, options: Dict[str, Any]) -> None:
        super().__init__(options)
        dsn = options["dsn"]
        self.dsn = dsn if isinstance(dsn, Dsn) else Dsn(str(dsn))
        self._url = self.dsn.envelope_url
        self._path = urlsplit(self._url).path
        self._headers = {
            "Content-Type": "application/x-sentry-envelope",
            "X-Sentry-Auth": self.dsn.auth_header(USER_AGENT),
            "User-Agent": USER_AGENT,
        }
        self._compression, self._compress_from = _compression(options)
        self._gzip_headers = dict(self._headers, **{"Content-Encoding": "gzip"})
        self.rate_limits = RateLimits()
        self.losses = LossRecorder(
            send_reports=bool(_opt(options, "send_client_reports", True)),
            on_drop=options.get("on_drop"),
        )
        self._pool: Optional[urllib3.PoolManager] = None
        self._pool_pid = os.getpid()
        self._pool_lock = threading.Lock()
        self._fast: Optional[FastPost] = None
        self._backoff = _Backoff()
        self._force_report = False
        self._killed = False
        self._latency = 0.0
        """Moving average of a request's duration (seconds)."""
        self.outbox = self._make_outbox(options)
        queue_size = int(_opt(options, "transport_queue_size", DEFAULT_QUEUE_SIZE))
        self._sender: Optional[BackgroundWorker[None]] = None
        if self.outbox is not None:
            self._worker: BackgroundWorker[Envelope] = BackgroundWorker(
                self._persist_all, None, queue_size, "sentry_lite.spooler", self._after_fork
            )
            self._sender = BackgroundWorker(
                lambda _: None,
                self._send_from_outbox,
                1,
                "sentry_lite.sender",
                threads=SEND_THREADS,
                idle_on_all_threads=True,
            )
            self._sender.wake()  # deliver what earlier processes left behind
        else:
            self._worker = BackgroundWorker(
                self._send_batch,
                self._idle_reports,
                queue_size,
                "sentry_lite.worker",
                self._after_fork,
                threads=SEND_THREADS,
                linger=LINGER,
                urgent=_is_urgent,
                batch_size=max(1, queue_size // 2),
                spread=lambda: self._latency >= SPREAD_LATENCY,
            )

    def _make_outbox(self, options: Mapping[str, Any]) -> Optional[Outbox]:
        directory = options.get("cache_dir")
        if not directory:
            return None
        try:
            return Outbox(
                str(directory),
                max_envelopes=int(_opt(options, "cache_max_envelopes", CACHE_MAX_ENVELOPES)),
                max_bytes=int(_opt(options, "cache_max_bytes", CACHE_MAX_BYTES)),
                max_age=float(_opt(options, "cache_max_age", CACHE_MAX_AGE)),
                on_evict=self._evicted,
            )
        except (OSError, ValueError, TypeError) as exc:
            logger.warning(
                "sentry_lite: cache_dir %r unusable, outbox disabled: %s", directory, exc
            )
            return None

    def _after_fork(self) -> None:
        self._pool = None
        self._fast = None
        self._pool_pid = os.getpid()
        self._pool_lock = threading.Lock()
        self.losses.reset_after_fork()
        self._backoff = _Backoff()
        if self.outbox is not None:
            self.outbox.after_fork()

    # -- the client's side (app thread) ---------------------------------------------
    def capture_envelope(self, envelope: Envelope) -> None:
        try:
            if not self._killed and self._worker.submit(envelope):
                return
            if self.outbox is not None and self._spill(envelope):
                return
            self.losses.record_envelope("queue_overflow", envelope)
        except Exception:  # nothing may reach the app
            logger.debug("sentry_lite: capture_envelope failed", exc_info=True)

    def _spill(self, envelope: Envelope) -> bool:
        assert self.outbox is not None
        if not self.outbox.put(envelope.serialize()):
            return False
        if self._sender is not None and not self._killed:
            self._sender.wake()
        return True

    def record_lost_event(
        self,
        reason: str,
        data_category: Optional[str] = None,
        item: Optional[Item] = None,
        *,
        quantity: int = 1,
    ) -> None:
        try:
            if item is not None:
                self.losses.record_item(reason, item)
            elif data_category is not None:
                self.losses.record(reason, data_category, quantity)
        except Exception:
            logger.debug("sentry_lite: record_lost_event failed", exc_info=True)

    def is_healthy(self) -> bool:
        return not (self._worker.full() or self.rate_limits.any_active())

    def flush(
        self, timeout: float, callback: Optional[Callable[[int, float], None]] = None
    ) -> None:
        try:
            if timeout <= 0 or self._killed:
                return
            deadline = time.monotonic() + timeout
            pending = self._worker.pending() + (len(self.outbox) if self.outbox else 0)
            if pending and callback is not None:
                try:
                    callback(pending, timeout)
                except Exception:
                    pass
            self._force_report = True
            if self.losses.pending():
                # Losses decided by the client may be all there is: the thread that sends
                # the report may not have been needed (and started) yet.
                (self._sender or self._worker).wake()
            self._worker.flush(timeout)
            if self._sender is not None:
                self._sender.flush(max(0.0, deadline - time.monotonic()))
        except Exception:
            logger.debug("sentry_lite: flush failed", exc_info=True)

    def kill(self) -> None:
        """Stop the threads now; keep (outbox) or count (no outbox) what was not sent."""
        try:
            self._killed = True
            left = self._worker.kill()
            if self._sender is not None:
                self._sender.kill()
            report = self.losses.take()
            if self.outbox is not None:
                for envelope in left:
                    if not self.outbox.put(envelope.serialize()):
                        self.losses.record_envelope(SHUTDOWN_LOSS, envelope)
                if report is not None:
                    self.outbox.put(Envelope({}, [report]).serialize())
                self.outbox.release_all()
            else:
                for envelope in left:
                    self.losses.record_envelope(SHUTDOWN_LOSS, envelope)
        except Exception:
            logger.debug("sentry_lite: kill failed", exc_info=True)

    # -- HTTP -----------------------------------------------------------------------
    def _get_pool(self) -> urllib3.PoolManager:
        pool = self._pool
        if pool is None or self._pool_pid != os.getpid():
            with self._pool_lock:
                pool = self._pool
                if pool is None or self._pool_pid != os.getpid():
                    from sentry_lite.transport.pool import make_pool

                    pool = make_pool(self.options, self.dsn, maxsize=SEND_THREADS)
                    self._pool = pool
                    self._pool_pid = os.getpid()
        return pool

    def _post(self, envelope: Envelope) -> Tuple[str, int]:
        """POST one envelope; returns the outcome and the body size."""
        return self._deliver(*self._encode(envelope))

    def _encode(self, envelope: Envelope) -> Tuple[bytes, int, bool]:
        """The request body, the envelope's own size, and whether the body is gzipped."""
        # sent_at is when it leaves (ingest corrects clock drift with it), give or take
        # the batch it is part of, not when it was captured: an envelope may have waited
        # in the outbox for hours.
        envelope.headers["sent_at"] = now_iso()
        body = envelope.serialize()
        size = len(body)
        if self._compression <= 0 or size < self._compress_from:
            return body, size, False
        import zlib

        # A gzip stream straight from zlib (wbits 31): same bytes on the wire as
        # gzip.compress, without its per-call header and CRC work in Python.
        packer = zlib.compressobj(self._compression, zlib.DEFLATED, 31)
        return packer.compress(body) + packer.flush(), size, True

    def _deliver(self, body: bytes, size: int, gzipped: bool) -> Tuple[str, int]:
        """POST an encoded body; the outcome and ``size`` (for the 413 path)."""
        headers = self._gzip_headers if gzipped else self._headers
        started = time.monotonic()
        try:
            status, reply_headers = self._request(body, headers)
        except Exception as exc:  # any failure to talk is a network error
            logger.debug("sentry_lite: network error sending envelope: %s", exc)
            return NETWORK, size
        finally:
            self._latency += (time.monotonic() - started - self._latency) * 0.2
        self.rate_limits.update(status, reply_headers)
        if 200 <= status < 300:
            return SENT, size
        if status == 429:
            logger.debug("sentry_lite: rate limited (429)")
            return LIMITED, size
        if status == 413:
            logger.warning("sentry_lite: ingest refused an envelope of %d bytes as too large", size)
            return TOO_LARGE, size
        logger.debug("sentry_lite: ingest answered %s", status)
        if status >= 500 or status == 408:
            return RETRY, size
        return REJECTED, size

    def _request(self, body: bytes, headers: Dict[str, str]) -> Tuple[int, Any]:
        """POST ``body``; status and reply headers, or an exception for a network error."""
        pool = self._get_pool()
        fast = self._fast
        if fast is not None and fast.pool_owner is pool:
            result = fast.post(body, headers)
            if result is not None:
                return result
            return self._urlopen(pool, body, headers)
        import urllib3

        from sentry_lite.transport.pool import CONNECT_TIMEOUT, READ_TIMEOUT
        from sentry_lite.transport.post import FastPost

        if type(pool) is urllib3.PoolManager:  # not a ProxyManager: the lean path fits
            conn_pool = pool.connection_from_url(self._url)
            fast = FastPost(conn_pool, self._path, self.dsn.netloc, CONNECT_TIMEOUT, READ_TIMEOUT)
            fast.pool_owner = pool
            self._fast = fast
            result = fast.post(body, headers)
            if result is not None:
                return result
        return self._urlopen(pool, body, headers)

    def _urlopen(
        self, pool: urllib3.PoolManager, body: bytes, headers: Dict[str, str]
    ) -> Tuple[int, Any]:
        """Proxies (absolute-form requests) and the fallback: urllib3's full path."""
        response = pool.urlopen(
            "POST",
            self._url,
            body=body,
            headers=dict(headers),
            retries=False,
            redirect=False,
            preload_content=True,
        )
        return response.status, response.headers

    def _prepare(self, envelope: Envelope) -> Tuple[Optional[Envelope], Optional[Item]]:
        """Trim oversized events and attach a client report when one is due."""
        envelope = trim_oversized(envelope)
        report = None
        if self._force_report or self.losses.due():
            report = self.losses.take()
            self._force_report = False
            if report is not None:
                envelope = Envelope(envelope.headers, [*envelope.items, report])
        return envelope, report

    def _handle_refusal(self, outcome: str, envelope: Envelope, size: int) -> None:
        """Count an envelope the server will never take, and stand in for a too large one.

        For a 413 the event is first trimmed to :data:`RETRY_TRIM_BUDGET` and sent once
        more (an ingest may enforce a lower limit than 1 MiB); only if that fails too is
        it counted lost and replaced by a small fallback event.
        """
        if outcome == TOO_LARGE:
            smaller = trim_oversized(envelope, RETRY_TRIM_BUDGET)
            if smaller is not envelope and self._post(smaller)[0] == SENT:
                return
        self.losses.record_envelope("send_error", envelope)
        if outcome == TOO_LARGE:
            fallback = fallback_envelope(envelope, size)
            if fallback is not None:
                result, _ = self._post(fallback)
                if result != SENT:
                    self.losses.record_envelope("send_error", fallback)

    # -- without an outbox: send straight from the queue ----------------------------
    def _send_batch(self, envelopes: List[Envelope]) -> None:
        """Encode the whole batch first, then send: one tight loop each, not interleaved."""
        ready = []
        for envelope in envelopes:
            report = None
            try:
                envelope = self._strip_limited(envelope)
                if not envelope.items:
                    continue
                prepared, report = self._prepare(envelope)
                if prepared is None:
                    continue
                ready.append((envelope, report, self._encode(prepared)))
            except Exception:  # one bad envelope must not cost the others
                logger.debug("sentry_lite: encoding an envelope failed", exc_info=True)
                if report is not None:
                    self.losses.give_back(report)  # its counts go with the next report
                self.losses.record_envelope("internal_sdk_error", envelope)
        if not ready:
            return
        fast = self._fast
        with fast.holding() if fast is not None else nullcontext():
            for envelope, report, encoded in ready:
                try:
                    self._settle(envelope, report, *self._deliver(*encoded))
                except Exception:
                    logger.debug("sentry_lite: sending an envelope failed", exc_info=True)

    def _settle(self, envelope: Envelope, report: Optional[Item], outcome: str, size: int) -> None:
        """Account for one POST's outcome: nothing to do, or count, retry, stand in."""
        if outcome == SENT:
            return
        if report is not None:
            self.losses.give_back(report)
        if outcome == NETWORK:
            self.losses.record_envelope("network_error", envelope)
        elif outcome == RETRY:
            self.losses.record_envelope("send_error", envelope)
        elif outcome == LIMITED:
            # Relay records its own outcome for a 429: count it locally, not in reports.
            self.losses.record_envelope("ratelimit_backoff", envelope, report=False)
        else:
            self._handle_refusal(outcome, envelope, size)

    def _strip_limited(self, envelope: Envelope) -> Envelope:
        if not self.rate_limits.any_active():
            return envelope  # the usual case, checked once instead of per item
        categories = [item.data_category for item in envelope.items]
        ok, limited, _ = self.rate_limits.split(categories)
        if not limited:
            return envelope
        for index in limited:
            item = envelope.items[index]
            if item.type == "client_report":
                self.losses.give_back(item)
            else:
                self.losses.record_item("ratelimit_backoff", item, envelope)
        return Envelope(envelope.headers, [envelope.items[i] for i in ok])

    def _idle_reports(self) -> Optional[float]:
        """Send a lone client report when one is due (periodically and on flush)."""
        if self._killed:
            return None
        self._send_report()
        return CLIENT_REPORT_INTERVAL if self.losses.pending() else None

    def _send_report(self) -> None:
        """Send the pending client report on its own if one is due (or a flush asked)."""
        if not (self._force_report or self.losses.due()):
            return
        self._force_report = False
        if self.rate_limits.is_limited("internal"):
            return
        report = self.losses.take()
        if report is None:
            return
        outcome, _ = self._post(Envelope({}, [report]))
        if outcome in (NETWORK, RETRY, LIMITED):
            self.losses.give_back(report)

    # -- with an outbox ---------------------------------------------------------------
    def _persist_all(self, envelopes: List[Envelope]) -> None:
        for envelope in envelopes:
            try:
                self._persist(envelope)
            except Exception:
                logger.debug("sentry_lite: spooling an envelope failed", exc_info=True)
                self.losses.record_envelope("internal_sdk_error", envelope)

    def _persist(self, envelope: Envelope) -> None:
        assert self.outbox is not None and self._sender is not None
        if self.outbox.put(envelope.serialize()):
            self._sender.wake()
        else:
            self._send_batch([envelope])  # disk unusable: behave as without an outbox

    def _evicted(self, body: Optional[bytes], reason: str) -> None:
        if body is None:
            self.losses.record(reason, "default")
            return
        try:
            envelope = Envelope.parse(body)
        except Exception:
            self.losses.record(reason, "default")
            return
        for item in envelope.items:
            if item.type == "client_report":
                self.losses.give_back(item)  # its counts go out with the next report
        self.losses.record_envelope(reason, envelope)

    def _send_from_outbox(self) -> Optional[float]:
        """Send the most overdue envelope; return when to be called again."""
        outbox = self.outbox
        if outbox is None or self._killed:
            return None
        wait = self._backoff.remaining()
        if wait > 0:
            return wait
        claim = outbox.claim()
        if claim is None:
            # Reports travel alone only when there is nothing to carry them; they are
            # written to the outbox only at shutdown (see kill), never evicting events.
            self._send_report()
            due = outbox.next_due()
            if self.losses.pending():
                due = CLIENT_REPORT_INTERVAL if due is None else min(due, CLIENT_REPORT_INTERVAL)
            return due
        try:
            self._deliver_claim(outbox, claim)
        except Exception:  # keep the file for a later attempt
            logger.debug("sentry_lite: delivering from the outbox failed", exc_info=True)
            outbox.retry(claim, file_delay(claim.attempts))
        return 0.0

    def _deliver_claim(self, outbox: Outbox, claim: Claim) -> None:
        try:
            envelope = Envelope.parse(claim.data)
        except Exception:  # a damaged file can never be sent
            outbox.discard(claim)
            self.losses.record("send_error", "default")
            return
        categories = [item.data_category for item in envelope.items]
        ok, limited, wait = self.rate_limits.split(categories)
        if not ok:
            outbox.retry(claim, wait)
            return
        if limited:
            # Send what may go now; keep the limited items until their window ends.
            held = Envelope(envelope.headers, [envelope.items[i] for i in limited])
            now = Envelope(envelope.headers, [envelope.items[i] for i in ok])
            if outbox.put(held.serialize(), delay=wait) and outbox.put(now.serialize()):
                outbox.delivered(claim)
            else:
                outbox.retry(claim, wait)
            return
        prepared, report = self._prepare(envelope)
        if prepared is None:
            outbox.delivered(claim)
            return
        outcome, size = self._post(prepared)
        if outcome == SENT:
            self._backoff.ok()
            outbox.delivered(claim)
            return
        if report is not None:
            self.losses.give_back(report)
        if outcome in (NETWORK, RETRY):
            self._backoff.fail()
            outbox.retry(claim, file_delay(claim.attempts))
        elif outcome == LIMITED:
            left = max((self.rate_limits.remaining(c) for c in categories), default=0.0)
            outbox.retry(claim, left or RETRY_INITIAL)
        else:
            outbox.discard(claim)
            self._handle_refusal(outcome, envelope, size)

    # -- introspection (tests, debugging) ----------------------------------------------
    def _threads(self) -> List[BackgroundWorker[Any]]:
        return [w for w in (self._worker, self._sender) if w is not None]
