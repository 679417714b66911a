"""With ``cache_dir``: spooling envelopes into the outbox and draining it to the ingest.

The queue worker only *persists* (fast disk writes, so the queue rarely fills even while
the ingest hangs); the sender threads deliver from the outbox oldest-first, deleting a
file once the ingest accepted it and rescheduling it with exponential backoff otherwise.
"""

from __future__ import annotations

import random
import time
from typing import Callable, List, Optional

from sentry_lite.limits import CLIENT_REPORT_INTERVAL, RETRY_INITIAL, RETRY_MAX
from sentry_lite.sdk_loggers import internal_logger as logger
from sentry_lite.transport.exchange import LIMITED, NETWORK, RETRY, SENT
from sentry_lite.transport.outbox import Claim, Outbox
from sentry_lite.transport.sending import Sender
from sentry_lite.transport.wire import Envelope, parse

__all__ = ["Backoff", "OutboxDrain", "file_delay"]


class Backoff:
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


def file_delay(attempts: int) -> float:
    """Delay before an envelope's next attempt, growing with its own failures."""
    return float(min(RETRY_MAX, RETRY_INITIAL * (2.0 ** min(attempts, 16))))


class OutboxDrain:
    def __init__(self, outbox: Outbox, sender: Sender, wake: Callable[[], None]) -> None:
        self.outbox = outbox
        self.sender = sender
        self.losses = sender.losses
        self.rate_limits = sender.rate_limits
        self._wake = wake
        """Tells a sending thread that a file is ready."""
        self.share: Optional[Callable[[], None]] = None
        """Called after a claim when more files wait: another thread may send one too."""
        self.backoff = Backoff()

    def after_fork(self) -> None:
        self.backoff = Backoff()
        self.outbox.after_fork()

    # -- the spooler (queue worker) ---------------------------------------------------
    def persist_all(self, envelopes: List[Envelope]) -> None:
        for envelope in envelopes:
            try:
                self.persist(envelope)
            except Exception:
                logger.debug("sentry_lite: spooling an envelope failed", exc_info=True)
                self.losses.record_envelope("internal_sdk_error", envelope)

    def persist(self, envelope: Envelope) -> None:
        if self.outbox.put(envelope.serialize()):
            self._wake()
        else:
            self.sender.send_batch([envelope])  # disk unusable: behave as without an outbox

    def evicted(self, body: Optional[bytes], reason: str) -> None:
        """The outbox dropped a file (bounds): count what it held."""
        if body is None:
            self.losses.record(reason, "default")
            return
        try:
            envelope = parse(body)
        except Exception:
            self.losses.record(reason, "default")
            return
        for item in envelope.items:
            if item.type == "client_report":
                self.losses.give_back(item)  # its counts go out with the next report
        self.losses.record_envelope(reason, envelope)

    # -- the sender threads -------------------------------------------------------------
    def send_next(self) -> Optional[float]:
        """Send the most overdue envelope; return when to be called again."""
        outbox = self.outbox
        if self.sender.stopped:
            return None
        wait = self.backoff.remaining()
        if wait > 0:
            return wait
        claim = outbox.claim()
        if claim is None:
            # Reports travel alone only when there is nothing to carry them; they are
            # written to the outbox only at shutdown (see kill), never evicting events.
            self.sender.send_report()
            due = outbox.next_due()
            if self.losses.pending():
                due = CLIENT_REPORT_INTERVAL if due is None else min(due, CLIENT_REPORT_INTERVAL)
            return due
        share = self.share
        if share is not None and len(outbox) > 1:
            try:
                share()
            except Exception:
                pass
        try:
            self._deliver(claim)
        except Exception:  # keep the file for a later attempt
            logger.debug("sentry_lite: delivering from the outbox failed", exc_info=True)
            outbox.retry(claim, file_delay(claim.attempts))
        return 0.0

    def _deliver(self, claim: Claim) -> None:
        outbox = self.outbox
        try:
            envelope = parse(claim.data)
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
            held = envelope.with_items([envelope.items[i] for i in limited])
            now = envelope.with_items([envelope.items[i] for i in ok])
            if outbox.put(held.serialize(), delay=wait) and outbox.put(now.serialize()):
                outbox.delivered(claim)
            else:
                outbox.retry(claim, wait)
            return
        prepared, report = self.sender.prepare(envelope)
        outcome, size = self.sender.post(prepared)
        if outcome == SENT:
            self.backoff.ok()
            outbox.delivered(claim)
            return
        if report is not None:
            self.losses.give_back(report)
        if outcome in (NETWORK, RETRY):
            self.backoff.fail()
            outbox.retry(claim, file_delay(claim.attempts))
        elif outcome == LIMITED:
            left = max((self.rate_limits.remaining(c) for c in categories), default=0.0)
            outbox.retry(claim, left or RETRY_INITIAL)
        else:
            outbox.discard(claim)
            self.sender.refused(outcome, envelope, size)
