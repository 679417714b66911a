"""aiohttp: server requests (``aiohttp.web``) in their own scopes with transactions, errors
and request data, and outgoing ``ClientSession`` requests as spans, breadcrumbs and trace
headers (docs/frameworks/aiohttp.md). The halves live in ``aiohttp_server`` and
``aiohttp_client``; this module holds the options and installs the patches.
"""

from __future__ import annotations

import logging
from typing import Any, Container, Tuple

from sentry_lite.integration_api import active_integration
from sentry_lite.integrations import DidNotEnable, Integration
from sentry_lite.integrations.web.config import (
    DEFAULT_FAILED_REQUEST_STATUS_CODES,
    check_style,
    failed_codes,
)

try:
    from aiohttp import ClientSession, TraceConfig
    from aiohttp import __version__ as AIOHTTP_VERSION  # noqa: N812 - sentry_sdk's name
    from aiohttp.web import Application, UrlDispatcher
except ImportError as exc:  # pragma: no cover - exercised without aiohttp installed
    raise DidNotEnable("aiohttp is not installed") from exc

from sentry_lite.integrations.aiohttp_client import new_trace_config
from sentry_lite.integrations.aiohttp_server import (
    BODY_NOT_READ_MESSAGE,
    handle_request,
    name_after_route,
)

__all__ = ["BODY_NOT_READ_MESSAGE", "AioHttpIntegration", "create_trace_config"]

logger = logging.getLogger("sentry_lite")

TRANSACTION_STYLE_VALUES = ("handler_name", "method_and_path_pattern")
MIN_VERSION = (3, 4)


def create_trace_config() -> TraceConfig:
    """The ``TraceConfig`` every new ``ClientSession`` gets (sentry_sdk's name): pass it
    yourself to a session created before ``init``."""
    return new_trace_config()


class AioHttpIntegration(Integration):
    identifier = "aiohttp"
    origin = f"auto.http.{identifier}"

    def __init__(
        self,
        transaction_style: str = "handler_name",
        *,
        failed_request_status_codes: Any = DEFAULT_FAILED_REQUEST_STATUS_CODES,
    ) -> None:
        self.transaction_style = check_style(
            "AioHttpIntegration", transaction_style, TRANSACTION_STYLE_VALUES, "handler_name"
        )
        self._failed_request_status_codes: Container[int] = failed_codes(
            failed_request_status_codes
        )

    @property
    def failed_request_status_codes(self) -> Container[int]:
        """HTTPException statuses reported as errors (5xx by default)."""
        return self._failed_request_status_codes

    @staticmethod
    def setup_once() -> None:
        if _version(AIOHTTP_VERSION) < MIN_VERSION:
            raise DidNotEnable(f"aiohttp {AIOHTTP_VERSION} is too old: 3.4 or newer is needed")
        from sentry_lite.integrations.logging import ignore_logger

        ignore_logger("aiohttp.server")  # logs the errors we report, a second time
        _patch_server()
        _patch_client()


def _version(text: str) -> Tuple[int, ...]:
    parts = []
    for part in text.split(".")[:2]:
        digits = "".join(c for c in part if c.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def _patch_server() -> None:
    original_handle = Application._handle

    async def sentry_lite_handle(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        integration = active_integration(AioHttpIntegration.identifier)
        if integration is None:
            return await original_handle(self, request, *args, **kwargs)
        return await handle_request(integration, original_handle, self, request, *args, **kwargs)

    Application._handle = sentry_lite_handle  # type: ignore[method-assign]

    original_resolve = UrlDispatcher.resolve

    async def sentry_lite_resolve(self: Any, request: Any) -> Any:
        match_info = await original_resolve(self, request)
        integration = active_integration(AioHttpIntegration.identifier)
        if integration is not None:
            try:
                name_after_route(integration, request, match_info)
            except Exception:  # noqa: BLE001 - naming never fails the request
                logger.debug("sentry_lite: could not name the aiohttp request", exc_info=True)
        return match_info

    UrlDispatcher.resolve = sentry_lite_resolve  # type: ignore[method-assign]


def _patch_client() -> None:
    original_init = ClientSession.__init__

    def sentry_lite_session_init(self: Any, *args: Any, **kwargs: Any) -> None:
        if active_integration(AioHttpIntegration.identifier) is not None:
            try:
                configs = list(kwargs.get("trace_configs") or ())
                configs.append(create_trace_config())
                kwargs["trace_configs"] = configs
            except Exception:  # noqa: BLE001 - the session works, unobserved
                logger.debug("sentry_lite: could not add the trace config", exc_info=True)
        original_init(self, *args, **kwargs)

    ClientSession.__init__ = sentry_lite_session_init  # type: ignore[method-assign]
