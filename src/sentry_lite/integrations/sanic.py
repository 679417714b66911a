"""sanic: not built yet in sentry-lite (see ``integrations.not_built``).

Importable and constructible as with sentry_sdk; ``init`` warns once that what
``not_captured`` names will not be captured.
"""

from __future__ import annotations

from typing import Any

from sentry_lite.integrations.not_built import NotBuiltIntegration


class SanicIntegration(NotBuiltIntegration):
    identifier = "sanic"
    not_captured = "sanic's requests (errors, transactions, request data)"

    def __init__(self, unsampled_statuses: Any = frozenset({404})) -> None:
        NotBuiltIntegration.__init__(self, unsampled_statuses=unsampled_statuses)
