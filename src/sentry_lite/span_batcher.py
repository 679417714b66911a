"""The span batcher: streamed spans are buffered per trace and sent as ``span`` items
(``application/vnd.sentry.items.span.v2+json``), one envelope per trace, since an
envelope carries one trace header (the DSC).

A trace is sent when its segment ends, when it holds many spans or bytes, every few
seconds for long-running traces, and at ``flush``/``close``. The app thread only appends
a finished span to one queue (no lock: a deque append) and wakes the batcher's thread when
a segment ends or the queue is long; that thread sorts the queue into traces, applies the
per-trace limit (spans beyond it are dropped and counted: ``queue_overflow``, category
``span``) and sends. So the per-trace byte bound is checked when the thread drains the
queue; between drains the queue's length bounds memory (``SPAN_INCOMING_MAX``).
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections import deque
from typing import Any, Callable, Deque, Dict, List, Mapping, Optional, Set, Tuple

from sentry_lite.envelope import Envelope
from sentry_lite.fork_reset import reset_in_forked_child
from sentry_lite.limits import (
    SPAN_BATCH_FLUSH_BYTES,
    SPAN_BATCH_FLUSH_COUNT,
    SPAN_BATCH_FLUSH_INTERVAL,
    SPAN_BATCH_MAX_ITEMS,
    SPAN_BATCH_MAX_QUEUED,
    SPAN_INCOMING_MAX,
)
from sentry_lite.own_threads import own_thread
from sentry_lite.sdk_loggers import internal_logger as logger
from sentry_lite.span_item import SpanBatchItem
from sentry_lite.timestamps import now_iso

__all__ = ["SpanBatcher"]


Queued = Tuple[Dict[str, Any], Any]
"""A span's JSON and its segment (whose DSC heads the envelope)."""


def _estimate_size(span: Dict[str, Any]) -> int:
    """A cheap guess of the encoded size: a fixed part plus the attributes."""
    attributes = span.get("attributes") or {}
    size = 210 + 58 * len(attributes)
    for value in attributes.values():
        if type(value) is str:
            size += len(value)
    return size


class _Busy(threading.local):
    """Set on the batcher's own thread and while ``flush`` runs; a class default, so
    the app thread reads it without a getattr fallback."""

    flag = False


class SpanBatcher:
    def __init__(
        self,
        capture_envelope: Callable[[Envelope], None],
        record_lost_event: Callable[..., None],
    ) -> None:
        self._capture_envelope = capture_envelope
        self._record_lost_event = record_lost_event
        self._global_source: Optional[Callable[[], Mapping[str, Any]]] = None
        self._reset()
        # Without fork hooks, ``add`` compares the pid each time.
        self._check_pid = not reset_in_forked_child(self._after_fork)

    def use_global_attributes(self, source: Callable[[], Mapping[str, Any]]) -> None:
        """Attributes every span gets when it is sent, below its own (the global scope's)."""
        self._global_source = source

    def _reset(self) -> None:
        self._incoming: Deque[Queued] = deque()
        self._buffer: Dict[str, List[Queued]] = {}
        self._sizes: Dict[str, int] = {}
        self._pending: Set[str] = set()
        self._lock = threading.Lock()
        self._sending = threading.Lock()
        self._wake = threading.Event()
        self._running: bool = True
        self._thread: Optional[threading.Thread] = None
        self._pid: Optional[int] = None
        self._busy = _Busy()
        self._last_full_flush = time.monotonic()

    def _after_fork(self) -> None:
        """In a forked child: no thread came along, and the parent's spans are not ours."""
        running = self._running
        self._reset()
        self._running = running

    # -- the app thread -------------------------------------------------------------------
    def add(self, span: Dict[str, Any], segment: Any) -> None:
        if self._busy.flag:
            return  # re-entered from our own flush (a warning logged while sending)
        if (self._thread is None or self._check_pid) and not self._ensure_thread():
            return
        incoming = self._incoming
        if len(incoming) >= SPAN_INCOMING_MAX:  # the thread is far behind: keep memory bound
            self._record_lost_event("queue_overflow", "span", 1)
            return
        incoming.append((span, segment))
        if span["is_segment"] is True or len(incoming) >= SPAN_BATCH_FLUSH_COUNT:
            wake = self._wake
            if not wake.is_set():
                wake.set()

    def _ensure_thread(self) -> bool:
        """Start the sender thread (again, after a fork)."""
        if not self._running:
            return False
        pid = os.getpid()
        if self._pid == pid:
            return True
        with self._lock:
            if self._pid == pid:
                return True
            if self._pid is not None:  # a forked child: the parent's spans are not ours
                self._incoming.clear()
                self._buffer.clear()
                self._sizes.clear()
                self._pending.clear()
            self._pid = pid
            thread = own_thread(self._loop, "sentry_lite.spans")
            try:
                thread.start()
            except RuntimeError:  # interpreter shutting down
                self._running = False
                return False
            self._thread = thread
        return True

    # -- the batcher's thread ---------------------------------------------------------------
    def _loop(self) -> None:
        self._busy.flag = True
        while self._running:
            wait = SPAN_BATCH_FLUSH_INTERVAL * (1 + 0.1 * random.random())
            self._wake.wait(wait)
            self._wake.clear()
            try:
                self._flush(only_pending=True)
                if time.monotonic() - self._last_full_flush >= wait:
                    self._flush()
                    self._last_full_flush = time.monotonic()
            except Exception:  # noqa: BLE001 - the thread must outlive one bad batch
                logger.warning("sentry_lite: sending spans failed", exc_info=True)

    def _flush(self, only_pending: bool = False) -> None:
        # One flush at a time: ``flush()`` returns only once a send the thread has
        # started is in the transport's queue too (else exiting right after loses it).
        with self._sending:
            self._flush_locked(only_pending)

    def _drain(self) -> int:
        """Sort the queued spans into their traces (under ``_lock``); the number dropped."""
        incoming = self._incoming
        buffer, sizes, pending = self._buffer, self._sizes, self._pending
        flush_count, flush_bytes = SPAN_BATCH_FLUSH_COUNT, SPAN_BATCH_FLUSH_BYTES
        dropped = 0
        while incoming:
            queued_span = incoming.popleft()
            span = queued_span[0]
            trace_id = span["trace_id"]
            queued = buffer.get(trace_id)
            if queued is None:
                queued = buffer[trace_id] = []
                sizes[trace_id] = 0
            count = len(queued)
            if count >= SPAN_BATCH_MAX_QUEUED:
                dropped += 1
                continue
            queued.append(queued_span)
            size = sizes[trace_id] = sizes[trace_id] + _estimate_size(span)
            if span["is_segment"] is True or count + 1 >= flush_count or size >= flush_bytes:
                pending.add(trace_id)
        return dropped

    def _flush_locked(self, only_pending: bool) -> None:
        with self._lock:
            dropped = self._drain()
            traces = list(self._pending) if only_pending else list(self._buffer)
            self._pending.clear()
            batches = [(t, self._buffer.pop(t, None)) for t in traces]
            for trace_id in traces:
                self._sizes.pop(trace_id, None)
        if dropped:
            self._record_lost_event("queue_overflow", "span", dropped)
        for _trace_id, queued in batches:
            if queued:
                self._send(queued)

    def _send(self, queued: List[Queued]) -> None:
        try:
            dsc = queued[0][1]._dynamic_sampling_context()
        except Exception:  # noqa: BLE001
            logger.debug("sentry_lite: no DSC for a span batch", exc_info=True)
            dsc = None
        source = self._global_source
        # A copy: the item is encoded later, on the sending thread, while the app may
        # change the global scope's attributes.
        global_attributes = dict(source()) if source is not None else {}
        for start in range(0, len(queued), SPAN_BATCH_MAX_ITEMS):
            chunk = queued[start : start + SPAN_BATCH_MAX_ITEMS]
            headers: Dict[str, Any] = {"sent_at": now_iso()}
            if dsc:
                headers["trace"] = dsc
            envelope = Envelope(headers)
            envelope.add_item(SpanBatchItem([span for span, _ in chunk], global_attributes))
            self._capture_envelope(envelope)

    # -- lifecycle ---------------------------------------------------------------------------
    def flush(self) -> None:
        """Send everything buffered now (``client.flush``), on the calling thread."""
        was_busy = self._busy.flag
        self._busy.flag = True
        try:
            self._flush()
        finally:
            self._busy.flag = was_busy

    def kill(self) -> None:
        """Stop the thread; what is buffered is sent by the flush that precedes this."""
        self._running = False
        self._wake.set()
        self._thread = None
