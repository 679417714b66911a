"""The propagation context: the trace an event belongs to even when tracing is off.

Every isolation scope carries one, so errors link to a trace id and outgoing requests can
carry ``sentry-trace`` headers without a transaction being sampled.
"""

from __future__ import annotations

import random
import uuid
from typing import Any, Dict, Optional

__all__ = ["PropagationContext", "new_span_id", "new_trace_id"]


def new_trace_id() -> str:
    return uuid.uuid4().hex


def new_span_id() -> str:
    return "%016x" % random.getrandbits(64)  # noqa: UP031 - fastest zero-padded hex


class PropagationContext:
    __slots__ = (
        "_span_id",
        "dynamic_sampling_context",
        "parent_sampled",
        "parent_span_id",
        "sample_rand",
        "trace_id",
    )

    def __init__(
        self,
        trace_id: Optional[str] = None,
        span_id: Optional[str] = None,
        parent_span_id: Optional[str] = None,
        parent_sampled: Optional[bool] = None,
        dynamic_sampling_context: Optional[Dict[str, str]] = None,
        sample_rand: Optional[float] = None,
    ) -> None:
        self.trace_id = trace_id or new_trace_id()
        self._span_id = span_id
        self.parent_span_id = parent_span_id
        self.parent_sampled = parent_sampled
        self.dynamic_sampling_context = dynamic_sampling_context
        self.sample_rand = sample_rand

    @property
    def span_id(self) -> str:
        # Created lazily: most requests never need it.
        if self._span_id is None:
            self._span_id = new_span_id()
        return self._span_id

    @span_id.setter
    def span_id(self, value: str) -> None:
        self._span_id = value

    def trace_context(self) -> Dict[str, Any]:
        """The ``contexts.trace`` of an event captured outside any span."""
        return {
            "trace_id": self.trace_id,
            "span_id": self.span_id,
            "parent_span_id": self.parent_span_id,
        }

    def copy(self) -> PropagationContext:
        return PropagationContext(
            self.trace_id,
            self._span_id,
            self.parent_span_id,
            self.parent_sampled,
            dict(self.dynamic_sampling_context) if self.dynamic_sampling_context else None,
            self.sample_rand,
        )

    def __repr__(self) -> str:
        return f"<PropagationContext trace_id={self.trace_id} span_id={self._span_id}>"
