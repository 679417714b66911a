"""Adds ``sys.argv`` to every error event's extra data, as sentry_sdk does."""

from __future__ import annotations

import sys

from sentry_lite.integration_api import active_integration, add_global_event_processor
from sentry_lite.integrations import Integration
from sentry_lite.types import Event, Hint


class ArgvIntegration(Integration):
    identifier = "argv"

    @staticmethod
    def setup_once() -> None:
        add_global_event_processor(_add_argv)


def _add_argv(event: Event, hint: Hint) -> Event:
    if (
        active_integration(ArgvIntegration.identifier) is not None
        and event.get("type") != "transaction"
    ):
        extra = event.setdefault("extra", {})
        if isinstance(extra, dict) and "sys.argv" not in extra:
            extra["sys.argv"] = list(sys.argv)
    return event
