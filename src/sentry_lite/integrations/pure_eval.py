"""pure_eval: not built yet in sentry-lite (see ``integrations.not_built``).

Importable and constructible as with sentry_sdk; ``init`` warns once that what
``not_captured`` names will not be captured.
"""

from __future__ import annotations

from sentry_lite.integrations.not_built import NotBuiltIntegration


class PureEvalIntegration(NotBuiltIntegration):
    identifier = "pure_eval"
    not_captured = "values of the expressions around the failing line (frame vars)"
