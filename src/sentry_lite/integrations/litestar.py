"""Litestar: requests through the shared ASGI core, named after their route handler
before it runs, errors Litestar turns into its error responses reported once.

As sentry_sdk does, ``Litestar.__init__`` (while the integration is on) puts
``SentryLitestarASGIMiddleware`` first in the app's middleware (the ASGI core: scopes,
trace continuation, the ``http.server`` transaction) and adds an ``after_exception``
hook that reports what Litestar's exception middleware caught (mechanism ``litestar``;
an ``HTTPException`` only when its status is in ``failed_request_status_codes``).
``HTTPRoute.handle`` names the transaction after the route handler and, when bodies are
wanted and within ``max_request_body_size``, has Litestar read (and cache) the body, so
that events carry it. Each middleware of a route gets a ``middleware.litestar`` span.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from typing import Any, Container, Dict, Optional, Tuple

from sentry_lite.integration_api import (
    Scope,
    StreamedSpanView,
    active_integration,
    child_span,
    data_collection_configured,
)
from sentry_lite.integrations import DidNotEnable, Integration
from sentry_lite.integrations.asgi import AsgiConfig, AsgiScope, run_asgi
from sentry_lite.integrations.web.asgi_scope import content_length, headers_of
from sentry_lite.integrations.web.config import (
    DEFAULT_FAILED_REQUEST_STATUS_CODES,
    SOURCE_COMPONENT,
    SOURCE_ROUTE,
    failed_codes,
    failed_status,
    qualname,
)
from sentry_lite.integrations.web.request_data import (
    body_within_bounds,
    collects_request_body,
    collects_user_info,
)
from sentry_lite.integrations.web.request_state import current_request, report_request_error
from sentry_lite.integrations.web.transactions import name_before_view
from sentry_lite.types import Event

try:
    from litestar import Litestar
    from litestar.exceptions import HTTPException
    from litestar.handlers.base import BaseRouteHandler
    from litestar.middleware import DefineMiddleware
    from litestar.routes.http import HTTPRoute
except ImportError as exc:  # pragma: no cover - exercised without litestar installed
    raise DidNotEnable("Litestar is not installed") from exc

__all__ = ["LitestarIntegration", "SentryLitestarASGIMiddleware"]

GENERIC_NAME = "generic Litestar request"
OP_MIDDLEWARE = "middleware.litestar"


class LitestarIntegration(Integration):
    identifier = "litestar"
    origin = f"auto.http.{identifier}"

    def __init__(
        self,
        failed_request_status_codes: AbstractSet[int] = DEFAULT_FAILED_REQUEST_STATUS_CODES,
    ) -> None:
        self.failed_request_status_codes: Container[int] = failed_codes(failed_request_status_codes)

    @staticmethod
    def setup_once() -> None:
        if getattr(Litestar.__init__, "_sentry_lite", False):
            return
        from sentry_lite.integrations.logging import ignore_logger

        # Litestar logs the errors it answers; the after_exception hook reports them.
        ignore_logger("litestar")
        _patch_app_init()
        _patch_route_handle()
        _patch_middleware()


class LitestarConfig(AsgiConfig):
    generic_name = GENERIC_NAME
    reports_escaping_errors = False
    """What escapes Litestar's exception middleware was reported by its hook already."""

    def __init__(self, span_origin: str) -> None:
        AsgiConfig.__init__(self, "endpoint", "asgi", span_origin)

    def name(self, scope: AsgiScope) -> Tuple[str, str]:
        handler = scope.get("route_handler")
        if handler is not None:
            return _handler_name(handler)
        return AsgiConfig.name(self, scope)

    def extract(
        self, event: Event, request: Dict[str, Any], scope: AsgiScope, options: Any
    ) -> None:
        body = scope.get("_body")
        request["content_length"] = len(body) if isinstance(body, (bytes, bytearray)) else 0
        pii_cookies = options.send_default_pii and not data_collection_configured(options)
        if pii_cookies and "cookies" not in request:
            request["cookies"] = {}  # as sentry_sdk's Litestar integration, even when none


def _handler_name(handler: Any) -> Tuple[str, str]:
    """The route handler's ``name=``, else its function's qualified name (sentry_sdk's)."""
    if handler.name is not None:
        return str(handler.name), SOURCE_COMPONENT
    fn = getattr(handler, "fn", None)
    fn = getattr(fn, "value", fn)  # older Litestar wraps it in a Ref
    name = qualname(fn) if fn is not None else None
    return (name, SOURCE_COMPONENT) if name else (GENERIC_NAME, SOURCE_ROUTE)


class SentryLitestarASGIMiddleware:
    """The ASGI core as Litestar's first middleware (sentry_sdk's name and signature)."""

    def __init__(self, app: Any, span_origin: str = LitestarIntegration.origin) -> None:
        self.app = app
        self.config = LitestarConfig(span_origin)

    async def __call__(self, scope: AsgiScope, receive: Any, send: Any) -> Any:
        return await run_asgi(self.config, self.app, scope, receive, send)


def _patch_app_init() -> None:
    original = Litestar.__init__

    def sentry_lite_init(self: Any, *args: Any, **kwargs: Any) -> None:
        if active_integration(LitestarIntegration.identifier) is not None:
            kwargs["after_exception"] = [_after_exception, *(kwargs.get("after_exception") or [])]
            kwargs["middleware"] = [SentryLitestarASGIMiddleware, *(kwargs.get("middleware") or [])]
        original(self, *args, **kwargs)

    sentry_lite_init._sentry_lite = True  # type: ignore[attr-defined]
    Litestar.__init__ = sentry_lite_init  # type: ignore[method-assign]


def _patch_route_handle() -> None:
    original: Any = HTTPRoute.handle

    async def sentry_lite_handle(self: Any, scope: AsgiScope, receive: Any, send: Any) -> None:
        state = current_request.get()
        if state is not None and active_integration(LitestarIntegration.identifier) is not None:
            try:
                name_before_view(scope)  # no http.route: sentry_sdk sets none for Litestar
                options = Scope.get_client().options
                length = content_length(headers_of(scope))
                if (
                    length
                    and collects_request_body(options)
                    and body_within_bounds(options, length)
                ):
                    # Litestar caches the body in the scope: the handler reads it again.
                    await scope["app"].request_class(scope, receive, send).body()
            except Exception:  # noqa: BLE001 - never fail the request for the SDK
                pass
        await original(self, scope, receive, send)

    HTTPRoute.handle = sentry_lite_handle  # type: ignore[method-assign,assignment]


def _user_from_scope(scope: Any) -> Optional[Dict[str, Any]]:
    user = scope.get("user")
    if isinstance(user, dict):
        return user
    if hasattr(user, "asdict"):  # dataclasses with an asdict method
        value = user.asdict()
        return value if isinstance(value, dict) else None
    return None


def _after_exception(exc: Exception, scope: Any) -> None:
    """Litestar's ``after_exception`` hook: the exception it answered."""
    integration = active_integration(LitestarIntegration.identifier)
    if integration is None:
        return
    try:
        if collects_user_info(Scope.get_client().options):
            user = _user_from_scope(scope)
            if user:
                Scope.get_isolation_scope().set_user(user)
    except Exception:  # noqa: BLE001
        pass
    if isinstance(exc, HTTPException) and not failed_status(
        exc.status_code, integration.failed_request_status_codes
    ):
        return
    report_request_error((type(exc), exc, exc.__traceback__), LitestarIntegration.identifier)


# -- middleware spans -------------------------------------------------------------------


def _patch_middleware() -> None:
    original = BaseRouteHandler.resolve_middleware

    def sentry_lite_resolve_middleware(self: Any) -> Any:
        middleware = original(self)
        if active_integration(LitestarIntegration.identifier) is not None:
            for item in middleware:
                _trace_middleware(item)
        return middleware

    BaseRouteHandler.resolve_middleware = sentry_lite_resolve_middleware  # type: ignore[method-assign]


def _trace_middleware(middleware: Any) -> None:
    """Wrap a middleware class's ``__call__`` (once) in a ``middleware.litestar`` span."""
    cls = middleware.middleware if isinstance(middleware, DefineMiddleware) else middleware
    if not isinstance(cls, type) or cls is SentryLitestarASGIMiddleware:
        return
    original = getattr(cls, "__call__", None)  # noqa: B004
    if original is None or getattr(original, "_sentry_lite", False):
        return

    async def sentry_lite_middleware_call(self: Any, scope: Any, receive: Any, send: Any) -> Any:
        if active_integration(LitestarIntegration.identifier) is None:
            return await original(self, scope, receive, send)
        name = type(self).__name__
        span = child_span(OP_MIDDLEWARE, name, LitestarIntegration.origin)
        if span is None:
            return await original(self, scope, receive, send)
        with span:
            _label(span, name)
            if getattr(receive, "__name__", "") != "_sentry_receive":
                receive = _traced(receive, f"{OP_MIDDLEWARE}.receive", name, "_sentry_receive")
            if getattr(send, "__name__", "") != "_sentry_send":
                send = _traced(send, f"{OP_MIDDLEWARE}.send", name, "_sentry_send")
            return await original(self, scope, receive, send)

    sentry_lite_middleware_call._sentry_lite = True  # type: ignore[attr-defined]
    try:
        cls.__call__ = sentry_lite_middleware_call  # type: ignore[method-assign]
    except (AttributeError, TypeError):  # a built-in or frozen class: left untraced
        pass


def _label(span: Any, middleware: str) -> None:
    if isinstance(span, StreamedSpanView):
        span.set_attribute("middleware.name", middleware)
    else:
        span.set_tag("litestar.middleware_name", middleware)


def _traced(callback: Any, op: str, middleware: str, wrapper_name: str) -> Any:
    """An ASGI ``receive``/``send`` in a span named after it (sentry_sdk's names)."""
    named = getattr(callback, "__wrapped__", callback)  # the SDK's own recorder: what it wraps
    label = getattr(named, "__qualname__", None) or str(callback)

    async def traced(*args: Any, **kwargs: Any) -> Any:
        if active_integration(LitestarIntegration.identifier) is None:
            return await callback(*args, **kwargs)
        span = child_span(op, label, LitestarIntegration.origin)
        if span is None:
            return await callback(*args, **kwargs)
        with span:
            _label(span, middleware)
            return await callback(*args, **kwargs)

    traced.__name__ = wrapper_name
    return traced
