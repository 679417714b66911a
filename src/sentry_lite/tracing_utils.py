"""``sentry_lite.tracing_utils``: sentry_sdk's tracing helpers that libraries import.

A facade over ``sentry_lite.tracing``: the baggage, the propagation context, parsing
of incoming trace headers and the propagation-target check.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from sentry_lite.api import get_current_span
from sentry_lite.tracing.baggage import Baggage
from sentry_lite.tracing.context import PropagationContext
from sentry_lite.tracing.propagation import (
    add_sentry_baggage_to_headers,
    normalize_incoming,
    parse_sentry_trace,
)
from sentry_lite.tracing.propagation import should_propagate_trace as _should_propagate
from sentry_lite.tracing.sampling import has_tracing_enabled
from sentry_lite.tracing.stream_sampling import span_streaming_enabled

__all__ = [
    "Baggage",
    "EnvironHeaders",
    "PropagationContext",
    "add_sentry_baggage_to_headers",
    "extract_sentrytrace_data",
    "get_current_span",
    "has_span_streaming_enabled",
    "has_tracing_enabled",
    "normalize_incoming_data",
    "should_propagate_trace",
]


def extract_sentrytrace_data(header: Optional[str]) -> Optional[Dict[str, Any]]:
    """``sentry-trace`` as ``{trace_id, parent_span_id, parent_sampled}`` (None if invalid)."""
    parsed = parse_sentry_trace(header)
    if parsed is None:
        return None
    trace_id, parent_span_id, parent_sampled = parsed
    return {
        "trace_id": trace_id,
        "parent_span_id": parent_span_id,
        "parent_sampled": parent_sampled,
    }


def normalize_incoming_data(incoming_data: Any) -> Dict[str, Any]:
    """Header names lower-cased with ``-`` (a WSGI environ's ``HTTP_X_Y`` becomes ``x-y``)."""
    return normalize_incoming(incoming_data)


def has_span_streaming_enabled(options: Optional[Dict[str, Any]]) -> bool:
    """Is ``trace_lifecycle="stream"`` set in these options (apps branch on it, as
    sentry_sdk's own test services do)?"""
    return span_streaming_enabled(options)


def should_propagate_trace(client: Any, url: str) -> bool:
    """Does ``trace_propagation_targets`` allow trace headers on a request to ``url``?"""
    return _should_propagate(client, url)


class EnvironHeaders:
    """A WSGI environ's HTTP headers as a read-only mapping keyed by header name."""

    def __init__(self, environ: Dict[str, Any], prefix: str = "HTTP_") -> None:
        self.environ = environ
        self.prefix = prefix

    def __getitem__(self, key: str) -> Any:
        return self.environ[self.prefix + key.replace("-", "_").upper()]

    def __len__(self) -> int:
        return sum(1 for _ in iter(self))

    def __iter__(self) -> Any:
        for key in self.environ:
            if isinstance(key, str) and key.startswith(self.prefix):
                yield key[len(self.prefix) :].replace("_", "-").lower()

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default
