"""httpx2 (the next httpx, which Starlette's test client prefers): what the httpx
integration does, for ``httpx2.Client``/``httpx2.AsyncClient`` (see docs/httpx.md)."""

from __future__ import annotations

from sentry_lite.integrations import DidNotEnable, Integration
from sentry_lite.integrations.httpx_send import patch_clients

try:
    from httpx2 import AsyncClient, Client
except ImportError as exc:  # pragma: no cover - exercised without httpx2 installed
    raise DidNotEnable("httpx2 is not installed") from exc

__all__ = ["Httpx2Integration"]


class Httpx2Integration(Integration):
    identifier = "httpx2"
    origin = f"auto.http.{identifier}"

    @staticmethod
    def setup_once() -> None:
        patch_clients(Client, AsyncClient, Httpx2Integration)
