"""unleash: not built yet in sentry-lite (see ``integrations.not_built``).

Importable and constructible as with sentry_sdk; ``init`` warns once that what
``not_captured`` names will not be captured.
"""

from __future__ import annotations

from sentry_lite.integrations.not_built import NotBuiltIntegration


class UnleashIntegration(NotBuiltIntegration):
    identifier = "unleash"
    not_captured = "unleash feature flag evaluations"
