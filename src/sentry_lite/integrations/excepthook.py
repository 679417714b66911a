"""Reports uncaught exceptions through ``sys.excepthook`` (then runs the previous hook)."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any, Callable, Optional, Type

from sentry_lite.integration_api import active_integration, capture_caught
from sentry_lite.integrations import Integration

Hook = Callable[[Type[BaseException], BaseException, Optional[TracebackType]], Any]


class ExcepthookIntegration(Integration):
    identifier = "excepthook"
    always_run = False

    def __init__(self, always_run: bool = False) -> None:
        if not isinstance(always_run, bool):
            raise ValueError(f"always_run must be a bool, not {always_run!r}")
        self.always_run = always_run

    @staticmethod
    def setup_once() -> None:
        sys.excepthook = _wrap(sys.excepthook)


def _wrap(previous: Hook) -> Hook:
    def sentry_lite_excepthook(
        ty: Type[BaseException], value: BaseException, tb: Optional[TracebackType]
    ) -> Any:
        integration = active_integration(ExcepthookIntegration.identifier)
        if integration is not None and _should_send(integration.always_run):
            capture_caught((ty, value, tb), "excepthook")
        return previous(ty, value, tb)

    return sentry_lite_excepthook


def _should_send(always_run: bool) -> bool:
    # In an interactive interpreter the user sees the error already.
    return always_run or not hasattr(sys, "ps1")
