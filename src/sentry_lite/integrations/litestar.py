"""litestar: not built yet in sentry-lite (see ``integrations.not_built``).

Importable and constructible as with sentry_sdk; ``init`` warns once that what
``not_captured`` names will not be captured.
"""

from __future__ import annotations

from typing import Any

from sentry_lite.integrations.not_built import NotBuiltIntegration


class LitestarIntegration(NotBuiltIntegration):
    identifier = "litestar"
    not_captured = "litestar's requests (errors, transactions, request data)"

    def __init__(self, failed_request_status_codes: Any = frozenset(range(500, 600))) -> None:
        NotBuiltIntegration.__init__(self, failed_request_status_codes=failed_request_status_codes)


class SentryLitestarASGIMiddleware:
    """Not built yet: passes calls through unchanged where it wraps an app."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args = args
        self.kwargs = kwargs
