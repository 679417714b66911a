"""Tracing: spans, transactions, sampling and trace propagation.

``sentry_lite.tracing.Span`` / ``Transaction`` / ``NoOpSpan`` are where sentry_sdk has
them. Names resolve lazily: ``scope.py`` imports ``tracing.context`` while the span
module imports ``scope``, so importing them eagerly here would be circular.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sentry_lite.tracing.decorator import trace
    from sentry_lite.tracing.propagation import (
        BAGGAGE_HEADER_NAME,
        SENTRY_TRACE_HEADER_NAME,
        Baggage,
    )
    from sentry_lite.tracing.span import (
        LOW_QUALITY_TRANSACTION_SOURCES,
        SOURCE_FOR_STYLE,
        SPANSTATUS,
        TRANSACTION_SOURCE_COMPONENT,
        TRANSACTION_SOURCE_CUSTOM,
        TRANSACTION_SOURCE_ROUTE,
        TRANSACTION_SOURCE_TASK,
        TRANSACTION_SOURCE_URL,
        TRANSACTION_SOURCE_VIEW,
        NoOpSpan,
        Span,
        Transaction,
        TransactionSource,
        UnsampledSpan,
        get_span_status_from_http_code,
    )

_WHERE = {
    "trace": "sentry_lite.tracing.decorator",
    "BAGGAGE_HEADER_NAME": "sentry_lite.tracing.propagation",
    "SENTRY_TRACE_HEADER_NAME": "sentry_lite.tracing.propagation",
    "Baggage": "sentry_lite.tracing.propagation",
}
_SPAN_NAMES = (
    "LOW_QUALITY_TRANSACTION_SOURCES",
    "SOURCE_FOR_STYLE",
    "SPANSTATUS",
    "TRANSACTION_SOURCE_COMPONENT",
    "TRANSACTION_SOURCE_CUSTOM",
    "TRANSACTION_SOURCE_ROUTE",
    "TRANSACTION_SOURCE_TASK",
    "TRANSACTION_SOURCE_URL",
    "TRANSACTION_SOURCE_VIEW",
    "NoOpSpan",
    "Span",
    "Transaction",
    "TransactionSource",
    "UnsampledSpan",
    "get_span_status_from_http_code",
)
for _name in _SPAN_NAMES:
    _WHERE[_name] = "sentry_lite.tracing.span"

__all__ = [
    "BAGGAGE_HEADER_NAME",
    "LOW_QUALITY_TRANSACTION_SOURCES",
    "SENTRY_TRACE_HEADER_NAME",
    "SOURCE_FOR_STYLE",
    "SPANSTATUS",
    "TRANSACTION_SOURCE_COMPONENT",
    "TRANSACTION_SOURCE_CUSTOM",
    "TRANSACTION_SOURCE_ROUTE",
    "TRANSACTION_SOURCE_TASK",
    "TRANSACTION_SOURCE_URL",
    "TRANSACTION_SOURCE_VIEW",
    "Baggage",
    "NoOpSpan",
    "Span",
    "Transaction",
    "TransactionSource",
    "UnsampledSpan",
    "get_span_status_from_http_code",
    "trace",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'sentry_lite.tracing' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
