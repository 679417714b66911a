"""Reports exceptions Python could not raise (``sys.unraisablehook``: a ``__del__`` or a
weakref callback that failed, an exception at garbage collection), then runs the
previous hook. Not on by default, as with sentry_sdk."""

from __future__ import annotations

import sys
from typing import Any, Callable

from sentry_lite.integration_api import active_integration, capture_caught
from sentry_lite.integrations import Integration

__all__ = ["UnraisablehookIntegration"]


class UnraisablehookIntegration(Integration):
    identifier = "unraisablehook"

    @staticmethod
    def setup_once() -> None:
        sys.unraisablehook = _wrap(sys.unraisablehook)


def _wrap(previous: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def sentry_lite_unraisablehook(unraisable: Any) -> Any:
        if (
            active_integration(UnraisablehookIntegration.identifier) is not None
            and unraisable.exc_value is not None
            and unraisable.exc_traceback is not None
        ):
            capture_caught(
                (unraisable.exc_type, unraisable.exc_value, unraisable.exc_traceback),
                "unraisablehook",
            )
        return previous(unraisable)

    return sentry_lite_unraisablehook
