"""Falcon (WSGI apps): each request in its own scope through the shared WSGI core,
errors Falcon turns into 5xx responses reported once, transactions named by route.

Falcon answers an error in a responder itself (``App._handle_exception``), so the WSGI
core never sees it: that method is wrapped, and an exception that ends in a 5xx
response is reported (unhandled, as sentry_sdk does; 4xx ``HTTPError``s are the app's
answers, not failures). A middleware put first in every app's chain keeps the Falcon
request for the event processor and names the transaction once the route is resolved,
before the responder runs. Falcon's ASGI apps are left alone, as by sentry_sdk.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

from sentry_lite.integration_api import SOURCE_FOR_STYLE, Options, active_integration
from sentry_lite.integrations import DidNotEnable, Integration
from sentry_lite.integrations.web.config import check_style, warn_unknown
from sentry_lite.integrations.web.request_data import collects_request_body, set_body
from sentry_lite.integrations.web.request_state import current_request, report_request_error
from sentry_lite.integrations.web.transactions import name_before_view
from sentry_lite.integrations.wsgi import Environ, WsgiConfig, WsgiRequestState, framework_call

try:
    import falcon
    import falcon.app_helpers
    import falcon.request
except ImportError as exc:  # pragma: no cover - exercised without falcon (3+) installed
    raise DidNotEnable("Falcon 3 or later is not installed") from exc

__all__ = ["FalconIntegration", "SentryFalconMiddleware"]

MEDIA_UNSET = getattr(falcon.request, "_UNSET", object())
"""What ``Request._media`` holds until the app reads ``req.media`` (Falcon 3+)."""

TRANSACTION_STYLE_VALUES = ("uri_template", "path")


class FalconIntegration(Integration):
    identifier = "falcon"
    origin = f"auto.http.{identifier}"

    def __init__(self, transaction_style: str = "uri_template", **unknown: Any) -> None:
        warn_unknown("FalconIntegration", unknown)
        self.transaction_style = check_style(
            "FalconIntegration", transaction_style, TRANSACTION_STYLE_VALUES, "uri_template"
        )
        self.config = _FalconConfig(self.transaction_style)

    @staticmethod
    def setup_once() -> None:
        app_class = falcon.App
        if getattr(app_class.__call__, "_sentry_lite", False):
            return
        app_class.__call__ = framework_call(  # type: ignore[method-assign]
            app_class.__call__, FalconIntegration.identifier
        )

        original_handle = app_class._handle_exception

        def sentry_lite_handle_exception(
            self: Any, req: Any, resp: Any, ex: Exception, params: Any
        ) -> Any:
            handled = original_handle(self, req, resp, ex, params)
            if active_integration(FalconIntegration.identifier) is not None:
                try:
                    if _ends_in_5xx(ex, resp):
                        report_request_error((type(ex), ex, ex.__traceback__), "falcon")
                except Exception:  # noqa: BLE001
                    pass
            return handled

        app_class._handle_exception = sentry_lite_handle_exception  # type: ignore[method-assign]

        original_prepare = falcon.app_helpers.prepare_middleware

        def sentry_lite_prepare_middleware(
            middleware: Any = None, independent_middleware: bool = False, asgi: bool = False
        ) -> Any:
            if not asgi and active_integration(FalconIntegration.identifier) is not None:
                middleware = [SentryFalconMiddleware(), *(middleware or [])]
            return original_prepare(middleware, independent_middleware, asgi)

        falcon.app_helpers.prepare_middleware = sentry_lite_prepare_middleware


class _FalconConfig(WsgiConfig):
    mechanism = "falcon"

    def __init__(self, style: str) -> None:
        WsgiConfig.__init__(self, False, FalconIntegration.origin)
        self.style = style
        self.source = SOURCE_FOR_STYLE[style]

    def name(self, environ: Environ) -> Optional[Tuple[str, str]]:
        request = _falcon_request(environ)
        if request is None:
            return None
        name = request.uri_template if self.style == "uri_template" else request.path
        return (name, self.source) if name else None

    def extract(
        self, event: Dict[str, Any], request: Dict[str, Any], environ: Environ, options: Options
    ) -> None:
        WsgiConfig.extract(self, event, request, environ, options)  # cookies
        falcon_request = _falcon_request(environ)
        if falcon_request is None or not collects_request_body(options):
            return
        length = falcon_request.content_length or 0
        set_body(event, request, options, length, lambda: _read_body(falcon_request))


def _falcon_request(environ: Environ) -> Any:
    """The Falcon request of this request (kept by the middleware), if any."""
    state = current_request.get()
    if isinstance(state, WsgiRequestState) and state.environ is environ:
        return state.framework
    return None


def _read_body(request: Any) -> Tuple[Optional[Any], bool]:
    """What the app parsed already (``req.media``); Falcon's stream is read once, so an
    unread body is never read here, only noted."""
    media = getattr(request, "_media", MEDIA_UNSET)
    if media is not MEDIA_UNSET and media is not None:
        return media, True
    return None, bool(request.content_length)


class SentryFalconMiddleware:
    """First in every WSGI app's chain (sentry_sdk's name): keeps the request, names the
    transaction."""

    def process_request(self, req: Any, resp: Any) -> None:
        state = current_request.get()
        if isinstance(state, WsgiRequestState) and state.framework is None:
            state.framework = req

    def process_resource(self, req: Any, resp: Any, resource: Any, params: Any) -> None:
        state = current_request.get()
        if isinstance(state, WsgiRequestState) and state.transaction is not None:
            name_before_view(state.environ, req.uri_template)


def _ends_in_5xx(ex: Exception, resp: Any) -> bool:
    server_error = isinstance(ex, falcon.HTTPError) and _is_5xx(ex.status or "")
    unexpected = not isinstance(ex, (falcon.HTTPError, falcon.http_status.HTTPStatus))
    return (server_error or unexpected) and _is_5xx(resp.status)


def _is_5xx(status: Any) -> bool:
    if isinstance(status, int):
        return 500 <= status < 600
    return isinstance(status, str) and status.startswith("5")
