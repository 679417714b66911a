"""pyramid: not built yet in sentry-lite (see ``integrations.not_built``).

Importable and constructible as with sentry_sdk; ``init`` warns once that what
``not_captured`` names will not be captured.
"""

from __future__ import annotations

from typing import Any

from sentry_lite.integrations.not_built import NotBuiltIntegration


class PyramidIntegration(NotBuiltIntegration):
    identifier = "pyramid"
    not_captured = "pyramid's requests (errors, transactions, request data)"

    def __init__(self, transaction_style: Any = "route_name") -> None:
        NotBuiltIntegration.__init__(self, transaction_style=transaction_style)
