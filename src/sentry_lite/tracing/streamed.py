"""Streamed spans (``trace_lifecycle="stream"``): each span is sent on its own when it
ends, with typed attributes instead of tags and data.

A *segment* is the root span of a trace's local part (what a transaction was); its
children know it as ``_segment``. The span reaches its scope through the scope object it
was started on (``scope.streamed_span`` is the active span) and the client through the
tracing host, so this module imports neither.
"""

from __future__ import annotations

import sys
import threading
import time
import warnings
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Any, Dict, Iterator, Optional, Tuple, Union

from sentry_lite.sdk_loggers import logger
from sentry_lite.tracing import host
from sentry_lite.tracing.attributes import Attributes, AttributeValue, format_attribute
from sentry_lite.tracing.baggage import Baggage
from sentry_lite.tracing.dsc import head_items
from sentry_lite.tracing.ids import new_span_id, new_trace_id, sample_rand_from_trace_id
from sentry_lite.tracing.stream_sampling import DERIVE_SAMPLE_RAND

__all__ = [
    "LOW_QUALITY_SEGMENT_SOURCES",
    "SOURCE_FOR_STYLE",
    "SegmentNameSource",
    "SpanStatus",
    "StreamedSpan",
]


_now = time.time
_monotonic_ns = time.perf_counter_ns
_current_thread = threading.current_thread


class SpanStatus(str, Enum):
    OK = "ok"
    ERROR = "error"

    def __str__(self) -> str:
        return self.value


_VALID_STATUSES = frozenset(s.value for s in SpanStatus)


class SegmentNameSource(str, Enum):
    """Where a segment's name came from (``sentry.segment.name.source``)."""

    COMPONENT = "component"
    CUSTOM = "custom"
    ROUTE = "route"
    TASK = "task"
    URL = "url"
    VIEW = "view"

    def __str__(self) -> str:
        return self.value


LOW_QUALITY_SEGMENT_SOURCES = [SegmentNameSource.URL]
"""Sources too high-cardinality to name the trace in the DSC."""

SOURCE_FOR_STYLE = {
    "endpoint": SegmentNameSource.COMPONENT,
    "function_name": SegmentNameSource.COMPONENT,
    "handler_name": SegmentNameSource.COMPONENT,
    "method_and_path_pattern": SegmentNameSource.ROUTE,
    "path": SegmentNameSource.URL,
    "route_name": SegmentNameSource.COMPONENT,
    "route_pattern": SegmentNameSource.ROUTE,
    "uri_template": SegmentNameSource.ROUTE,
    "url": SegmentNameSource.ROUTE,
}

_SOURCE = "sentry.segment.name.source"
_EXC = Optional[Any]


def _is_error(ty: Any, value: Any) -> bool:
    """SystemExit(0) (and None) end a span normally; anything else marks it failed."""
    if ty is SystemExit or isinstance(value, SystemExit):
        return getattr(value, "code", None) not in (0, None)
    return True


def _as_datetime(value: Union[float, datetime, None]) -> Optional[datetime]:
    if isinstance(value, datetime):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    return None


class StreamedSpan:
    """A span of span streaming; ``end()`` (or leaving ``with``) queues it for sending."""

    __slots__ = (
        "_active",
        "_attributes",
        "_baggage",
        "_end_timestamp",
        "_name",
        "_parent_sampled",
        "_parent_span_id",
        "_previous_span_on_scope",
        "_sample_rand",
        "_sample_rate",
        "_scope",
        "_segment",
        "_span_id",
        "_start_ns",
        "_start_timestamp",
        "_status",
        "_trace_id",
    )

    def __init__(
        self,
        *,
        name: str,
        attributes: Optional[Attributes] = None,
        active: bool = True,
        scope: Any,
        segment: Optional[StreamedSpan] = None,
        trace_id: Optional[str] = None,
        parent_span_id: Optional[str] = None,
        parent_sampled: Optional[bool] = None,
        baggage: Optional[Baggage] = None,
        sample_rate: Optional[float] = None,
        sample_rand: Optional[float] = None,
    ) -> None:
        self._name = name
        self._active = active
        self._attributes: Attributes = {
            "sentry.origin": "manual",
            "sentry.trace_lifecycle": "stream",
        }
        if attributes:
            self.set_attributes(attributes)
        self._scope = scope
        self._segment = segment or self
        self._trace_id = trace_id
        self._parent_span_id = parent_span_id
        self._parent_sampled = parent_sampled
        self._baggage = baggage
        self._sample_rand = sample_rand
        self._sample_rate = sample_rate
        self._start_timestamp = _now()
        self._start_ns = _monotonic_ns()
        self._end_timestamp: Optional[float] = None
        self._span_id: Optional[str] = None
        self._status = "ok"
        thread = _current_thread()
        self._attributes["thread.id"] = str(thread.ident)
        self._attributes["thread.name"] = thread.name
        if segment is None:
            self._set_segment_attributes()
        self._start()

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__}(name={self._name}, trace_id={self.trace_id}, "
            f"span_id={self.span_id}, parent_span_id={self._parent_span_id}, "
            f"active={self._active})>"
        )

    def __enter__(self) -> StreamedSpan:
        return self

    def __exit__(self, ty: _EXC, value: _EXC, tb: _EXC) -> None:
        if self._end_timestamp is not None:
            return
        if value is not None and _is_error(ty, value):
            self._status = "error"
        self._end()

    def end(self, end_timestamp: Optional[Union[float, datetime]] = None) -> None:
        """Finish the span (now, or at ``end_timestamp``) and queue it for sending."""
        self._end(end_timestamp)

    def finish(self, end_timestamp: Optional[Union[float, datetime]] = None) -> None:
        warnings.warn(
            "span.finish() is deprecated. Use span.end() instead.",
            DeprecationWarning,
            stacklevel=2,
        )
        self._end(end_timestamp)

    # -- lifecycle ----------------------------------------------------------------------
    def _start(self) -> None:
        if self._active:
            scope = self._scope
            self._previous_span_on_scope = scope.streamed_span
            scope.streamed_span = self

    def _end(self, end_timestamp: Optional[Union[float, datetime]] = None) -> None:
        if self._end_timestamp is not None:
            return
        scope = self._scope
        if self._active:
            try:
                scope.streamed_span = self._previous_span_on_scope
                del self._previous_span_on_scope
            except Exception:  # noqa: BLE001
                logger.debug("sentry_lite: could not restore the scope's span", exc_info=True)
        segment = self._segment
        attributes = self._attributes
        # Set at the end: the segment may have been renamed while it ran.
        attributes["sentry.segment.id"] = segment.span_id
        attributes["sentry.segment.name"] = segment._name
        self._add_conversation_id(scope)
        ended = _as_datetime(end_timestamp) if end_timestamp is not None else None
        if ended is not None:
            self._end_timestamp = ended.timestamp()
        else:
            if end_timestamp is not None:
                logger.debug("sentry_lite: bad end_timestamp %r; using now", end_timestamp)
            elapsed_ns = _monotonic_ns() - self._start_ns
            self._end_timestamp = self._start_timestamp + elapsed_ns / 1e9
        host.current.capture_span(self, scope)  # a no-op without an active client

    def _add_conversation_id(self, scope: Any) -> None:
        """AI spans carry the scope's conversation id (``gen_ai.conversation.id``)."""
        get = getattr(scope, "get_conversation_id", None)
        conversation_id = get() if get is not None else None
        if not conversation_id:
            return
        op = self._attributes.get("sentry.op")
        if "gen_ai.operation.name" in self._attributes or (
            isinstance(op, str) and op.startswith(("ai.", "gen_ai."))
        ):
            self._attributes["gen_ai.conversation.id"] = conversation_id

    def _set_segment_attributes(self) -> None:
        client = host.current.client()
        attributes = self._attributes
        attributes["sentry.platform"] = "python"
        attributes["process.command_args"] = format_attribute(sys.argv)
        integrations = getattr(client, "integrations", None) or {}
        attributes["sentry.sdk.integrations"] = sorted(integrations)
        if not attributes.get(_SOURCE):
            attributes[_SOURCE] = SegmentNameSource.CUSTOM.value
        dist = client.options.get("dist")
        if dist and "sentry.dist" not in attributes:
            attributes["sentry.dist"] = str(dist).strip()

    # -- attributes -----------------------------------------------------------------------
    def get_attributes(self) -> Attributes:
        return self._attributes

    def set_attribute(self, key: str, value: AttributeValue) -> None:
        self._attributes[key] = format_attribute(value)

    def set_attributes(self, attributes: Attributes) -> None:
        for key, value in attributes.items():
            self._attributes[key] = format_attribute(value)

    def remove_attribute(self, key: str) -> None:
        self._attributes.pop(key, None)

    # -- properties -----------------------------------------------------------------------
    @property
    def status(self) -> str:
        return self._status

    @status.setter
    def status(self, status: Union[SpanStatus, str]) -> None:
        if isinstance(status, Enum):
            status = status.value
        if status not in _VALID_STATUSES:
            logger.debug('sentry_lite: span status %r is not "ok" or "error"', status)
            return
        self._status = str(status)

    @property
    def name(self) -> str:
        return self._name

    @name.setter
    def name(self, name: str) -> None:
        self._name = name

    @property
    def active(self) -> bool:
        return self._active

    @property
    def span_id(self) -> str:
        if not self._span_id:
            self._span_id = new_span_id()
        return self._span_id

    @property
    def trace_id(self) -> str:
        if not self._trace_id:
            self._trace_id = new_trace_id()
        return self._trace_id

    @property
    def sampled(self) -> Optional[bool]:
        return True

    @property
    def start_timestamp(self) -> Optional[datetime]:
        return datetime.fromtimestamp(self._start_timestamp, timezone.utc)

    @property
    def end_timestamp(self) -> Optional[datetime]:
        if self._end_timestamp is None:
            return None
        start = datetime.fromtimestamp(self._start_timestamp, timezone.utc)
        return start + timedelta(seconds=self._end_timestamp - self._start_timestamp)

    def _is_segment(self) -> bool:
        return self._segment is self

    # -- propagation ----------------------------------------------------------------------
    def _dynamic_sampling_context(self) -> Dict[str, str]:
        return self._segment._get_baggage().dynamic_sampling_context()

    def _to_traceparent(self) -> str:
        sampled = self._segment.sampled
        flag = "" if sampled is None else ("-1" if sampled else "-0")
        return f"{self.trace_id}-{self.span_id}{flag}"

    def _to_baggage(self) -> Optional[Baggage]:
        return self._segment._get_baggage()

    def _get_baggage(self) -> Baggage:
        """The segment's DSC: the incoming frozen one, else ours (frozen once made)."""
        baggage = self._baggage
        if baggage is None or baggage.mutable:
            baggage = self._baggage = self._populate_baggage()
        return baggage

    def _populate_baggage(self) -> Baggage:
        client = host.current.client()
        if not client.is_active():
            return Baggage({})
        rand = self._sample_rand
        if rand == DERIVE_SAMPLE_RAND:
            rand = self._sample_rand = sample_rand_from_trace_id(self.trace_id)
        items = head_items(client, self.trace_id, None if rand is None else f"{rand:.6f}")
        if self._attributes.get(_SOURCE) not in LOW_QUALITY_SEGMENT_SOURCES and self._name:
            items["transaction"] = self._name
        if self._sample_rate is not None:
            items["sample_rate"] = str(self._sample_rate)
        if self.sampled is not None:
            items["sampled"] = "true" if self.sampled else "false"
        previous = self._baggage
        if previous is not None and previous.sentry_items:
            items.update(previous.sentry_items)
        return Baggage(items, mutable=False)

    def _iter_headers(self) -> Iterator[Tuple[str, str]]:
        yield "sentry-trace", self._to_traceparent()
        baggage = self._segment._get_baggage().serialize()
        if baggage:
            yield "baggage", baggage

    def _get_trace_context(self) -> Dict[str, Any]:
        """Errors captured inside the span link to it through this."""
        context: Dict[str, Any] = {
            "trace_id": self.trace_id,
            "span_id": self.span_id,
            "parent_span_id": self._parent_span_id,
            "dynamic_sampling_context": self._dynamic_sampling_context(),
        }
        if "sentry.op" in self._attributes:
            context["op"] = self._attributes["sentry.op"]
        if "sentry.origin" in self._attributes:
            context["origin"] = self._attributes["sentry.origin"]
        return context

    # The scope's propagation code calls spans through these (shared with legacy spans).
    to_traceparent = _to_traceparent
    to_baggage = _to_baggage
    iter_headers = _iter_headers
    get_trace_context = _get_trace_context

    def _to_json(self) -> Dict[str, Any]:
        rv: Dict[str, Any] = {
            "trace_id": self.trace_id,
            "span_id": self.span_id,
            "name": self._name if self._name is not None else "<unlabeled span>",
            "status": self._status,
            "is_segment": self._segment is self,
            "start_timestamp": self._start_timestamp,
        }
        if self._end_timestamp is not None:
            rv["end_timestamp"] = self._end_timestamp
        if self._parent_span_id:
            rv["parent_span_id"] = self._parent_span_id
        rv["attributes"] = dict(self._attributes)
        return rv
