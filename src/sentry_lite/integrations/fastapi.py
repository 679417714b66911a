"""FastAPI: the Starlette integration with FastAPI's defaults and names.

FastAPI apps are Starlette apps, so requests, errors and transactions go through the
same patches; this integration only carries FastAPI's own options (``transaction_style``
names by the path operation function or by the route path, routers included).
"""

from __future__ import annotations

from sentry_lite.integrations import DidNotEnable
from sentry_lite.integrations.starlette import StarletteIntegration, patch_starlette
from sentry_lite.integrations.web.active_thread import patch_fastapi_sync_endpoints
from sentry_lite.integrations.web.route_naming import patch_route_naming

try:
    import fastapi  # noqa: F401 - only to check it is installed
except ImportError as exc:  # pragma: no cover
    raise DidNotEnable("FastAPI is not installed") from exc

__all__ = ["FastApiIntegration"]


class FastApiIntegration(StarletteIntegration):
    identifier = "fastapi"
    # sentry_sdk's FastApiIntegration inherits Starlette's origin: transactions of a
    # FastAPI app say "auto.http.starlette", and so do ours.
    generic_name = "generic FastAPI request"

    @staticmethod
    def setup_once() -> None:
        patch_starlette()
        patch_fastapi_sync_endpoints()
        import fastapi.routing

        patch_route_naming(fastapi.routing)
