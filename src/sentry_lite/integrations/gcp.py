"""gcp: not built yet in sentry-lite (see ``integrations.not_built``).

Importable and constructible as with sentry_sdk; ``init`` warns once that what
``not_captured`` names will not be captured.
"""

from __future__ import annotations

from typing import Any

from sentry_lite.integrations.not_built import NotBuiltIntegration


class GcpIntegration(NotBuiltIntegration):
    identifier = "gcp"
    not_captured = "Google Cloud Functions invocations (errors, transactions, timeouts)"

    def __init__(self, timeout_warning: Any = False) -> None:
        NotBuiltIntegration.__init__(self, timeout_warning=timeout_warning)
