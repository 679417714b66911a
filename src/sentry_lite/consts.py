"""Names and numbers shared across the SDK; every limit is defined once, here."""

from __future__ import annotations

VERSION = "0.1.0"
SDK_NAME = "sentry.python"
"""The SDK name on the wire: sentry.python, so ingest treats us as the Python SDK."""
SDK_PACKAGE = "pypi:sentry-lite"
USER_AGENT = f"sentry-lite/{VERSION}"

DEFAULT_MAX_BREADCRUMBS = 100
DEFAULT_SHUTDOWN_TIMEOUT = 2.0
DEFAULT_QUEUE_SIZE = 100
DEFAULT_MAX_VALUE_LENGTH = 100_000
"""sentry_sdk 2.x: strings are cut at 100k characters unless max_value_length is set."""
DEFAULT_MAX_STACK_FRAMES = 100
MAX_EVENT_BYTES = 1024 * 1024
"""Ingest refuses events over 1 MiB; the serializer keeps events under this budget."""

# Serializer bounds (match sentry_sdk's so events look the same).
MAX_DATABAG_DEPTH = 5
MAX_DATABAG_BREADTH = 10
CONTEXT_LINES = 5
