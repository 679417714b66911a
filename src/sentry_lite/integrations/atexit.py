"""Flushes pending events at interpreter exit, bounded by ``shutdown_timeout``."""

from __future__ import annotations

import atexit
import logging
import sys
from typing import Any, Callable, Optional

from sentry_lite.integration_api import Scope
from sentry_lite.integrations import Integration

logger = logging.getLogger("sentry_lite")


def default_callback(pending: int, timeout: float) -> None:
    """Tell the user why the process is waiting at exit."""
    sys.stderr.write(f"sentry-lite is sending {pending} pending event(s) (up to {timeout:g}s)\n")
    sys.stderr.flush()


class AtexitIntegration(Integration):
    identifier = "atexit"

    def __init__(self, callback: Optional[Callable[[int, float], None]] = None) -> None:
        self.callback = callback or default_callback

    @staticmethod
    def setup_once() -> None:
        atexit.register(_shutdown)


def _shutdown() -> None:
    client = Scope.get_client()
    integration: Any = client.integrations.get(AtexitIntegration.identifier)
    if integration is None or not client.is_active():
        return
    logger.debug("sentry_lite: atexit: flushing")
    try:
        client.close(callback=integration.callback)
    except Exception:  # noqa: BLE001
        logger.debug("sentry_lite: atexit flush failed", exc_info=True)
