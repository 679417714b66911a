"""Tracing: spans, transactions, sampling and trace propagation.

``sentry_lite.tracing.Span`` / ``Transaction`` / ``NoOpSpan`` are where sentry_sdk has
them. Nothing in this package imports the scope or the client: spans reach them through
the host that the scope layer installs (``host.py``).
"""

from __future__ import annotations

from sentry_lite.tracing.baggage import Baggage
from sentry_lite.tracing.decorator import trace
from sentry_lite.tracing.noop import NoOpSpan, UnsampledSpan
from sentry_lite.tracing.propagation import BAGGAGE_HEADER_NAME, SENTRY_TRACE_HEADER_NAME
from sentry_lite.tracing.sources import (
    LOW_QUALITY_TRANSACTION_SOURCES,
    SOURCE_FOR_STYLE,
    TRANSACTION_SOURCE_COMPONENT,
    TRANSACTION_SOURCE_CUSTOM,
    TRANSACTION_SOURCE_ROUTE,
    TRANSACTION_SOURCE_TASK,
    TRANSACTION_SOURCE_URL,
    TRANSACTION_SOURCE_VIEW,
    TransactionSource,
)
from sentry_lite.tracing.span import Span
from sentry_lite.tracing.status import SPANSTATUS, get_span_status_from_http_code
from sentry_lite.tracing.transaction import Transaction

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
