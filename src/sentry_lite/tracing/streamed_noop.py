"""The span ``start_span`` returns when nothing is recorded (not sampled, ignored, or
streaming off). It still carries the trace, so outgoing requests propagate it, and its
end counts the span as lost with the reason it was not sampled.
"""

from __future__ import annotations

import warnings
from datetime import datetime
from typing import Any, Dict, Optional, Union

from sentry_lite import shortcuts
from sentry_lite.sdk_loggers import logger
from sentry_lite.tracing import host
from sentry_lite.tracing.attributes import Attributes, AttributeValue, format_attribute
from sentry_lite.tracing.baggage import Baggage
from sentry_lite.tracing.streamed import SpanStatus, StreamedSpan

__all__ = ["NoOpStreamedSpan"]


_SOURCE = "sentry.segment.name.source"
_EXC = Optional[Any]


class NoOpStreamedSpan(StreamedSpan):
    """What ``start_span`` returns for a span that is not recorded (not sampled,
    ignored, or streaming off): it still carries the trace, for propagation."""

    __slots__ = ("_finished", "_lost_children", "_sampled", "_unsampled_reason")

    def __init__(  # noqa: PLR0913 - sentry_sdk's signature
        self,
        name: Optional[str] = None,
        attributes: Optional[Attributes] = None,
        segment: Optional[StreamedSpan] = None,
        trace_id: Optional[str] = None,
        parent_span_id: Optional[str] = None,
        parent_sampled: Optional[bool] = None,
        baggage: Optional[Baggage] = None,
        sampled: Optional[bool] = False,
        unsampled_reason: Optional[str] = None,
        scope: Any = None,
        sample_rand: Optional[float] = None,
        sample_rate: Optional[float] = None,
    ) -> None:
        self._fill(name, attributes, segment, trace_id, parent_span_id, parent_sampled, scope)
        self._sampled = sampled
        self._baggage = baggage
        self._sample_rand = sample_rand
        self._sample_rate = sample_rate
        self._unsampled_reason = unsampled_reason
        self._start()

    def _fill(  # noqa: PLR0913
        self,
        name: Optional[str],
        attributes: Optional[Attributes],
        segment: Optional[StreamedSpan],
        trace_id: Optional[str],
        parent_span_id: Optional[str],
        parent_sampled: Optional[bool],
        scope: Any,
    ) -> None:
        self._name = name  # type: ignore[assignment]
        self._attributes = {}
        if attributes is not None and _SOURCE in attributes:
            self._attributes[_SOURCE] = format_attribute(attributes[_SOURCE])
        self._span_id = None
        self._segment = segment or self
        self._trace_id = trace_id
        self._parent_span_id = parent_span_id
        self._parent_sampled = parent_sampled
        self._scope = scope
        self._lost_children = 0
        self._finished = False
        self._active = True
        self._end_timestamp = None

    @classmethod
    def child_of(
        cls, parent: NoOpStreamedSpan, name: str, attributes: Optional[Attributes]
    ) -> NoOpStreamedSpan:
        """A child of the unrecorded span ``parent``, as the constructor makes it (not
        put on a scope) minus its keyword parsing: the common case of spans inside an
        unsampled segment (``shortcuts`` gates it)."""
        span = cls.__new__(cls)
        span._fill(
            name,
            attributes,
            parent._segment,
            parent.trace_id,
            parent.span_id,
            parent._sampled,
            None,
        )
        span._sampled = False
        span._baggage = None
        span._sample_rand = None
        span._sample_rate = None
        span._unsampled_reason = parent._unsampled_reason
        return span

    @classmethod
    def unsampled_segment(  # noqa: PLR0913
        cls,
        scope: Any,
        name: str,
        attributes: Optional[Attributes],
        context: Any,
        sampled: Optional[bool],
        reason: Optional[str],
        sample_rand: Optional[float],
        sample_rate: Optional[float],
    ) -> NoOpStreamedSpan:
        """A segment the sampler turned down, for ``context``'s trace, made active on
        ``scope``: what the constructor makes, without its keyword parsing (every
        unsampled request starts one)."""
        span = cls.__new__(cls)
        span._fill(
            name,
            attributes,
            None,
            context.trace_id,
            context.parent_span_id,
            context.parent_sampled,
            scope,
        )
        span._sampled = sampled
        span._baggage = context.baggage
        span._sample_rand = sample_rand
        span._sample_rate = sample_rate
        span._unsampled_reason = reason
        span._start()
        return span

    def __repr__(self) -> str:
        return f"<{type(self).__name__}(sampled={self.sampled})>"

    def __enter__(self) -> NoOpStreamedSpan:
        return self

    def __exit__(self, ty: _EXC, value: _EXC, tb: _EXC) -> None:
        self._end()

    def _start(self) -> None:
        scope = self._scope
        if scope is not None:
            self._previous_span_on_scope = scope.streamed_span
            scope.streamed_span = self

    def _end(self, end_timestamp: Optional[Union[float, datetime]] = None) -> None:
        if self._finished:
            return
        self._finished = True
        reason = self._unsampled_reason
        if reason is not None:
            segment = self._segment
            if (
                shortcuts.enabled
                and segment is not self
                and type(segment) is NoOpStreamedSpan
                and not segment._finished
                and segment._unsampled_reason == reason
            ):
                # Counted with the segment: one report call per trace, not per span.
                segment._lost_children += 1
            else:
                client = host.current.client()
                if client.is_active():
                    client.record_lost_event(reason, "span", 1 + self._lost_children)
        scope = self._scope
        if scope is not None:
            try:
                scope.streamed_span = self._previous_span_on_scope
                del self._previous_span_on_scope
            except Exception:  # noqa: BLE001
                logger.debug("sentry_lite: could not restore the scope's span", exc_info=True)

    def end(self, end_timestamp: Optional[Union[float, datetime]] = None) -> None:
        self._end()

    def finish(self, end_timestamp: Optional[Union[float, datetime]] = None) -> None:
        warnings.warn(
            "span.finish() is deprecated. Use span.end() instead.",
            DeprecationWarning,
            stacklevel=2,
        )
        self._end()

    def get_attributes(self) -> Attributes:
        return {}

    def set_attribute(self, key: str, value: AttributeValue) -> None:
        if key == _SOURCE:
            self._attributes[_SOURCE] = format_attribute(value)

    def set_attributes(self, attributes: Attributes) -> None:
        if _SOURCE in attributes:
            self._attributes[_SOURCE] = format_attribute(attributes[_SOURCE])

    def remove_attribute(self, key: str) -> None:
        pass

    @property
    def status(self) -> str:
        return "ok"

    @status.setter
    def status(self, status: Union[SpanStatus, str]) -> None:
        pass

    @property
    def name(self) -> str:
        return self._name or ""

    @name.setter
    def name(self, name: str) -> None:
        self._name = name

    @property
    def active(self) -> bool:
        return True

    @property
    def sampled(self) -> Optional[bool]:
        return self._sampled

    @property
    def start_timestamp(self) -> Optional[datetime]:
        return None

    @property
    def end_timestamp(self) -> Optional[datetime]:
        return None

    def _get_trace_context(self) -> Dict[str, Any]:
        return {
            "trace_id": self.trace_id,
            "span_id": self.span_id,
            "parent_span_id": self._parent_span_id,
            "dynamic_sampling_context": self._dynamic_sampling_context(),
        }

    get_trace_context = _get_trace_context
