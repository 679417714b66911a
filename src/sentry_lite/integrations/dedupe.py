"""Drops a second event for the same exception object (e.g. re-raised and caught again)."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Optional

from sentry_lite.integration_api import (
    active_integration,
    add_global_event_processor,
    on_before_send_drop,
)
from sentry_lite.integrations import Integration
from sentry_lite.types import Event, Hint

_last_seen: ContextVar[Optional[BaseException]] = ContextVar(
    "sentry_lite_last_exception", default=None
)


class DedupeIntegration(Integration):
    identifier = "dedupe"

    @staticmethod
    def setup_once() -> None:
        add_global_event_processor(_dedupe)
        on_before_send_drop(_forget_dropped)

    @staticmethod
    def reset_last_seen() -> None:
        _last_seen.set(None)


def already_captured(exc: Optional[BaseException]) -> bool:
    """Would dedupe drop an event for ``exc``? Lets callers skip building it at all."""
    return (
        exc is not None
        and _last_seen.get() is exc
        and active_integration(DedupeIntegration.identifier) is not None
    )


def _dedupe(event: Event, hint: Hint) -> Optional[Event]:
    exc_info = hint.get("exc_info")
    if exc_info is None or active_integration(DedupeIntegration.identifier) is None:
        return event
    exc = exc_info[1]
    if exc is not None and _last_seen.get() is exc:
        return None
    _last_seen.set(exc)
    return event


def _forget_dropped(hint: Hint) -> None:
    # An event the app's before_send dropped was never reported: the same exception
    # captured again must not be taken for a duplicate (as sentry_sdk).
    exc_info = hint.get("exc_info")
    if exc_info is not None and _last_seen.get() is exc_info[1]:
        _last_seen.set(None)
