"""Counting every discarded item, for client reports and for the app's own ``on_drop`` hook.

Client reports (https://develop.sentry.dev/sdk/telemetry/client-reports/) are
``client_report`` items whose payload is
``{"timestamp": <unix seconds>, "discarded_events": [{"reason", "category", "quantity"}]}``.
Counts accumulate here and are taken out in one report: attached to an outgoing envelope
or sent alone every :data:`CLIENT_REPORT_INTERVAL` seconds, and at flush/shutdown.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque
from typing import Any, Callable, DefaultDict, Deque, Dict, List, Optional, Tuple

from sentry_lite.limits import CLIENT_REPORT_INTERVAL, LOSSES_FOLD_AFTER
from sentry_lite.sdk_loggers import internal_logger as logger
from sentry_lite.transport.reentry import held_here, new_lock
from sentry_lite.transport.wire import Envelope, Item

__all__ = ["CLIENT_REPORT_INTERVAL", "LossRecorder", "OnDrop"]

OnDrop = Callable[[Optional[Envelope], str, str, int], Any]
"""``on_drop(envelope_or_None, reason, category, quantity)``: the app's view of its losses."""


class LossRecorder:
    """Thread-safe tally of ``(category, reason) -> quantity`` plus the local hook."""

    def __init__(self, send_reports: bool = True, on_drop: Optional[OnDrop] = None) -> None:
        self.send_reports = send_reports
        self.on_drop = on_drop if callable(on_drop) else None
        self._lock = new_lock()
        self._deferred: Deque[Tuple[str, str, int, bool]] = deque()
        """Losses as recorded: appended without a lock (a deque append is atomic), added to
        the counts by whoever reads them next, under the lock. Recording is on app threads
        (an unsampled transaction records two), so it takes no lock and it cannot block
        a signal handler that interrupted a reader."""
        self._counts: DefaultDict[Tuple[str, str], int] = defaultdict(int)
        self._last_taken = time.monotonic()
        self._totals: DefaultDict[Tuple[str, str], int] = defaultdict(int)

    @property
    def totals(self) -> DefaultDict[Tuple[str, str], int]:
        """Everything ever recorded in this process (never reset): for tests and debugging."""
        if not held_here(self._lock):
            with self._lock:
                self._fold_deferred()
        return self._totals

    def reset_after_fork(self) -> None:
        """The parent reports what it lost; a forked child starts from zero."""
        self._lock = new_lock()
        self._deferred = deque()
        self._counts = defaultdict(int)
        self._totals = defaultdict(int)
        self._last_taken = time.monotonic()

    # -- recording --------------------------------------------------------
    def record(
        self,
        reason: str,
        category: str,
        quantity: int = 1,
        envelope: Optional[Envelope] = None,
        report: bool = True,
    ) -> None:
        """Count a loss; ``report=False`` keeps it out of client reports (Relay counted it)."""
        if quantity <= 0:
            return
        deferred = self._deferred
        deferred.append((category, reason, quantity, report))
        if len(deferred) >= LOSSES_FOLD_AFTER and not held_here(self._lock):
            with self._lock:  # bounded, even when nothing reads the counts for a while
                self._fold_deferred()
        if reason != "sample_rate":  # by design, once per unsampled trace: not worth a line
            logger.debug("sentry_lite: discarded %d %s (%s)", quantity, category, reason)
        hook = self.on_drop
        if hook is not None:
            try:
                hook(envelope, reason, category, quantity)
            except Exception:  # the app's hook must never break delivery
                logger.debug("sentry_lite: on_drop hook raised", exc_info=True)

    def _add(self, category: str, reason: str, quantity: int, report: bool) -> None:
        self._totals[category, reason] += quantity
        if report and self.send_reports and category != "internal":
            self._counts[category, reason] += quantity

    def _fold_deferred(self) -> None:
        """With the lock held: count what was recorded since the last fold."""
        deferred = self._deferred
        while deferred:
            self._add(*deferred.popleft())

    def record_item(
        self,
        reason: str,
        item: Item,
        envelope: Optional[Envelope] = None,
        report: bool = True,
    ) -> None:
        """Record one lost item with the quantities the protocol asks for."""
        for category, quantity in item_outcomes(item):
            self.record(reason, category, quantity, envelope, report)

    def record_envelope(self, reason: str, envelope: Envelope, report: bool = True) -> None:
        for item in envelope.items:
            self.record_item(reason, item, envelope, report)

    # -- reporting --------------------------------------------------------
    def pending(self) -> bool:
        if held_here(self._lock):
            return bool(self._counts or self._deferred)
        with self._lock:
            self._fold_deferred()
            return bool(self._counts)

    def due(self, interval: float = CLIENT_REPORT_INTERVAL) -> bool:
        return self.pending() and time.monotonic() - self._last_taken >= interval

    def take(self) -> Optional[Item]:
        """Remove the pending counts and return them as a ``client_report`` item."""
        if held_here(self._lock):
            return None  # taken by the interrupted code, or at the next chance
        with self._lock:
            self._fold_deferred()
            counts = self._counts
            self._counts = defaultdict(int)
            self._last_taken = time.monotonic()
        if not counts:
            return None
        payload: Dict[str, Any] = {
            "timestamp": time.time(),
            "discarded_events": [
                {"reason": reason, "category": category, "quantity": quantity}
                for (category, reason), quantity in sorted(counts.items())
            ],
        }
        return Item(payload, "client_report")

    def give_back(self, item: Item) -> None:
        """Re-add the counts of a report that could not be sent, so they are not lost."""
        if not self.send_reports:
            return
        data = item.get_json()
        entries: List[Any] = data.get("discarded_events", []) if isinstance(data, dict) else []
        if held_here(self._lock):
            return  # only a report's own sender gives back, never from a signal handler
        with self._lock:
            for entry in entries:
                try:
                    self._counts[str(entry["category"]), str(entry["reason"])] += int(
                        entry["quantity"]
                    )
                except (KeyError, TypeError, ValueError):
                    continue


def item_outcomes(item: Item) -> List[Tuple[str, int]]:
    """The (category, quantity) pairs a lost item counts as."""
    category = item.data_category
    if item.type == "client_report":
        return []
    if category == "transaction":
        event = item.unfinished_json()
        spans = event.get("spans") if isinstance(event, dict) else None
        return [("transaction", 1), ("span", (len(spans) if isinstance(spans, list) else 0) + 1)]
    if category in ("span", "log_item", "trace_metric"):
        count = item.headers.get("item_count")
        quantity = count if isinstance(count, int) and count > 0 else 1
        out = [(category, quantity)]
        if category == "log_item":
            out.append(("log_byte", len(item.payload)))
        elif category == "trace_metric":
            out.append(("trace_metric_byte", len(item.payload)))
        return out
    if category == "attachment":
        return [("attachment", len(item.payload) or 1)]
    return [(category, 1)]
