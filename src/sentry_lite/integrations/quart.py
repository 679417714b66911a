"""Quart: requests through the shared ASGI core, named by endpoint or URL rule when Quart
starts handling them, errors Quart turns into its 500 page reported once.

Patched once, at setup: ``Quart.__call__`` runs every connection through the ASGI core
(scopes, trace continuation, the ``http.server`` transaction, errors that escape the app).
Quart's ``request_started``/``websocket_started`` signals name the transaction after the
route, before the view runs, and keep the Quart request for the event processor (URL,
headers, the client address and the quart-auth user as sentry_sdk sends them);
``got_request_exception`` and friends report what Quart catches (mechanism ``quart``).
Sync views (run on a worker thread by Quart) mark that thread on the transaction, as
sentry_sdk does. As with sentry_sdk, request bodies are not sent.
"""

from __future__ import annotations

import functools
from typing import Any, Dict, Optional, Tuple

from sentry_lite.integration_api import (
    SEND,
    Options,
    Scope,
    StreamedSpanView,
    active_integration,
    collected_query_string,
    data_collection_configured,
    may_collect,
)
from sentry_lite.integrations import DidNotEnable, Integration
from sentry_lite.integrations.asgi import AsgiConfig, AsgiRequestState, AsgiScope, run_asgi
from sentry_lite.integrations.web.active_thread import wrap_sync_view
from sentry_lite.integrations.web.config import (
    SOURCE_COMPONENT,
    SOURCE_ROUTE,
    check_style,
    warn_unknown,
)
from sentry_lite.integrations.web.request_data import collects_user_info, request_headers
from sentry_lite.integrations.web.request_state import current_request, report_request_error
from sentry_lite.integrations.web.transactions import name_before_view
from sentry_lite.types import Event

try:
    from quart import Quart, has_request_context, has_websocket_context, request, websocket
    from quart.signals import (
        got_background_exception,
        got_request_exception,
        got_websocket_exception,
        request_started,
        websocket_started,
    )
except ImportError as exc:  # pragma: no cover - exercised without quart installed
    raise DidNotEnable("Quart is not installed") from exc

try:
    import quart_auth  # type: ignore[import-not-found,import-untyped,unused-ignore]
except ImportError:
    quart_auth = None  # sentry_sdk's name: the user id comes from quart-auth when installed

__all__ = ["QuartIntegration"]

TRANSACTION_STYLE_VALUES = ("endpoint", "url")
MECHANISM = "quart"


class QuartIntegration(Integration):
    identifier = "quart"
    origin = f"auto.http.{identifier}"

    def __init__(self, transaction_style: str = "endpoint", **unknown: Any) -> None:
        warn_unknown("QuartIntegration", unknown)
        self.transaction_style = check_style(
            "QuartIntegration", transaction_style, TRANSACTION_STYLE_VALUES, "endpoint"
        )
        self.config = QuartConfig(self.transaction_style)

    @staticmethod
    def setup_once() -> None:
        if getattr(Quart.__call__, "_sentry_lite", False):
            return
        request_started.connect(_request_started, weak=False)
        websocket_started.connect(_request_started, weak=False)
        for signal in (got_request_exception, got_websocket_exception, got_background_exception):
            signal.connect(_report_exception, weak=False)
        _patch_app()
        _patch_sync_views()


class QuartConfig(AsgiConfig):
    """The ASGI core's config for Quart apps: names and request data come from the Quart
    request kept at ``request_started``, the rest from the ASGI scope."""

    records_body = False  # sentry_sdk's Quart integration sends no request body

    def __init__(self, style: str) -> None:
        # Errors escaping the app keep the ASGI middleware's mechanism, as sentry_sdk's.
        AsgiConfig.__init__(self, "endpoint", "asgi", QuartIntegration.origin)
        self.style = style

    def name(self, scope: AsgiScope) -> Tuple[str, str]:
        rule = getattr(_quart_request(), "url_rule", None)
        if rule is not None:
            if self.style == "url":
                return str(rule.rule), SOURCE_ROUTE
            return str(rule.endpoint), SOURCE_COMPONENT
        return AsgiConfig.name(self, scope)  # not routed: the URL, as sentry_sdk

    def route(self, scope: AsgiScope) -> Optional[str]:
        rule = getattr(_quart_request(), "url_rule", None)
        return str(rule.rule) if rule is not None else None

    def extract(
        self, event: Event, request: Dict[str, Any], scope: AsgiScope, options: Options
    ) -> None:
        quart_request = _quart_request()
        if quart_request is None:
            return
        request.pop("cookies", None)  # sentry_sdk's Quart integration sends none
        request["url"] = quart_request.url
        if not data_collection_configured(options):
            request["query_string"] = quart_request.query_string.decode("utf-8", "replace")
        request["method"] = quart_request.method
        request["headers"] = request_headers(
            event, dict(quart_request.headers), options, annotated=True
        )
        if collects_user_info(options):
            if quart_request.access_route:
                request["env"] = {"REMOTE_ADDR": quart_request.access_route[0]}
            user_id = _quart_auth_user_id()
            if user_id:
                user = event.get("user")
                event["user"] = dict(user) if isinstance(user, dict) else {}
                event["user"]["id"] = user_id


def _quart_request() -> Any:
    """The Quart request (or websocket) of the request being handled, if Quart routed it."""
    state = current_request.get()
    ref = getattr(state, "framework", None)
    return ref() if ref is not None else None


def _same(value: Any) -> Any:
    return value


def _quart_auth_user_id() -> Optional[str]:
    """quart-auth's logged-in user id (only inside the request's context)."""
    if quart_auth is None:
        return None
    try:
        user = quart_auth.current_user
        if user is None:
            return None
        auth_id = user._auth_id
        return str(auth_id) if auth_id is not None else None
    except Exception:  # outside a request, or quart-auth not set up for this app
        return None


def _patch_app() -> None:
    original: Any = Quart.__call__

    async def sentry_lite_quart_call(self: Any, scope: AsgiScope, receive: Any, send: Any) -> Any:
        client = Scope.get_client()
        integration = active_integration(QuartIntegration.identifier, client)
        if integration is None:
            return await original(self, scope, receive, send)
        return await run_asgi(integration.config, original, scope, receive, send, self, client)

    sentry_lite_quart_call._sentry_lite = True  # type: ignore[attr-defined]
    Quart.__call__ = sentry_lite_quart_call  # type: ignore[method-assign,assignment]


def _patch_sync_views() -> None:
    """Sync views run on a worker thread: wrap them as Quart registers them."""
    original = Quart.add_url_rule

    def sentry_lite_add_url_rule(
        self: Any, rule: str, endpoint: Any = None, view_func: Any = None, *args: Any, **kwargs: Any
    ) -> Any:
        if view_func is not None:
            view_func = wrap_sync_view(view_func)
        return original(self, rule, endpoint, view_func, *args, **kwargs)

    Quart.add_url_rule = sentry_lite_add_url_rule  # type: ignore[method-assign]


async def _request_started(sender: Any, **kwargs: Any) -> None:
    """Quart has routed the request: keep it, name the transaction, and in streaming mode
    put sentry_sdk's request attributes on the segment."""
    try:
        if active_integration(QuartIntegration.identifier) is None:
            return
        state = current_request.get()
        if not isinstance(state, AsgiRequestState):
            return
        if has_request_context():
            quart_request = request._get_current_object()  # type: ignore[attr-defined]
        elif has_websocket_context():
            quart_request = websocket._get_current_object()  # type: ignore[attr-defined]
        else:
            return
        # Held (not weakly) until the request's scopes go: Quart drops its request when
        # the response is sent, before the transaction event is built from it.
        state.framework = functools.partial(_same, quart_request)
        rule = getattr(quart_request, "url_rule", None)
        name_before_view(state.scope, str(rule.rule) if rule is not None else None)
        if isinstance(state.transaction, StreamedSpanView):
            _stream_attributes(state.transaction, quart_request)
    except Exception:  # noqa: BLE001 - never fail the request for the SDK
        pass


def _stream_attributes(segment: StreamedSpanView, quart_request: Any) -> None:
    """What sentry_sdk adds to a Quart request's segment (and user) once Quart routed it."""
    options = Scope.get_client().options
    attributes: Dict[str, Any] = {"http.request.method": quart_request.method}
    for name, value in request_headers(
        {}, dict(quart_request.headers), options, annotated=False
    ).items():
        attributes[f"http.request.header.{name.lower()}"] = value
    query = quart_request.query_string.decode("utf-8", "replace")
    user: Dict[str, Any] = {}
    if data_collection_configured(options):
        kept = collected_query_string(query, options) if query else None
        if kept:
            attributes["url.query"] = kept
        base = quart_request.base_url
        attributes["url.full"] = f"{base}?{kept}" if kept else base
        allowed = may_collect("user_info", options) == SEND
    else:
        allowed = bool(options.send_default_pii)
        if allowed:
            attributes["url.full"] = quart_request.url
            attributes["url.query"] = query
    if allowed:
        if quart_request.access_route:
            attributes["client.address"] = quart_request.access_route[0]
            user["ip_address"] = quart_request.access_route[0]
        user_id = _quart_auth_user_id()
        if user_id:
            user["id"] = user_id
    segment.set_attributes(attributes)
    if user:
        scope = Scope.get_isolation_scope()
        scope.set_user({**(scope.user or {}), **user})


async def _report_exception(sender: Any, exception: BaseException, **kwargs: Any) -> None:
    """Quart caught an exception (it answers 500, or re-raises when propagating)."""
    if active_integration(QuartIntegration.identifier) is None:
        return
    report_request_error((type(exception), exception, exception.__traceback__), MECHANISM)
