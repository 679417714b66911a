"""HTTP delivery of envelopes to a Sentry-protocol ingest: the transport the client uses.

This module wires the parts together and is the app thread's side of them:

* ``sending.py``: posting envelopes and accounting for every outcome (client reports,
  rate limits, the 413 stand-in); without an outbox, sending straight from the queue;
* ``draining.py``: with ``cache_dir``, spooling envelopes to the outbox and sending
  from it; ``outbox.py`` is the spool itself;
* ``encoding.py`` (body and gzip), ``exchange.py`` (one POST), ``post.py`` (the lean
  HTTP/1.1 exchange), ``pool.py`` (urllib3 pool: TLS, proxies);
* ``worker.py``: the threads and the bounded queue.

Threads (all daemon, started lazily, restarted fresh in a forked child):

* without ``cache_dir``: ``SEND_THREADS`` workers take envelopes from the bounded queue in
  batches (transactions may wait ``LINGER`` for company, errors never do), encode a batch,
  then POST it; what cannot be sent is dropped and counted.
* with ``cache_dir``: the queue worker only persists envelopes to the outbox, and the
  sender threads send from the outbox.

The app thread only appends to the queue; when the queue is full it writes the envelope to
the outbox itself (a local file write) or, without an outbox, counts it as
``queue_overflow``.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional

from sentry_lite.dsn import Dsn
from sentry_lite.limits import (
    CACHE_MAX_AGE,
    CACHE_MAX_BYTES,
    CACHE_MAX_ENVELOPES,
    COMPRESS_MIN_BYTES,
    DEFAULT_QUEUE_SIZE,
    LINGER,
    POOL_CONNECTIONS,
    SEND_THREADS,
    SPREAD_LATENCY,
)
from sentry_lite.sdk_loggers import internal_logger as logger
from sentry_lite.transport.base import Transport
from sentry_lite.transport.encoding import Encoder
from sentry_lite.transport.exchange import Exchange
from sentry_lite.transport.ratelimits import RateLimits
from sentry_lite.transport.reports import LossRecorder
from sentry_lite.transport.sending import Sender
from sentry_lite.transport.wire import Envelope, Item
from sentry_lite.transport.worker import BackgroundWorker

if TYPE_CHECKING:
    from sentry_lite.transport.draining import OutboxDrain
    from sentry_lite.transport.outbox import Outbox


__all__ = ["COMPRESS_MIN_BYTES", "LINGER", "SEND_THREADS", "SPREAD_LATENCY", "HttpTransport"]

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
SHUTDOWN_LOSS = "queue_overflow"
"""Reason for envelopes still queued at shutdown when there is no outbox to keep them."""


def _opt(options: Mapping[str, Any], name: str, default: Any) -> Any:
    value = options.get(name)
    return default if value is None else value


def _is_urgent(envelope: Envelope) -> bool:
    # Runs on the app thread for every capture: a plain loop, no generator or property.
    for item in envelope.items:  # noqa: SIM110
        if item.headers.get("type") not in BATCHABLE:
            return True
    return False


class HttpTransport(Transport):
    def __init__(self, options: Dict[str, Any]) -> None:
        super().__init__(options)
        dsn = options["dsn"]
        self.dsn = dsn if isinstance(dsn, Dsn) else Dsn(str(dsn))
        self.rate_limits = RateLimits()
        self.losses = LossRecorder(
            send_reports=bool(_opt(options, "send_client_reports", True)),
            on_drop=options.get("on_drop"),
        )
        self._exchange = Exchange(self.options, self.dsn, self.rate_limits, POOL_CONNECTIONS)
        self._sending = Sender(Encoder(options), self._exchange, self.losses, self.rate_limits)
        self._killed = False
        self._drain: Optional[OutboxDrain] = None
        self.outbox = self._make_outbox(options)
        queue_size = int(_opt(options, "transport_queue_size", DEFAULT_QUEUE_SIZE))
        self._sender: Optional[BackgroundWorker[None]] = None
        if self._drain is not None:
            drain = self._drain
            self._worker: BackgroundWorker[Envelope] = BackgroundWorker(
                drain.persist_all,
                None,
                queue_size,
                "sentry_lite.spooler",
                self._after_fork,
            )
            self._sender = BackgroundWorker(
                lambda _: None,
                drain.send_next,
                1,
                "sentry_lite.sender",
                threads=POOL_CONNECTIONS,
                idle_on_all_threads=True,
                spread=self._outbox_backlog,
            )
            drain.share = self._share_outbox
            self._sender.wake()  # deliver what earlier processes left behind
        else:
            self._worker = BackgroundWorker(
                self._sending.send_batch,
                self._sending.idle_reports,
                queue_size,
                "sentry_lite.worker",
                self._after_fork,
                threads=POOL_CONNECTIONS,
                linger=LINGER,
                urgent=_is_urgent,
                batch_size=max(1, queue_size // 2),
                spread=lambda: self._exchange.latency >= SPREAD_LATENCY,
            )

    def _make_outbox(self, options: Mapping[str, Any]) -> Optional[Outbox]:
        directory = options.get("cache_dir")
        if not directory:
            return None
        from sentry_lite.transport.draining import OutboxDrain  # only with cache_dir
        from sentry_lite.transport.outbox import Outbox
        from sentry_lite.transport.outbox_owner import claim_directory

        try:
            claim_directory(
                os.path.abspath(os.path.expanduser(str(directory))), self.dsn.envelope_url
            )
            outbox = Outbox(
                str(directory),
                max_envelopes=int(_opt(options, "cache_max_envelopes", CACHE_MAX_ENVELOPES)),
                max_bytes=int(_opt(options, "cache_max_bytes", CACHE_MAX_BYTES)),
                max_age=float(_opt(options, "cache_max_age", CACHE_MAX_AGE)),
                on_evict=lambda body, reason: self._evicted(body, reason),
            )
        except (OSError, ValueError, TypeError) as exc:
            logger.warning(
                "sentry_lite: cache_dir %r unusable, outbox disabled: %s", directory, exc
            )
            return None
        self._drain = OutboxDrain(outbox, self._sending, self._wake_sender)
        return outbox

    def _share_outbox(self) -> None:
        if self._sender is not None and self._exchange.latency >= SPREAD_LATENCY:
            self._sender.share_idle_work()

    def _outbox_backlog(self) -> bool:
        """More files wait than one thread sends soon, and the ingest is slow enough for
        another connection to help (the sender pool grows one thread at a time)."""
        outbox = self.outbox
        return outbox is not None and self._exchange.latency >= SPREAD_LATENCY and len(outbox) > 1

    def _evicted(self, body: Optional[bytes], reason: str) -> None:
        if self._drain is not None:
            self._drain.evicted(body, reason)

    def _wake_sender(self) -> None:
        if self._sender is not None and not self._killed:
            self._sender.wake()

    def _after_fork(self) -> None:
        self._exchange.after_fork()
        self.losses.reset_after_fork()
        if self._drain is not None:
            self._drain.after_fork()

    # -- the client's side (app thread) ---------------------------------------------
    def capture_envelope(self, envelope: Envelope) -> None:
        try:
            if not self._take(envelope):
                self.losses.record_envelope("queue_overflow", envelope)
        except Exception:  # nothing may reach the app
            logger.debug("sentry_lite: capture_envelope failed", exc_info=True)

    def offer_envelope(self, envelope: Envelope) -> bool:
        try:
            return self._take(envelope)
        except Exception:  # noqa: BLE001 - nothing may reach the app; not taken
            logger.debug("sentry_lite: offer_envelope failed", exc_info=True)
            return False

    def _take(self, envelope: Envelope) -> bool:
        """Queue ``envelope``, else spill it to the outbox: False if neither has room."""
        if not self._killed and self._worker.submit(envelope):
            return True
        return self.outbox is not None and self._spill(envelope)

    def _spill(self, envelope: Envelope) -> bool:
        assert self.outbox is not None
        if not self.outbox.put(envelope.serialize()):
            return False
        self._wake_sender()
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
            self._sending.force_report = True
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
            self._sending.stopped = True
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

    # -- introspection (tests, debugging) ----------------------------------------------
    @property
    def _fast(self) -> Any:
        return self._exchange.fast

    @property
    def _latency(self) -> float:
        return self._exchange.latency

    def _threads(self) -> List[BackgroundWorker[Any]]:
        return [w for w in (self._worker, self._sender) if w is not None]


class Http2Transport(HttpTransport):
    """sentry_sdk's name for its HTTP/2 transport (``_experiments={"transport_http2":
    True}``), so that code naming, subclassing or patching it keeps working. It sends
    over HTTP/1.1 with keep-alive like :class:`HttpTransport` (urllib3 is our only HTTP
    dependency); see docs/migration.md."""
