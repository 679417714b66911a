"""Pyramid: each request in its own scope through the shared WSGI core, errors reported
once, transactions named by route.

The router's view call (``pyramid.router._call_view``, after routing, before the view)
keeps the request for the event processor and names the transaction, so the view's
outgoing calls carry the route's name. Errors are reported where Pyramid decides a
request failed: an exception view that answers 500 (``Request.invoke_exception_view``)
and an exception that leaves the router; ``HTTPException``s are answers, not failures.
"""

from __future__ import annotations

import json
import weakref
from typing import Any, Dict, Optional, Tuple

from sentry_lite.integration_api import (
    SOURCE_FOR_STYLE,
    Options,
    Scope,
    active_integration,
    span_streaming_enabled,
)
from sentry_lite.integrations import DidNotEnable, Integration
from sentry_lite.integrations.web.config import check_style, warn_unknown
from sentry_lite.integrations.web.request_data import (
    collects_request_body,
    collects_user_info,
    form_data,
    is_json_content_type,
    set_body,
)
from sentry_lite.integrations.web.request_state import current_request, report_request_error
from sentry_lite.integrations.web.transactions import name_before_view
from sentry_lite.integrations.wsgi import Environ, WsgiConfig, WsgiRequestState, framework_call

try:
    from pyramid import router  # type: ignore[import-untyped]
    from pyramid.httpexceptions import HTTPException  # type: ignore[import-untyped]
    from pyramid.request import Request  # type: ignore[import-untyped]
except ImportError as exc:  # pragma: no cover - exercised without pyramid installed
    raise DidNotEnable("Pyramid is not installed") from exc

__all__ = ["PyramidIntegration"]

TRANSACTION_STYLE_VALUES = ("route_name", "route_pattern")


class PyramidIntegration(Integration):
    identifier = "pyramid"
    origin = f"auto.http.{identifier}"

    def __init__(self, transaction_style: str = "route_name", **unknown: Any) -> None:
        warn_unknown("PyramidIntegration", unknown)
        self.transaction_style = check_style(
            "PyramidIntegration", transaction_style, TRANSACTION_STYLE_VALUES, "route_name"
        )
        self.config = _PyramidConfig(self.transaction_style)

    @staticmethod
    def setup_once() -> None:
        if getattr(router.Router.__call__, "_sentry_lite", False):
            return
        # An exception that leaves the router is reported by the shared core, with
        # this integration's mechanism.
        router.Router.__call__ = framework_call(
            router.Router.__call__, PyramidIntegration.identifier
        )

        original_call_view = router._call_view

        def sentry_lite_call_view(registry: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
            if active_integration(PyramidIntegration.identifier) is not None:
                try:
                    _routed(request)
                except Exception:  # noqa: BLE001 - never fail the request for a name
                    pass
            return original_call_view(registry, request, *args, **kwargs)

        router._call_view = sentry_lite_call_view

        original_exception_view = getattr(Request, "invoke_exception_view", None)
        if original_exception_view is None:  # pragma: no cover - Pyramid before 1.7
            return

        def sentry_lite_invoke_exception_view(self: Any, *args: Any, **kwargs: Any) -> Any:
            response = original_exception_view(self, *args, **kwargs)
            exc_info = getattr(self, "exc_info", None)
            if (
                exc_info
                and all(exc_info)
                and getattr(response, "status_int", None) == 500
                and active_integration(PyramidIntegration.identifier) is not None
            ):
                _report(exc_info)
            return response

        Request.invoke_exception_view = sentry_lite_invoke_exception_view


class _PyramidConfig(WsgiConfig):
    mechanism = "pyramid"

    def __init__(self, style: str) -> None:
        WsgiConfig.__init__(self, False, PyramidIntegration.origin)
        self.style = style
        self.source = SOURCE_FOR_STYLE[style]

    def name(self, environ: Environ) -> Optional[Tuple[str, str]]:
        route = getattr(_pyramid_request(environ), "matched_route", None)
        if route is None:
            return None
        name = route.name if self.style == "route_name" else route.pattern
        return (name, self.source) if name else None

    def extract(
        self, event: Dict[str, Any], request: Dict[str, Any], environ: Environ, options: Options
    ) -> None:
        WsgiConfig.extract(self, event, request, environ, options)  # cookies
        pyramid_request = _pyramid_request(environ)
        if pyramid_request is None:
            return
        if collects_request_body(options):
            length = pyramid_request.content_length or 0
            set_body(event, request, options, length, lambda: _read_body(event, pyramid_request))
        if collects_user_info(options):
            try:
                user = event.get("user")
                user = dict(user) if isinstance(user, dict) else {}
                user.setdefault("id", pyramid_request.authenticated_userid)
                event["user"] = user
            except Exception:
                pass


def _pyramid_request(environ: Environ) -> Any:
    """This request's Pyramid request (kept weakly by the view call), if still alive."""
    state = current_request.get()
    if isinstance(state, WsgiRequestState) and state.environ is environ:
        ref = state.framework
        return ref() if ref is not None else None
    return None


def _read_body(event: Dict[str, Any], request: Any) -> Tuple[Optional[Any], bool]:
    """WebOb keeps the body it read (seekable), so reading it takes nothing from the app."""
    raw = ""
    try:
        raw = request.text
    except Exception:
        pass
    try:
        posted = request.POST
        form = {k: v for k, v in posted.items() if not getattr(v, "filename", None)}
        files = {k: v for k, v in posted.items() if getattr(v, "filename", None)}
        if form or files:
            return form_data(event, form, files), bool(raw)
    except Exception:
        pass
    if raw and is_json_content_type(request.content_type):
        try:
            return json.loads(raw), True
        except ValueError:
            pass
    return None, bool(raw)


def _routed(request: Any) -> None:
    """The view is about to run: keep the request, name the transaction."""
    state = current_request.get()
    if not isinstance(state, WsgiRequestState):
        return
    if state.framework is None:
        try:
            state.framework = weakref.ref(request)
        except TypeError:
            pass
    if state.transaction is not None:
        route = getattr(request, "matched_route", None)
        name_before_view(state.environ, getattr(route, "pattern", None))
        options = Scope.get_client().options
        if span_streaming_enabled(options) and collects_user_info(options):
            # A segment carries ``user.id`` from the scope, as sentry_sdk's does.
            try:
                user_id = request.authenticated_userid
                if user_id:
                    Scope.get_isolation_scope().set_user({"id": user_id})
            except Exception:  # noqa: BLE001
                pass


def _report(exc_info: Any) -> None:
    if exc_info[0] is None or issubclass(exc_info[0], HTTPException):
        return
    report_request_error(exc_info, "pyramid")
