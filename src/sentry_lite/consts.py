"""Names shared across the SDK: version, SDK identity, and sentry_sdk's constant names.

Limits live in :mod:`sentry_lite.limits`; the ones sentry_sdk exports from its
``consts`` are re-exported here under the same names.
"""

from __future__ import annotations

from sentry_lite.limits import (
    CONTEXT_LINES,
    DEFAULT_MAX_BREADCRUMBS,
    DEFAULT_MAX_STACK_FRAMES,
    DEFAULT_MAX_VALUE_LENGTH,
    DEFAULT_QUEUE_SIZE,
    DEFAULT_SHUTDOWN_TIMEOUT,
    MAX_DATABAG_BREADTH,
    MAX_DATABAG_DEPTH,
    MAX_EVENT_BYTES,
)

__all__ = [
    "CONTEXT_LINES",
    "DEFAULT_MAX_BREADCRUMBS",
    "DEFAULT_MAX_STACK_FRAMES",
    "DEFAULT_MAX_VALUE_LENGTH",
    "DEFAULT_QUEUE_SIZE",
    "DEFAULT_SHUTDOWN_TIMEOUT",
    "MAX_DATABAG_BREADTH",
    "MAX_DATABAG_DEPTH",
    "MAX_EVENT_BYTES",
    "SDK_NAME",
    "SDK_PACKAGE",
    "USER_AGENT",
    "VERSION",
]

VERSION = "0.1.0"
SDK_NAME = "sentry.python"
"""The SDK name on the wire: sentry.python, so ingest treats us as the Python SDK."""
SDK_PACKAGE = "pypi:sentry-lite"
USER_AGENT = f"sentry-lite/{VERSION}"
