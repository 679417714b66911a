"""The propagation context: the trace an event belongs to even when tracing is off.

Every isolation scope carries one, so errors link to a trace id and outgoing requests can
carry ``sentry-trace`` headers without a transaction being sampled. It is created from
incoming headers by ``continue_trace`` or fresh for a new trace.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, Optional, Tuple

from sentry_lite.tracing import host
from sentry_lite.tracing.baggage import Baggage
from sentry_lite.tracing.dsc import baggage_for_new_trace
from sentry_lite.tracing.ids import new_span_id, new_trace_id

__all__ = ["PropagationContext", "new_span_id", "new_trace_id"]


class PropagationContext:
    __slots__ = (
        "_span_id",
        "baggage",
        "custom_sampling_context",
        "parent_sampled",
        "parent_span_id",
        "trace_id",
    )

    def __init__(
        self,
        trace_id: Optional[str] = None,
        span_id: Optional[str] = None,
        parent_span_id: Optional[str] = None,
        parent_sampled: Optional[bool] = None,
        dynamic_sampling_context: Optional[Dict[str, str]] = None,
        baggage: Optional[Baggage] = None,
    ) -> None:
        self.trace_id = trace_id or new_trace_id()
        self._span_id = span_id
        self.parent_span_id = parent_span_id
        self.parent_sampled = parent_sampled
        if baggage is None and dynamic_sampling_context is not None:
            baggage = Baggage(dict(dynamic_sampling_context), mutable=False)
        self.baggage = baggage
        self.custom_sampling_context: Optional[Dict[str, Any]] = None

    @property
    def span_id(self) -> str:
        # Created lazily: most requests never need it.
        if self._span_id is None:
            self._span_id = new_span_id()
        return self._span_id

    @span_id.setter
    def span_id(self, value: str) -> None:
        self._span_id = value

    @property
    def dynamic_sampling_context(self) -> Dict[str, str]:
        return self.get_baggage().dynamic_sampling_context()

    @property
    def sample_rand(self) -> Optional[float]:
        return self.baggage.sample_rand() if self.baggage is not None else None

    def get_baggage(self) -> Baggage:
        """The incoming baggage, or one built from the client's options (then kept)."""
        if self.baggage is None:
            self.baggage = baggage_for_new_trace(host.current.client(), self.trace_id)
        return self.baggage

    def to_traceparent(self) -> str:
        """``sentry-trace`` without a sampling flag: the decision is deferred downstream."""
        return f"{self.trace_id}-{self.span_id}"

    def iter_headers(self) -> Iterator[Tuple[str, str]]:
        yield "sentry-trace", self.to_traceparent()
        baggage = self.get_baggage().serialize()
        if baggage:
            yield "baggage", baggage

    def trace_context(self) -> Dict[str, Any]:
        """The ``contexts.trace`` of an event captured outside any span.

        The DSC rides along under ``dynamic_sampling_context``; the client moves it to the
        envelope header before sending, as sentry_sdk does.
        """
        return {
            "trace_id": self.trace_id,
            "span_id": self.span_id,
            "parent_span_id": self.parent_span_id,
            "dynamic_sampling_context": self.dynamic_sampling_context,
        }

    def copy(self) -> PropagationContext:
        rv = PropagationContext(
            self.trace_id, self._span_id, self.parent_span_id, self.parent_sampled
        )
        rv.baggage = self.baggage
        rv.custom_sampling_context = self.custom_sampling_context
        return rv

    def __repr__(self) -> str:
        return (
            f"<PropagationContext trace_id={self.trace_id} span_id={self._span_id} "
            f"parent_span_id={self.parent_span_id} parent_sampled={self.parent_sampled}>"
        )
