"""Background batchers for logs and trace metrics: the app thread appends, a thread sends.

Adding is a deque append, without a lock (``append`` and ``popleft`` are atomic, and
only the batcher's side takes items out); the wire form (typed attributes, the ``version: 2``
container) is built on the batcher's thread when a batch goes out, either when
``flush_count`` items wait or every ``TELEMETRY_FLUSH_INTERVAL`` seconds. The envelope
goes through the client, so the transport's queue, outbox, rate limits and client reports
apply. Beyond ``max_items`` waiting, new items are dropped and counted (queue_overflow).
"""

from __future__ import annotations

import random
import threading
from collections import deque
from json.encoder import encode_basestring
from typing import Any, Callable, Deque, Dict, List, Mapping, Optional, Tuple

from sentry_lite import shortcuts
from sentry_lite.envelope import Envelope, Item
from sentry_lite.fork_reset import reset_in_forked_child
from sentry_lite.limits import (
    LOG_BATCH_FLUSH_COUNT,
    LOG_BATCH_MAX,
    METRIC_BATCH_FLUSH_COUNT,
    METRIC_BATCH_MAX,
    TELEMETRY_FLUSH_INTERVAL,
)
from sentry_lite.own_threads import own_thread
from sentry_lite.sdk_loggers import internal_logger as logger
from sentry_lite.telemetry.log_records import metric_record, record_of
from sentry_lite.timestamps import now_iso
from sentry_lite.tracing.attributes import serialize_attribute
from sentry_lite.transport.wire import compact_json

__all__ = ["Batcher", "LogBatcher", "MetricsBatcher"]


Record = Dict[str, Any]
RecordLost = Callable[..., None]


class _ActiveFlag(threading.local):
    """Set while this thread runs batcher code; a class default, so reading it on a
    thread that never set it costs no AttributeError (the hot path of ``add``)."""

    flag = False


class Batcher:
    """Collects records of one kind and sends them in batches from its own thread."""

    TYPE = ""
    CLIENT_REPORT_TYPE = ""
    BYTE_CATEGORY = ""
    CONTENT_TYPE = ""
    flush_count = 100
    max_items = 1_000
    interval = TELEMETRY_FLUSH_INTERVAL

    def __init__(
        self,
        capture_func: Callable[[Envelope], None],
        record_lost_func: RecordLost,
        global_attributes: Optional[Mapping[str, Any]] = None,
    ) -> None:
        self._capture_func = capture_func
        self._record_lost_func = record_lost_func
        self.global_attributes: Mapping[str, Any] = global_attributes or {}
        """Added on the batcher's thread; empty when a before_send hook already saw them."""
        self._average_bytes = 0
        """Bytes per record of the last batch sent (what a dropped record is counted as)."""
        self._own_globals = self.global_attributes
        self._scope_globals: Optional[Callable[[], Mapping[str, Any]]] = None
        self._seen_scope_globals: Dict[str, Any] = {}
        self._global_fragment = self._fragment()
        """The global attributes as JSON members, encoded once rather than per record."""
        self._reset_thread_state()
        reset_in_forked_child(self._reset_thread_state)

    def _fragment(self) -> str:
        return _dumps({str(k): serialize_attribute(v) for k, v in self.global_attributes.items()})[
            1:-1
        ]

    def use_scope_globals(self, source: Callable[[], Mapping[str, Any]]) -> None:
        """Attributes read when a batch goes out, between the own globals and a record's."""
        self._scope_globals = source
        self._refresh_globals()

    def _refresh_globals(self) -> None:
        source = self._scope_globals
        if source is None:
            return
        current = source()
        if current == self._seen_scope_globals:  # a dict compare per batch
            return
        seen = dict(current)
        merged = dict(self._own_globals)
        merged.update(seen)
        self.global_attributes = merged
        self._global_fragment = self._fragment()
        self._seen_scope_globals = seen

    def _reset_thread_state(self) -> None:
        """A fresh buffer, lock and (not yet started) thread: at creation and in a fork child."""
        self._buffer: Deque[Record] = deque()
        self._lock = threading.Lock()
        self._active = _ActiveFlag()
        self._wake = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._running = True

    # -- the app thread -------------------------------------------------------------------
    def add(self, record: Record) -> None:
        if self._active.flag:
            return  # re-entered from our own flush (a warning logged while sending)
        if self._thread is None and not self._start():
            return
        buffer = self._buffer
        # Two threads adding at once may both pass the check: the bound is kept within
        # the number of app threads, which is all it is for (memory).
        if len(buffer) < self.max_items:
            buffer.append(record)
            if len(buffer) == self.flush_count:
                self._wake.set()
            return
        self.record_lost(record, "queue_overflow")

    def _start(self) -> bool:
        with self._lock:
            if self._thread is not None:
                return True
            if not self._running:
                return False
            thread = own_thread(self._flush_loop, f"sentry_lite.{self.TYPE}")
            try:
                thread.start()
            except RuntimeError:  # interpreter shutting down
                self._running = False
                return False
            self._thread = thread
            return True

    # -- the batcher's thread ---------------------------------------------------------------
    def _flush_loop(self) -> None:
        self._active.flag = True
        while self._running:
            self._wake.wait(self.interval + random.random())
            self._wake.clear()
            try:
                self._flush()
            except Exception:  # noqa: BLE001 - one bad batch must not stop the thread
                logger.debug("sentry_lite: sending a %s batch failed", self.TYPE, exc_info=True)

    def flush(self) -> None:
        """Send what waits now, on the calling thread (``flush()``/``close()``)."""
        was_active = self._active.flag
        self._active.flag = True
        try:
            self._flush()
        except Exception:  # noqa: BLE001
            logger.debug("sentry_lite: sending a %s batch failed", self.TYPE, exc_info=True)
        finally:
            self._active.flag = was_active

    def _flush(self) -> Optional[Envelope]:
        with self._lock:  # one flush at a time (the thread's and ``flush()``)
            buffer = self._buffer
            if not buffer:
                return None
            take = buffer.popleft
            records = [take() for _ in range(len(buffer))]  # what came later waits
        envelope = Envelope({"sent_at": now_iso()})
        item = self.to_item(records)
        if records:  # (encodes now what the sending thread would encode anyway)
            self._average_bytes = max(1, len(item.payload) // len(records))
        envelope.add_item(item)
        self._capture_func(envelope)
        return envelope

    def kill(self) -> None:
        self._running = False
        self._wake.set()

    # -- wire form --------------------------------------------------------------------------
    def to_item(self, records: List[Record]) -> Item:
        self._refresh_globals()
        headers = {"item_count": len(records), "content_type": self.CONTENT_TYPE}
        if shortcuts.enabled and self._global_fragment:
            return Item(self._encode(records), self.TYPE, headers=headers)
        return Item(
            {"version": 2, "items": [self.to_wire(record, True) for record in records]},
            self.TYPE,
            headers=headers,
        )

    def _encode(self, records: List[Record]) -> bytes:
        """The container's bytes, written from parts: each record's head as JSON, then
        its attributes as members, each distinct (key, value) encoded once per batch
        (records from one call site repeat most of theirs: logger, file, thread...),
        then the pre-encoded global attributes.

        A record that has one of the global attributes' keys is encoded with the globals
        merged (its own value wins). Equal, as JSON, to encoding ``to_wire(record, True)``:
        a differential test checks."""
        global_keys = self.global_attributes.keys()
        fragment = self._global_fragment
        memo: Dict[Tuple[str, type, Any], str] = {}
        texts = []
        for record in records:
            record = self.record_of(record)
            head, attributes = self.wire_parts(record)
            if not global_keys.isdisjoint(attributes):
                texts.append(_dumps(self.to_wire(record, True)))
                continue
            members = []
            for key, value in attributes.items():
                kind = type(value)
                if kind in _MEMO_KINDS:
                    memo_key = (key, kind, value)
                    member = memo.get(memo_key)
                    if member is None:
                        member = memo[memo_key] = _member(key, value)
                else:
                    member = _member(key, value)
                members.append(member)
            members.append(fragment)
            texts.append(_head(head) + ',"attributes":{' + ",".join(members) + "}}")
        body = '{"version":2,"items":[' + ",".join(texts) + "]}"
        return body.encode("utf-8", "replace")

    def to_wire(self, record: Record, with_globals: bool) -> Dict[str, Any]:
        """The record's wire form (what ``_encode`` must equal)."""
        wire, attributes = self.wire_parts(self.record_of(record))
        wire["attributes"] = self.wire_attributes(attributes, with_globals)
        return wire

    def wire_parts(self, record: Record) -> Tuple[Dict[str, Any], Mapping[str, Any]]:
        """The wire form without ``attributes``, and the attributes not yet serialized."""
        raise NotImplementedError

    @staticmethod
    def record_of(record: Any) -> Record:
        """An entry of the buffer as a record (entries may be kept in a cheaper form)."""
        return record_of(record)

    def wire_attributes(self, attributes: Mapping[str, Any], with_globals: bool) -> Dict[str, Any]:
        if with_globals:
            merged = dict(self.global_attributes)
            merged.update(attributes)
            attributes = merged
        return {str(key): serialize_attribute(value) for key, value in attributes.items()}

    def record_lost(self, record: Record, reason: str) -> None:
        """Count a record that will not be sent (its bytes too, for logs)."""
        average = self._average_bytes
        if reason == "queue_overflow" and average:
            # The app is outrunning the batcher: encoding each dropped record to count
            # its bytes would cost the app thread ~40 us per log just when it is busiest;
            # the last batch's bytes per record stand in for it.
            try:
                self._record_lost_func(
                    reason=reason, data_category=self.CLIENT_REPORT_TYPE, quantity=1
                )
                self._record_lost_func(
                    reason=reason, data_category=self.BYTE_CATEGORY, quantity=average
                )
            except Exception:  # noqa: BLE001
                logger.debug("sentry_lite: could not count a lost %s", self.TYPE, exc_info=True)
            return
        try:
            item: Optional[Item] = self.to_item([record])
        except Exception:  # noqa: BLE001
            item = None
        try:
            self._record_lost_func(
                reason=reason, data_category=self.CLIENT_REPORT_TYPE, item=item, quantity=1
            )
        except Exception:  # noqa: BLE001
            logger.debug("sentry_lite: could not count a lost %s", self.TYPE, exc_info=True)


class LogBatcher(Batcher):
    TYPE = "log"
    CLIENT_REPORT_TYPE = "log_item"
    BYTE_CATEGORY = "log_byte"
    CONTENT_TYPE = "application/vnd.sentry.items.log+json"
    flush_count = LOG_BATCH_FLUSH_COUNT
    max_items = LOG_BATCH_MAX

    def wire_parts(self, record: Record) -> Tuple[Dict[str, Any], Mapping[str, Any]]:
        attributes = dict(record.get("attributes") or {})
        attributes.setdefault("sentry.severity_number", record.get("severity_number"))
        attributes.setdefault("sentry.severity_text", record.get("severity_text"))
        wire: Dict[str, Any] = {
            "timestamp": int(record["time_unix_nano"]) / 1.0e9,
            "level": str(record.get("severity_text")),
            "body": str(record.get("body")),
        }
        if record.get("trace_id") is not None:
            wire["trace_id"] = record["trace_id"]
        if record.get("span_id") is not None:
            wire["span_id"] = record["span_id"]
        return wire, attributes


class MetricsBatcher(Batcher):
    TYPE = "trace_metric"
    CLIENT_REPORT_TYPE = "trace_metric"
    BYTE_CATEGORY = "trace_metric_byte"
    CONTENT_TYPE = "application/vnd.sentry.items.trace-metric+json"
    flush_count = METRIC_BATCH_FLUSH_COUNT
    max_items = METRIC_BATCH_MAX

    @staticmethod
    def record_of(record: Any) -> Record:
        return metric_record(record) if type(record) is tuple else record

    def wire_parts(self, record: Record) -> Tuple[Dict[str, Any], Mapping[str, Any]]:
        wire: Dict[str, Any] = {
            "timestamp": record["timestamp"],
            "name": record["name"],
            "type": record["type"],
            "value": record["value"],
        }
        for key in ("trace_id", "span_id", "unit"):
            if record.get(key) is not None:
                wire[key] = record[key]
        return wire, record.get("attributes") or {}


_dumps = compact_json
_quote = encode_basestring
"""A JSON string as ``_dumps`` writes it (no ASCII escaping), in C."""
"""As ``transport.wire.dumps`` (compact, no NaN) but text, for splicing."""

_MEMO_KINDS = frozenset((str, int, float, bool))
"""Attribute values encoded once per batch (hashable, and kept apart by type: 1, 1.0
and True are equal keys otherwise)."""


def _head(head: Dict[str, Any]) -> str:
    """``_dumps(head)`` without its closing brace, written by hand for the scalars a
    record's head holds (an encoder call per record costs more than the record)."""
    parts = []
    for key, value in head.items():
        kind = type(value)
        if kind is str:
            text = _quote(value)
        elif kind is int or (kind is float and value - value == 0.0):  # no NaN/inf
            text = repr(value)
        else:
            text = _dumps(value)
        parts.append(_quote(key) + ":" + text)
    return "{" + ",".join(parts)


def _member(key: Any, value: Any) -> str:
    return _dumps(str(key)) + ":" + _dumps(serialize_attribute(value))
