"""Where a transaction's name came from: ingest groups ``url`` names differently.

The one home of the source names: integrations map their ``transaction_style`` through
:data:`SOURCE_FOR_STYLE`.
"""

from __future__ import annotations

from enum import Enum

__all__ = [
    "LOW_QUALITY_TRANSACTION_SOURCES",
    "SOURCE_FOR_STYLE",
    "TRANSACTION_SOURCE_COMPONENT",
    "TRANSACTION_SOURCE_CUSTOM",
    "TRANSACTION_SOURCE_ROUTE",
    "TRANSACTION_SOURCE_TASK",
    "TRANSACTION_SOURCE_URL",
    "TRANSACTION_SOURCE_VIEW",
    "TransactionSource",
]


class TransactionSource(str, Enum):
    COMPONENT = "component"
    CUSTOM = "custom"
    ROUTE = "route"
    TASK = "task"
    URL = "url"
    VIEW = "view"

    def __str__(self) -> str:
        return self.value


# The constant names of sentry_sdk <2.16, still used by integrations written against it.
TRANSACTION_SOURCE_COMPONENT = TransactionSource.COMPONENT
TRANSACTION_SOURCE_CUSTOM = TransactionSource.CUSTOM
TRANSACTION_SOURCE_ROUTE = TransactionSource.ROUTE
TRANSACTION_SOURCE_TASK = TransactionSource.TASK
TRANSACTION_SOURCE_URL = TransactionSource.URL
TRANSACTION_SOURCE_VIEW = TransactionSource.VIEW

LOW_QUALITY_TRANSACTION_SOURCES = frozenset((TransactionSource.URL,))
"""Names ingest may rewrite (high cardinality); they are kept out of the DSC."""

SOURCE_FOR_STYLE = {
    "endpoint": TransactionSource.COMPONENT,
    "function_name": TransactionSource.COMPONENT,
    "handler_name": TransactionSource.COMPONENT,
    "method_and_path_pattern": TransactionSource.ROUTE,
    "path": TransactionSource.URL,
    "route_name": TransactionSource.COMPONENT,
    "route_pattern": TransactionSource.ROUTE,
    "uri_template": TransactionSource.ROUTE,
    "url": TransactionSource.ROUTE,
}
"""The source of a name chosen by an integration's ``transaction_style``."""
