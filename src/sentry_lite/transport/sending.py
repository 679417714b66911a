"""Sending envelopes and accounting for every outcome.

:class:`Sender` is what both delivery modes share: it posts one envelope, attaches the
pending client report when one is due (and gives its counts back when the envelope did
not go out), strips items of rate-limited categories, and stands in for an envelope the
ingest refused as too large. Without an outbox it also sends straight from the queue:
:meth:`Sender.send_batch` is the queue worker's job, :meth:`Sender.idle_reports` its
idle work.
"""

from __future__ import annotations

import logging
from contextlib import nullcontext
from typing import List, Optional, Tuple

from sentry_lite.limits import CLIENT_REPORT_INTERVAL, RETRY_TRIM_BUDGET
from sentry_lite.sdk_loggers import internal_logger as logger
from sentry_lite.transport.encoding import Encoder
from sentry_lite.transport.exchange import LIMITED, NETWORK, RETRY, SENT, TOO_LARGE, Exchange
from sentry_lite.transport.ratelimits import RateLimits
from sentry_lite.transport.reports import LossRecorder
from sentry_lite.transport.wire import Envelope, Item

__all__ = ["Sender"]


class Sender:
    def __init__(
        self,
        encoder: Encoder,
        exchange: Exchange,
        losses: LossRecorder,
        rate_limits: RateLimits,
    ) -> None:
        self.encoder = encoder
        self.exchange = exchange
        self.losses = losses
        self.rate_limits = rate_limits
        self.force_report = False
        """A flush asked for the pending client report to go out now."""
        self.stopped = False

    def post(self, envelope: Envelope) -> Tuple[str, int]:
        """POST one envelope; the outcome and its size."""
        body, size, gzipped = self.encoder.encode(envelope)
        outcome = self.exchange.deliver(body, size, gzipped)
        log_delivery(envelope, outcome, size)
        return outcome, size

    def prepare(self, envelope: Envelope) -> Tuple[Envelope, Optional[Item]]:
        """Attach the pending client report when one is due (or a flush asked for it)."""
        report = None
        if self.force_report or self.losses.due():
            report = self.losses.take()
            self.force_report = False
            if report is not None:
                envelope = envelope.with_items([*envelope.items, report])
        return envelope, report

    def strip_limited(self, envelope: Envelope) -> Envelope:
        """The envelope without items of rate-limited categories, each counted."""
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
        return envelope.with_items([envelope.items[i] for i in ok])

    def refused(self, outcome: str, envelope: Envelope, size: int) -> None:
        """Count an envelope the server will never take, and stand in for a too large one.

        For a 413 the envelope is first asked for a copy trimmed to
        :data:`RETRY_TRIM_BUDGET` and that is sent once more (an ingest may enforce a lower
        limit than 1 MiB); only if that fails too is it counted lost and replaced by the
        small fallback envelope it provides.
        """
        if outcome == TOO_LARGE:
            smaller = envelope.shrunk(RETRY_TRIM_BUDGET)
            if smaller is not None and self.post(smaller)[0] == SENT:
                return
        self.losses.record_envelope("send_error", envelope)
        if outcome == TOO_LARGE:
            fallback = envelope.too_large_fallback(size)
            if fallback is not None and self.post(fallback)[0] != SENT:
                self.losses.record_envelope("send_error", fallback)

    def send_report(self) -> None:
        """Send the pending client report on its own if one is due (or a flush asked)."""
        if not (self.force_report or self.losses.due()):
            return
        self.force_report = False
        if self.rate_limits.is_limited("internal"):
            return
        report = self.losses.take()
        if report is None:
            return
        outcome, _ = self.post(Envelope({}, [report]))
        if outcome in (NETWORK, RETRY, LIMITED):
            self.losses.give_back(report)

    # -- without an outbox: the queue worker's jobs ---------------------------------
    def send_batch(self, envelopes: List[Envelope]) -> None:
        """Encode the whole batch first, then send (pipelined where the connection allows),
        then account for each envelope: one tight loop each, not interleaved."""
        ready = []
        for envelope in envelopes:
            report = None
            try:
                envelope = self.strip_limited(envelope)
                if not envelope.items:
                    continue
                prepared, report = self.prepare(envelope)
                ready.append((envelope, report, self.encoder.encode(prepared)))
            except Exception:  # one bad envelope must not cost the others
                logger.debug("sentry_lite: encoding an envelope failed", exc_info=True)
                if report is not None:
                    self.losses.give_back(report)  # its counts go with the next report
                self.losses.record_envelope("internal_sdk_error", envelope)
        if not ready:
            return
        fast = self.exchange.fast
        with fast.holding() if fast is not None else nullcontext():
            try:
                outcomes = self.exchange.deliver_many([encoded for _, _, encoded in ready])
            except Exception:  # not expected: each envelope still gets an outcome
                logger.debug("sentry_lite: sending a batch failed", exc_info=True)
                outcomes = [NETWORK] * len(ready)
            for (envelope, report, (_, size, _)), outcome in zip(ready, outcomes):
                try:
                    log_delivery(envelope, outcome, size)
                    self._settle(envelope, report, outcome, size)
                except Exception:
                    logger.debug("sentry_lite: settling an envelope failed", exc_info=True)

    def _settle(self, envelope: Envelope, report: Optional[Item], outcome: str, size: int) -> None:
        """Account for one POST's outcome: nothing to do, or count, stand in."""
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
            self.refused(outcome, envelope, size)

    def idle_reports(self) -> Optional[float]:
        """Send a lone client report when one is due (periodically and on flush)."""
        if self.stopped:
            return None
        self.send_report()
        return CLIENT_REPORT_INTERVAL if self.losses.pending() else None


# -- i11core: debug=True shows each envelope delivered ---------------------------------------


def log_delivery(envelope: Envelope, outcome: str, size: int) -> None:
    """``debug=True``: one line per POST with the envelope's items and the outcome (drops are
    logged where they are counted); one level check when debug is off."""
    if logger.isEnabledFor(logging.DEBUG):
        items = ", ".join(str(getattr(item, "type", "?")) for item in envelope.items)
        logger.debug("sentry_lite: envelope %s [%s], %d bytes", outcome, items, size)
