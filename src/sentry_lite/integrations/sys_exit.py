"""Reports ``sys.exit`` calls that end the program with a failure code.

A ``SystemExit`` is not an error the SDK reports otherwise; this opt-in integration
reports the exits made through ``sys.exit`` with a non-zero status (and, with
``capture_successful_exits=True``, the successful ones too), as sentry_sdk does.
A ``SystemExit`` raised by other means is left alone.
"""

from __future__ import annotations

import sys
from typing import Any, NoReturn

from sentry_lite.integration_api import active_integration, capture_caught
from sentry_lite.integrations import Integration


class SysExitIntegration(Integration):
    identifier = "sys_exit"

    def __init__(self, *, capture_successful_exits: bool = False) -> None:
        self._capture_successful_exits = capture_successful_exits

    @staticmethod
    def setup_once() -> None:
        sys.exit = _wrap(sys.exit)


def _wrap(previous: Any) -> Any:
    def sentry_lite_exit(status: Any = 0, /) -> NoReturn:
        integration = active_integration(SysExitIntegration.identifier)
        try:
            previous(status)
        except SystemExit as exc:
            if integration is not None and (
                integration._capture_successful_exits or status not in (0, None)
            ):
                capture_caught((type(exc), exc, exc.__traceback__), "sys_exit")
            raise
        raise SystemExit(status)  # the previous hook returned: exit anyway

    sentry_lite_exit.__wrapped__ = previous  # type: ignore[attr-defined]
    sentry_lite_exit.__doc__ = previous.__doc__
    return sentry_lite_exit
