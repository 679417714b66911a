"""Helpers for comparing our event data with sentry_sdk's raw (pre-serializer) data."""

from __future__ import annotations

from typing import Any

from sentry_sdk._types import AnnotatedValue


def plain(value: Any) -> Any:
    """sentry_sdk's raw event data with AnnotatedValue wrappers unwrapped."""
    if isinstance(value, AnnotatedValue):
        return plain(value.value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
