"""Bottle: each request in its own scope through the shared WSGI core, errors reported
once, transactions named by route.

Bottle turns an error in a route into a 500 page itself (``catchall``), so the WSGI core
never sees it: each route's callback is wrapped where Bottle builds it
(``Route._make_callback``) to report what it raises, and an ``HTTPResponse`` it returns
with a status in ``failed_request_status_codes`` (as handled), as sentry_sdk does. The
wrapper also names the transaction before the route runs.
"""

from __future__ import annotations

import sys
from typing import Any, Callable, Container, Dict, Optional, Tuple

from sentry_lite.integration_api import (
    SOURCE_FOR_STYLE,
    Options,
    active_integration,
)
from sentry_lite.integrations import DidNotEnable, Integration
from sentry_lite.integrations.web.config import (
    DEFAULT_FAILED_REQUEST_STATUS_CODES,
    check_style,
    failed_codes,
    failed_status,
    qualname,
    warn_unknown,
)
from sentry_lite.integrations.web.request_data import collects_request_body, form_data, set_body
from sentry_lite.integrations.web.request_state import current_request, report_request_error
from sentry_lite.integrations.web.transactions import name_before_view
from sentry_lite.integrations.wsgi import Environ, WsgiConfig, WsgiRequestState, framework_call

try:
    from bottle import Bottle, HTTPResponse, Route  # type: ignore[import-untyped]
except ImportError as exc:  # pragma: no cover - exercised without bottle installed
    raise DidNotEnable("Bottle is not installed") from exc

__all__ = ["BottleIntegration"]

TRANSACTION_STYLE_VALUES = ("endpoint", "url")


class BottleIntegration(Integration):
    identifier = "bottle"
    origin = f"auto.http.{identifier}"

    def __init__(
        self,
        transaction_style: str = "endpoint",
        *,
        failed_request_status_codes: Container[int] = DEFAULT_FAILED_REQUEST_STATUS_CODES,
        **unknown: Any,
    ) -> None:
        warn_unknown("BottleIntegration", unknown)
        self.transaction_style = check_style(
            "BottleIntegration", transaction_style, TRANSACTION_STYLE_VALUES, "endpoint"
        )
        self.failed_request_status_codes = failed_codes(failed_request_status_codes)
        self.config = _BottleConfig(self.transaction_style)

    @staticmethod
    def setup_once() -> None:
        if getattr(Bottle.__call__, "_sentry_lite", False):
            return
        Bottle.__call__ = framework_call(Bottle.__call__, BottleIntegration.identifier)
        original_make_callback = Route._make_callback

        def sentry_lite_make_callback(self: Route, *args: Any, **kwargs: Any) -> Any:
            return _reporting(original_make_callback(self, *args, **kwargs))

        Route._make_callback = sentry_lite_make_callback
        # Bottle's own Route repr follows decorators' closures and can loop for ever on
        # some; frame locals show a Route through this one.
        Route.__sentry_repr__ = _route_repr


class _BottleConfig(WsgiConfig):
    mechanism = "bottle"

    def __init__(self, style: str) -> None:
        WsgiConfig.__init__(self, False, BottleIntegration.origin)
        self.style = style
        self.source = SOURCE_FOR_STYLE[style]

    def name(self, environ: Environ) -> Optional[Tuple[str, str]]:
        route = environ.get("bottle.route")
        if route is None:
            return None
        name = route.rule if self.style == "url" else (route.name or qualname(route.callback))
        return (name, self.source) if name else None

    def extract(
        self, event: Dict[str, Any], request: Dict[str, Any], environ: Environ, options: Options
    ) -> None:
        WsgiConfig.extract(self, event, request, environ, options)  # cookies
        bottle_request = environ.get("bottle.request")
        if bottle_request is None or not collects_request_body(options):
            return
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        set_body(event, request, options, length, lambda: _read_body(event, bottle_request))


def _read_body(event: Dict[str, Any], request: Any) -> Tuple[Optional[Any], bool]:
    """Bottle keeps the body it read in the environ, so reading here takes nothing from
    the app."""
    raw = b""
    try:
        raw = request.body.read()
        request.body.seek(0)
    except Exception:
        pass
    try:
        if request.json is not None:
            return request.json, bool(raw)
    except Exception:
        pass
    try:
        forms, files = request.forms, request.files
        if forms or files:
            return form_data(event, dict(forms.decode()), dict(files)), bool(raw)
    except Exception:
        pass
    return None, bool(raw)


def _reporting(callback: Callable[..., Any]) -> Callable[..., Any]:
    def sentry_lite_bottle_route(*args: Any, **kwargs: Any) -> Any:
        integration = active_integration(BottleIntegration.identifier)
        if integration is None:
            return callback(*args, **kwargs)
        state = current_request.get()
        if isinstance(state, WsgiRequestState) and state.transaction is not None:
            _name_routed_request(state)
        try:
            response = callback(*args, **kwargs)
        except Exception:
            report_request_error(sys.exc_info(), "bottle")
            raise
        if isinstance(response, HTTPResponse) and failed_status(
            response.status_code, integration.failed_request_status_codes
        ):
            report_request_error((type(response), response, None), "bottle", True)
        return response

    return sentry_lite_bottle_route


def _name_routed_request(state: WsgiRequestState) -> None:
    """The route's name on the transaction (and, streaming, ``http.route`` on the
    segment) before the route runs."""
    route = state.environ.get("bottle.route")
    name_before_view(state.environ, getattr(route, "rule", None))


def _route_repr(route: Any) -> str:
    callback = getattr(route, "callback", None)
    return "<{} {} -> {}:{}>".format(
        getattr(route, "method", "?"),
        getattr(route, "rule", "?"),
        getattr(callback, "__module__", "?"),
        getattr(callback, "__name__", "?"),
    )
