"""launchdarkly: not built yet in sentry-lite (see ``integrations.not_built``).

Importable and constructible as with sentry_sdk; ``init`` warns once that what
``not_captured`` names will not be captured.
"""

from __future__ import annotations

from typing import Any

from sentry_lite.integrations.not_built import NotBuiltIntegration


class LaunchDarklyIntegration(NotBuiltIntegration):
    identifier = "launchdarkly"
    not_captured = "launchdarkly feature flag evaluations"

    def __init__(self, ld_client: Any = None) -> None:
        NotBuiltIntegration.__init__(self, ld_client=ld_client)
