"""quart: not built yet in sentry-lite (see ``integrations.not_built``).

Importable and constructible as with sentry_sdk; ``init`` warns once that what
``not_captured`` names will not be captured.
"""

from __future__ import annotations

from typing import Any

from sentry_lite.integrations.not_built import NotBuiltIntegration


class QuartIntegration(NotBuiltIntegration):
    identifier = "quart"
    not_captured = "quart's requests (errors, transactions, request data)"

    def __init__(self, transaction_style: Any = "endpoint") -> None:
        NotBuiltIntegration.__init__(self, transaction_style=transaction_style)
