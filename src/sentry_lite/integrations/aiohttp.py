"""aiohttp: not built yet in sentry-lite (see ``integrations.not_built``).

Importable and constructible as with sentry_sdk; ``init`` warns once that what
``not_captured`` names will not be captured.
"""

from __future__ import annotations

from typing import Any

from sentry_lite.integrations.not_built import NotBuiltIntegration


class AioHttpIntegration(NotBuiltIntegration):
    identifier = "aiohttp"
    not_captured = (
        "aiohttp's requests (errors, transactions, request data) "
        "and outgoing aiohttp requests (spans, breadcrumbs, trace headers)"
    )

    def __init__(
        self,
        transaction_style: Any = "handler_name",
        *,
        failed_request_status_codes: Any = frozenset(range(500, 600)),
    ) -> None:
        NotBuiltIntegration.__init__(
            self,
            transaction_style=transaction_style,
            failed_request_status_codes=failed_request_status_codes,
        )
