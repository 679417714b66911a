"""Starlette: requests through the shared ASGI core, errors reported once.

Patched once, at setup: ``Starlette.__call__`` (isolation, request data, transactions),
``ServerErrorMiddleware`` (the app's 500/``Exception`` handler gets the error only after
we reported it, so a handler that calls ``capture_exception`` itself, or fails, still
makes one event), ``ExceptionMiddleware`` (``HTTPException`` with a status in
``failed_request_status_codes``) and ``Jinja2Templates`` (``sentry_trace_meta``).
Nothing here runs per request beyond the ASGI core: route names, the user and the body
are read from the ASGI scope when an event is captured.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Set as AbstractSet
from typing import Any, Container, Dict, Optional, Tuple

from sentry_lite.integration_api import (
    Options,
    Scope,
    StreamedSpanView,
    active_integration,
    child_span,
)
from sentry_lite.integrations import DidNotEnable, Integration
from sentry_lite.integrations.asgi import AsgiConfig, AsgiScope, run_asgi
from sentry_lite.integrations.web.active_thread import patch_sync_endpoints
from sentry_lite.integrations.web.config import (
    DEFAULT_FAILED_REQUEST_STATUS_CODES,
    DEFAULT_HTTP_METHODS_TO_CAPTURE,
    SOURCE_ROUTE,
    check_style,
    failed_codes,
    failed_status,
    warn_unknown,
)
from sentry_lite.integrations.web.request_data import collects_user_info
from sentry_lite.integrations.web.request_state import (
    RequestState,
    capture_exception_event,
    current_request,
)
from sentry_lite.integrations.web.route_naming import patch_route_naming
from sentry_lite.integrations.web.transactions import trace_meta
from sentry_lite.types import Event

try:
    import starlette
    from starlette.applications import Starlette
    from starlette.middleware.errors import ServerErrorMiddleware
except ImportError as exc:  # pragma: no cover
    raise DidNotEnable("Starlette is not installed") from exc

try:
    from starlette.middleware.exceptions import ExceptionMiddleware
except ImportError:  # pragma: no cover - very old Starlette
    from starlette.exceptions import ExceptionMiddleware  # type: ignore[attr-defined,no-redef]

__all__ = ["StarletteIntegration"]

TRANSACTION_STYLE_VALUES = ("endpoint", "url")
MECHANISM = "starlette"
"""sentry_sdk reports Starlette and FastAPI errors with this mechanism type."""


class StarletteIntegration(Integration):
    identifier = "starlette"
    origin = f"auto.http.{identifier}"
    generic_name = "generic Starlette request"

    def __init__(
        self,
        transaction_style: str = "url",
        failed_request_status_codes: Any = DEFAULT_FAILED_REQUEST_STATUS_CODES,
        middleware_spans: bool = False,
        http_methods_to_capture: Tuple[str, ...] = DEFAULT_HTTP_METHODS_TO_CAPTURE,
        **unknown: Any,
    ) -> None:
        cls_name = type(self).__name__
        warn_unknown(cls_name, unknown)
        self.transaction_style = check_style(
            cls_name, transaction_style, TRANSACTION_STYLE_VALUES, "url"
        )
        if not isinstance(failed_request_status_codes, AbstractSet):
            warnings.warn(  # as sentry_sdk: the list/None form is deprecated
                "Passing a list or None for failed_request_status_codes is deprecated. "
                "Please pass a set of int instead.",
                DeprecationWarning,
                stacklevel=2,
            )
        self.failed_request_status_codes: Container[int] = failed_codes(failed_request_status_codes)
        self.middleware_spans = bool(middleware_spans)
        self.config = StarletteConfig(
            self.transaction_style,
            type(self).origin,
            http_methods_to_capture,
            type(self).generic_name,
        )
        self.http_methods_to_capture = self.config.http_methods_to_capture

    @staticmethod
    def setup_once() -> None:
        patch_starlette()


class StarletteConfig(AsgiConfig):
    def __init__(
        self, style: str, origin: str, methods: Tuple[str, ...], generic_name: str
    ) -> None:
        AsgiConfig.__init__(
            self, style, MECHANISM, origin, methods, root_path_in_path=_root_path_in_path()
        )
        self.generic_name = generic_name

    def name(self, scope: AsgiScope) -> Tuple[str, str]:
        if scope.get("endpoint") is None and scope.get("route") is None:
            return AsgiConfig.name(self, scope)
        if self.transaction_style == "url":
            path = _route_path(scope)
            if path:
                return path, SOURCE_ROUTE
        return AsgiConfig.name(self, scope)

    def route(self, scope: AsgiScope) -> Optional[str]:
        return _route_path(scope)

    def extract(
        self, event: Event, request: Dict[str, Any], scope: AsgiScope, options: Options
    ) -> None:
        if "user" in scope and collects_user_info(options):
            user = _user_from_scope(scope)
            if user:
                current = event.get("user")
                merged = dict(current) if isinstance(current, dict) else {}
                for key, value in user.items():
                    merged.setdefault(key, value)
                event["user"] = merged


def _route_path(scope: AsgiScope) -> Optional[str]:
    """FastAPI's effective route path (included routers), else the matched route's."""
    context = (scope.get("fastapi") or {}).get("effective_route_context")
    path = getattr(context, "path", None)
    if path:
        return str(path)
    route = scope.get("route")
    path = getattr(route, "path", None)
    if path is not None:
        return str(path)
    return _matching_route_path(scope)


def _matching_route_path(scope: AsgiScope) -> Optional[str]:
    """Older Starlette (before ``scope["route"]``): find the route the router matched."""
    routes = getattr(scope.get("router"), "routes", None)
    if not routes:
        return None
    from starlette.routing import Match

    for candidate in routes:
        try:
            match, _ = candidate.matches(scope)
        except Exception:
            continue
        if match == Match.FULL:
            path = getattr(candidate, "path", None)
            return str(path) if path is not None else None
    return None


def _user_from_scope(scope: AsgiScope) -> Dict[str, Any]:
    """``request.user`` set by AuthenticationMiddleware: username, id, email."""
    try:
        user = scope["user"]
    except Exception:
        return {}
    info: Dict[str, Any] = {}
    for attr in ("username", "id", "email"):
        try:
            value = getattr(user, attr, None)
        except Exception:
            value = None
        if value:
            info[attr] = value
    return info


def _root_path_in_path() -> bool:
    version = getattr(starlette, "__version__", "0")
    try:
        parts = tuple(int(p) for p in version.split(".")[:2])
    except ValueError:
        return True
    return parts >= (0, 33)


def _integration_for(app: Any) -> Any:
    """The FastAPI integration for a FastAPI app when enabled, else the Starlette one."""
    client = Scope.get_client()
    if not client.is_active():
        return None
    return _enabled_for(app, client)


def _enabled_for(app: Any, client: Any) -> Any:
    """:func:`_integration_for` with the active client already in hand."""
    integrations = client.integrations
    fastapi = sys.modules.get("fastapi")
    if fastapi is not None and isinstance(app, getattr(fastapi, "FastAPI", ())):
        integration = integrations.get("fastapi")
        if integration is not None:
            return integration
    return integrations.get(StarletteIntegration.identifier)


_patched = False


def patch_starlette() -> None:
    """Idempotent: FastAPI's setup calls it too."""
    global _patched
    if _patched:
        return
    _patched = True
    _patch_app()
    _patch_server_error_middleware()
    _patch_exception_middleware()
    _patch_templates()
    _patch_middleware_spans()
    patch_sync_endpoints()  # c-web: the active thread of sync endpoints (streaming)
    import starlette.routing

    patch_route_naming(starlette.routing)


def _patch_app() -> None:
    original = Starlette.__call__

    async def sentry_lite_starlette_call(
        self: Starlette, scope: AsgiScope, receive: Any, send: Any
    ) -> None:
        client = Scope.get_client()
        integration = _enabled_for(self, client) if client.is_active() else None
        if integration is None:
            return await original(self, scope, receive, send)
        return await run_asgi(  # type: ignore[no-any-return]
            integration.config, original, scope, receive, send, self, client
        )

    Starlette.__call__ = sentry_lite_starlette_call  # type: ignore[method-assign,assignment]


def _report_server_error(request: Any, exc: BaseException) -> None:
    """Report an error reaching the app's 500 handler, before the handler sees it."""
    try:
        app = request.scope.get("app")
        if _integration_for(app) is None:
            return
        exc_info = (type(exc), exc, exc.__traceback__)
        state = current_request.get()
        if isinstance(state, RequestState):
            state.capture(exc_info, MECHANISM)
        else:
            capture_exception_event(exc_info, MECHANISM, False, None)
    except Exception:
        pass


def _check_response(handler: Any, response: Any) -> None:
    if not callable(response):
        from sentry_lite.integration_api import warn_once

        warn_once(
            f"starlette:handler:{id(handler)}",
            "sentry_lite: exception handler %r returned %s, not a Response; "
            "Starlette will fail to send it (the original error is reported once)",
            handler,
            type(response).__name__,
        )


def _wrap_error_handler(handler: Any) -> Any:
    if getattr(handler, "_sentry_lite", False):
        return handler
    from starlette._utils import is_async_callable

    if is_async_callable(handler):

        async def sentry_lite_error_handler(request: Any, exc: Exception) -> Any:
            _report_server_error(request, exc)
            response = await handler(request, exc)
            _check_response(handler, response)
            return response

    else:

        def sentry_lite_error_handler(request: Any, exc: Exception) -> Any:  # type: ignore[misc]
            _report_server_error(request, exc)
            response = handler(request, exc)
            _check_response(handler, response)
            return response

    sentry_lite_error_handler._sentry_lite = True  # type: ignore[attr-defined]
    return sentry_lite_error_handler


def _patch_server_error_middleware() -> None:
    original_init = ServerErrorMiddleware.__init__

    def sentry_lite_init(
        self: Any, app: Any, handler: Any = None, *args: Any, **kwargs: Any
    ) -> None:
        if handler is not None:
            handler = _wrap_error_handler(handler)
        original_init(self, app, handler, *args, **kwargs)

    ServerErrorMiddleware.__init__ = sentry_lite_init  # type: ignore[method-assign]


def _wrap_http_exception_handler(handler: Any) -> Any:
    if getattr(handler, "_sentry_lite", False):
        return handler
    from starlette._utils import is_async_callable

    def report(conn: Any, exc: Any) -> None:
        try:
            status = getattr(exc, "status_code", None)
            if not isinstance(status, int):
                return
            integration = _integration_for((conn.scope or {}).get("app"))
            if integration is None:
                return
            if failed_status(status, integration.failed_request_status_codes):
                exc_info = (type(exc), exc, exc.__traceback__)
                state = current_request.get()
                if isinstance(state, RequestState):
                    state.capture(exc_info, MECHANISM, handled=True)
                else:
                    capture_exception_event(exc_info, MECHANISM, True, None)
        except Exception:
            pass

    if is_async_callable(handler):

        async def sentry_lite_exception_handler(conn: Any, exc: Any) -> Any:
            report(conn, exc)
            return await handler(conn, exc)

    else:

        def sentry_lite_exception_handler(conn: Any, exc: Any) -> Any:  # type: ignore[misc]
            report(conn, exc)
            return handler(conn, exc)

    sentry_lite_exception_handler._sentry_lite = True  # type: ignore[attr-defined]
    return sentry_lite_exception_handler


def _patch_exception_middleware() -> None:
    original_init = ExceptionMiddleware.__init__

    def sentry_lite_init(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        handlers = getattr(self, "_exception_handlers", None)
        if isinstance(handlers, dict):
            for key, handler in list(handlers.items()):
                handlers[key] = _wrap_http_exception_handler(handler)

    ExceptionMiddleware.__init__ = sentry_lite_init  # type: ignore[method-assign]


def _patch_templates() -> None:
    try:
        from markupsafe import Markup
        from starlette.templating import Jinja2Templates
    except ImportError:
        return
    original_init = Jinja2Templates.__init__

    def add_sentry_trace_meta(request: Any) -> Dict[str, Any]:
        return {"sentry_trace_meta": Markup(trace_meta())}

    def sentry_lite_init(self: Any, *args: Any, **kwargs: Any) -> None:
        processors = list(kwargs.get("context_processors") or [])
        if add_sentry_trace_meta not in processors:
            processors.append(add_sentry_trace_meta)
        kwargs["context_processors"] = processors
        original_init(self, *args, **kwargs)

    Jinja2Templates.__init__ = sentry_lite_init  # type: ignore[method-assign]


OP_MIDDLEWARE = "middleware.starlette"
OP_RECEIVE = "middleware.starlette.receive"
OP_SEND = "middleware.starlette.send"
_RECEIVE_WRAPPER = "sentry_lite_middleware_receive"
_SEND_WRAPPER = "sentry_lite_middleware_send"


class _MiddlewareSpan:
    """``middleware_spans=True``: a ``middleware.starlette`` span around one middleware."""

    __slots__ = ("app", "name")

    def __init__(self, app: Any, name: str) -> None:
        self.app = app
        self.name = name

    async def __call__(self, scope: AsgiScope, receive: Any, send: Any) -> None:
        span = child_span(OP_MIDDLEWARE, self.name, StarletteIntegration.origin)
        if span is None:
            await self.app(scope, receive, send)
            return
        with span:
            _label(span, self.name)
            # The callbacks get spans too, once: an inner middleware handed the
            # outer one's wrapper passes it on as is (sentry_sdk's rule).
            if getattr(receive, "__name__", "") != "sentry_lite_middleware_receive":
                receive = _traced_callback(
                    receive, OP_RECEIVE, self.name, "sentry_lite_middleware_receive"
                )
            if getattr(send, "__name__", "") != "sentry_lite_middleware_send":
                send = _traced_callback(send, OP_SEND, self.name, "sentry_lite_middleware_send")
            await self.app(scope, receive, send)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.app, name)


def _label(span: Any, middleware: str) -> None:
    if isinstance(span, StreamedSpanView):
        span.span.set_attribute("middleware.name", middleware)
    else:
        span.set_tag("starlette.middleware_name", middleware)


def _traced_callback(callback: Any, op: str, middleware: str, name: str) -> Any:
    """``callback`` (an ASGI receive or send) run in a span of ``op`` named after it."""
    label = getattr(callback, "__qualname__", None) or str(callback)

    async def traced(*args: Any, **kwargs: Any) -> Any:
        span = child_span(op, label, StarletteIntegration.origin)
        if span is None:
            return await callback(*args, **kwargs)
        with span:
            _label(span, middleware)
            return await callback(*args, **kwargs)

    traced.__name__ = name
    return traced


def _span_factory(cls: Any) -> Any:
    name = getattr(cls, "__name__", None) or type(cls).__name__

    def sentry_lite_middleware(app: Any, *args: Any, **kwargs: Any) -> Any:
        return _MiddlewareSpan(cls(app, *args, **kwargs), name)

    return sentry_lite_middleware


def _patch_middleware_spans() -> None:
    """Wrap middleware as Starlette builds its stack, only when the option is on then.

    The stack is built once, on the first request; apps that keep the default (off)
    run Starlette's own objects with no extra call per request.
    """
    try:
        from starlette.middleware import Middleware
    except ImportError:  # pragma: no cover
        return
    original_iter = Middleware.__iter__

    def sentry_lite_iter(self: Any) -> Any:
        items = tuple(original_iter(self))
        try:
            wanted = any(
                getattr(active_integration(name), "middleware_spans", False)
                for name in (StarletteIntegration.identifier, "fastapi")
            )
            if wanted and len(items) == 3:
                return iter((_span_factory(items[0]), items[1], items[2]))
        except Exception:  # noqa: BLE001
            pass
        return iter(items)

    Middleware.__iter__ = sentry_lite_iter  # type: ignore[method-assign]
