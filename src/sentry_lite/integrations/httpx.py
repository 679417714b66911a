"""httpx: outgoing requests as ``http.client`` spans and ``httplib`` breadcrumbs, with
trace headers to the URLs ``trace_propagation_targets`` lists (see docs/httpx.md and
``integrations.httpx_send``, which httpx2 shares)."""

from __future__ import annotations

from sentry_lite.integrations import DidNotEnable, Integration
from sentry_lite.integrations.httpx_send import patch_clients

try:
    from httpx import AsyncClient, Client
except ImportError as exc:  # pragma: no cover - exercised without httpx installed
    raise DidNotEnable("httpx is not installed") from exc

__all__ = ["HttpxIntegration"]


class HttpxIntegration(Integration):
    identifier = "httpx"
    origin = f"auto.http.{identifier}"

    @staticmethod
    def setup_once() -> None:
        patch_clients(Client, AsyncClient, HttpxIntegration)
