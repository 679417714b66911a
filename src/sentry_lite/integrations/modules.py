"""Adds the installed packages and their versions to error events (``modules``).

The client adds them after serialising the app's data (they are JSON-safe by
construction, and walking ~100 entries per event would cost more than the rest);
this integration is the switch that turns that on, as in sentry_sdk.
"""

from __future__ import annotations

from sentry_lite.integrations import Integration


class ModulesIntegration(Integration):
    identifier = "modules"

    @staticmethod
    def setup_once() -> None:
        pass
