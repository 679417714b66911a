"""Adds ``sys.argv`` to every error event's extra data, as sentry_sdk does."""

from __future__ import annotations

import sys

from sentry_lite.events.types import Event, Hint
from sentry_lite.integrations import Integration
from sentry_lite.integrations.active import integration_enabled
from sentry_lite.scope import add_global_event_processor


class ArgvIntegration(Integration):
    identifier = "argv"

    @staticmethod
    def setup_once() -> None:
        add_global_event_processor(_add_argv)


def _add_argv(event: Event, hint: Hint) -> Event:
    if integration_enabled(ArgvIntegration.identifier) and event.get("type") != "transaction":
        extra = event.setdefault("extra", {})
        if isinstance(extra, dict) and "sys.argv" not in extra:
            extra["sys.argv"] = list(sys.argv)
    return event
