"""asyncpg: not built yet in sentry-lite (see ``integrations.not_built``).

Importable and constructible as with sentry_sdk; ``init`` warns once that what
``not_captured`` names will not be captured.
"""

from __future__ import annotations

from typing import Any

from sentry_lite.integrations.not_built import NotBuiltIntegration


class AsyncPGIntegration(NotBuiltIntegration):
    identifier = "asyncpg"
    not_captured = "asyncpg queries (spans, breadcrumbs)"

    def __init__(self, *, record_params: Any = False) -> None:
        NotBuiltIntegration.__init__(self, record_params=record_params)
