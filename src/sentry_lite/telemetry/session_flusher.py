"""Sends session updates: application sessions one by one, request sessions as counts.

Request-mode sessions (one per web request) are counted per (release, environment) and
started minute -- ``exited``/``errored``/``crashed``/``abnormal`` -- and sent as one
``sessions`` aggregate item, as sentry_sdk does. Everything waiting goes out every
``SESSION_FLUSH_INTERVAL`` seconds from a thread started on first use, and on
``flush()``/``close()``.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any, Callable, Deque, Dict, Iterable, Iterator, List, Optional, Tuple, TypeVar

from sentry_lite.envelope import Envelope, Item
from sentry_lite.fork_reset import reset_in_forked_child
from sentry_lite.limits import (
    SESSION_FLUSH_INTERVAL,
    SESSION_MAX_KEPT,
    SESSION_MAX_PENDING,
    SESSIONS_FOLD_AFTER,
)
from sentry_lite.own_threads import own_thread
from sentry_lite.sdk_loggers import internal_logger as logger
from sentry_lite.telemetry.session import Session
from sentry_lite.timestamps import format_timestamp

__all__ = ["SessionFlusher"]


AttrsKey = Tuple[Optional[str], Optional[str]]
_T = TypeVar("_T")


def _outcome(session: Session) -> str:
    if session.status == "crashed":
        return "crashed"
    if session.status == "abnormal":
        return "abnormal"
    if session.errors > 0:
        return "errored"
    return "exited"


def _row(
    aggregates: Dict[AttrsKey, Dict[int, Dict[str, int]]], key: AttrsKey, minute: int
) -> Dict[str, int]:
    """The counts of ``key``'s ``minute`` in ``aggregates``, made empty when new."""
    states = aggregates.get(key)
    if states is None:
        states = aggregates[key] = {}
    row = states.get(minute)
    if row is None:
        row = states[minute] = {}
    return row


def _chunks(values: List[_T]) -> Iterator[List[_T]]:
    """``values`` in runs of at most SESSION_MAX_PENDING (the protocol's per envelope)."""
    for start in range(0, len(values), SESSION_MAX_PENDING):
        yield values[start : start + SESSION_MAX_PENDING]


def _envelope(items: Iterable[Item]) -> Envelope:
    envelope = Envelope({})
    for item in items:
        envelope.add_item(item)
    return envelope


class SessionFlusher:
    """Collects ended sessions and hands them to the client in envelopes."""

    def __init__(
        self,
        capture_func: Callable[[Envelope], None],
        flush_interval: float = SESSION_FLUSH_INTERVAL,
        offer_func: Optional[Callable[[Envelope], bool]] = None,
    ) -> None:
        self.capture_func = capture_func
        self.offer_func = offer_func
        """Hands an envelope over only if there is room (False: kept for the next flush).
        Why: one aggregate counts every request of a minute; a queue that a burst of
        events filled would otherwise drop them all, counted as one lost item."""
        self.flush_interval = flush_interval
        self._reset()
        reset_in_forked_child(self._reset)

    def _reset(self) -> None:
        self._kept_back = False
        self.pending_sessions: List[Dict[str, Any]] = []
        self.pending_aggregates: Dict[AttrsKey, Dict[int, Dict[str, int]]] = {}
        self._ended: Deque[Tuple[AttrsKey, int, str]] = deque()
        """Request sessions as they end, appended without a lock (one per request);
        counted into ``pending_aggregates`` under the lock by the next flush."""
        self._lock = threading.Lock()
        self._thread: Optional[threading.Thread] = None
        self._stop = threading.Event()

    def add_session(self, session: Session) -> None:
        if session.session_mode == "request":
            ended = self._ended
            ended.append(
                ((session.release, session.environment), session.started_minute, _outcome(session))
            )
            if len(ended) >= SESSIONS_FOLD_AFTER:
                with self._lock:
                    self._count_ended()
        else:
            payload = session.to_json()
            with self._lock:
                self.pending_sessions.append(payload)
        if self._thread is None:
            self._start()

    def _count_ended(self) -> None:
        """With the lock held: fold the ended request sessions into the aggregates."""
        ended = self._ended
        aggregates = self.pending_aggregates
        while ended:
            key, minute, outcome = ended.popleft()
            row = _row(aggregates, key, minute)
            row[outcome] = row.get(outcome, 0) + 1

    def _start(self) -> None:
        with self._lock:
            if self._thread is not None or self._stop.is_set():
                return
            thread = own_thread(self._loop, "sentry_lite.sessions")
            try:
                thread.start()
            except RuntimeError:  # interpreter shutting down; flush() at close still sends
                return
            self._thread = thread

    def _loop(self) -> None:
        while not self._stop.wait(self.flush_interval):
            try:
                self.flush()
            except Exception:  # noqa: BLE001
                logger.debug("sentry_lite: sending sessions failed", exc_info=True)

    def flush(self, final: bool = False) -> None:
        """Send what waits; ``final`` (the client closes): what finds no room in the
        transport is dropped and counted, else it waits for the next flush."""
        with self._lock:
            self._count_ended()
            sessions, self.pending_sessions = self.pending_sessions, []
            aggregates, self.pending_aggregates = self.pending_aggregates, {}
        parts: List[Tuple[Item, Any]] = [(Item(p, "session"), p) for p in sessions]
        for key, states in aggregates.items():
            release, environment = key
            attrs: Dict[str, Any] = {}
            if environment is not None:
                attrs["environment"] = environment
            if release is not None:
                attrs["release"] = release
            rows = []
            for minute, counts in states.items():
                row: Dict[str, Any] = {"started": format_timestamp(minute * 60.0)}
                row.update(counts)
                rows.append(row)
            parts.append((Item({"attrs": attrs, "aggregates": rows}, "sessions"), (key, states)))
        offer = None if final else self.offer_func
        refused: List[Any] = []
        for chunk in _chunks(parts):
            envelope = _envelope(item for item, _ in chunk)
            if offer is None:
                self.capture_func(envelope)
            elif not offer(envelope):
                refused.extend(source for _, source in chunk)
        self._kept_back = bool(refused)
        if refused:
            self._keep(refused)

    def kept_back(self) -> bool:
        """Did the last flush keep something back (the transport had no room for it)?"""
        return self._kept_back

    def _keep(self, sources: List[Any]) -> None:
        """Put back what the transport had no room for, under what came in meanwhile."""
        updates = [source for source in sources if isinstance(source, dict)]  # one session
        excess: List[Dict[str, Any]] = []
        with self._lock:
            if updates:
                room = max(0, SESSION_MAX_KEPT - len(self.pending_sessions))
                cut = max(0, len(updates) - room)
                excess = updates[:cut]  # the oldest go first
                self.pending_sessions[:0] = updates[cut:]
            aggregates = self.pending_aggregates
            for source in sources:
                if isinstance(source, dict):
                    continue
                key, states = source
                for minute, counts in states.items():
                    row = _row(aggregates, key, minute)
                    for outcome, count in counts.items():
                        row[outcome] = row.get(outcome, 0) + count
        # No room to keep them either: the transport drops and counts them.
        for chunk in _chunks(excess):
            self.capture_func(_envelope(Item(payload, "session") for payload in chunk))

    def kill(self) -> None:
        self._stop.set()
