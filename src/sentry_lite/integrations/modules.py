"""Adds the installed packages and their versions to error events (``modules``)."""

from __future__ import annotations

from sentry_lite.events.contexts import installed_modules
from sentry_lite.events.types import Event, Hint
from sentry_lite.integrations import Integration
from sentry_lite.integrations.active import integration_enabled
from sentry_lite.scope import add_global_event_processor


class ModulesIntegration(Integration):
    identifier = "modules"

    @staticmethod
    def setup_once() -> None:
        add_global_event_processor(_add_modules)


def _add_modules(event: Event, hint: Hint) -> Event:
    if event.get("type") == "transaction" or not integration_enabled(
        ModulesIntegration.identifier
    ):
        return event
    if "modules" not in event:
        event["modules"] = dict(installed_modules())
    return event
