"""Tornado: each request handler run in its own scopes, its errors reported once, its
transaction named after the handler's method before that method runs.

Tornado serves HTTP itself (no WSGI or ASGI entry), so ``RequestHandler._execute`` (one
request, from ``prepare`` to ``finish``) is wrapped: it forks the scopes, continues the
incoming trace and starts the ``http.server`` transaction (or, streaming, the segment).
Tornado answers an error in a handler with its own 500 page after logging it through
``RequestHandler.log_exception``; that method is wrapped to report the error (unhandled,
mechanism ``tornado``; ``HTTPError`` is the app's answer, not a failure). Request data
comes from the handler's ``HTTPServerRequest``, read only when an event is captured.
"""

from __future__ import annotations

import sys
import weakref
from typing import Any, Dict, Optional, Tuple

from sentry_lite.integration_api import (
    Options,
    Scope,
    StreamedSpanView,
    active_integration,
    collected_query_string,
    continue_incoming_trace,
    data_collection_configured,
    enter_request_scopes,
    leave_request_scopes,
    start_request_transaction,
)
from sentry_lite.integrations import DidNotEnable, Integration
from sentry_lite.integrations.web.config import SOURCE_COMPONENT, SOURCE_ROUTE, qualname
from sentry_lite.integrations.web.request_data import (
    body_within_bounds,
    collects_request_body,
    collects_user_info,
    fill_server_request,
    form_data,
    is_json_content_type,
    request_headers,
)
from sentry_lite.integrations.web.request_state import (
    RequestState,
    current_request,
    report_request_error,
)
from sentry_lite.integrations.web.stream_request import is_localhost
from sentry_lite.integrations.web.transactions import (
    event_needs_name,
    finish_request_transaction,
    name_transaction,
)
from sentry_lite.types import Event, Hint

try:
    import tornado
    from tornado.web import HTTPError, RequestHandler
except ImportError as exc:  # pragma: no cover - exercised without tornado installed
    raise DidNotEnable("Tornado is not installed") from exc

__all__ = ["TornadoIntegration"]

GENERIC_NAME = "generic Tornado request"
MECHANISM = "tornado"
MIN_VERSION = (6, 0)
"""sentry_sdk 2.75 supports Tornado 6 and later."""


class TornadoIntegration(Integration):
    identifier = "tornado"
    origin = f"auto.http.{identifier}"

    @staticmethod
    def setup_once() -> None:
        version = getattr(tornado, "version_info", None)
        if not isinstance(version, tuple) or version[:2] < MIN_VERSION:
            raise DidNotEnable("TornadoIntegration needs Tornado 6.0 or later")
        if getattr(RequestHandler._execute, "_sentry_lite", False):
            return
        from sentry_lite.integrations.logging import ignore_logger

        ignore_logger("tornado.access")  # one record per request, errors included
        _patch_execute()
        _patch_log_exception()


class _TornadoConfig:
    """What the shared request helpers ask of a request's config."""

    mechanism = MECHANISM
    generic_name = GENERIC_NAME


CONFIG = _TornadoConfig()


def _handler_name(handler: Any) -> Optional[str]:
    """``module.Handler.get``: the method that answers the request (sentry_sdk's name)."""
    method = getattr(handler, str(handler.request.method).lower(), None)
    return qualname(method) if method is not None else None


class TornadoRequestState(RequestState):
    """A request's bookkeeping, holding its handler weakly (the event processor may
    outlive the request on a scope)."""

    __slots__ = ("handler",)

    def __init__(self, handler: RequestHandler) -> None:
        RequestState.__init__(self, CONFIG)
        self.handler = weakref.ref(handler)

    def process(self, event: Event, hint: Hint) -> Optional[Event]:
        """The request's event processor: request data, only now that an event exists."""
        if self.drop_duplicate(hint):
            return None
        handler = self.handler()
        if handler is None:
            return event
        try:
            if event.get("type") != "transaction" and event_needs_name(event, GENERIC_NAME):
                name = _handler_name(handler)
                if name:
                    event["transaction"] = name
                    event["transaction_info"] = {"source": SOURCE_COMPONENT}
        except Exception:  # noqa: BLE001 - an odd handler must not cost the event
            pass
        options = Scope.get_client().options
        _request_data(event, handler, options)
        if collects_user_info(options):
            try:
                user = handler.current_user
            except Exception:  # noqa: BLE001 - the app's own lookup failed
                user = None
            if user:
                current = event.get("user")
                merged = dict(current) if isinstance(current, dict) else {}
                merged.setdefault("is_authenticated", True)
                event["user"] = merged
        return event


def _request_data(event: Event, handler: Any, options: Options) -> None:
    """The event's ``request``: sentry_sdk's fields for Tornado, privacy rules applied."""
    request = handler.request
    fill_server_request(
        event,
        options,
        read_cookies=lambda: {name: morsel.value for name, morsel in request.cookies.items()},
        body_length=len(request.body or b""),
        read_body=lambda: _read_body(event, request),
        url=f"{request.protocol}://{request.host}{request.path}",
        query=request.query,
        method=request.method,
        # sentry_sdk sends the address unless data_collection withholds user data.
        client_ip=request.remote_ip,
        headers=dict(request.headers),
    )


def _read_body(event: Event, request: Any) -> Tuple[Optional[Any], bool]:
    """The body Tornado already parsed: its form (values as lists), else JSON."""
    raw = request.body or b""
    form = {
        key: [v.decode("latin1", "replace") for v in values]
        for key, values in (request.body_arguments or {}).items()
    }
    files = {key: files[0] for key, files in (request.files or {}).items() if files}
    if form or files:
        return form_data(event, form, files), bool(raw)
    if raw and is_json_content_type(request.headers.get("content-type")):
        import json

        try:
            return json.loads(raw.decode("utf-8")), True
        except ValueError:
            pass
    return None, bool(raw)


def _client_ip(request: Any) -> Optional[str]:
    forwarded = request.headers.get("X-Forwarded-For", "").split(",")[0].strip()
    if forwarded:
        return str(forwarded)
    real = request.headers.get("X-Real-IP")
    return str(real) if real else request.remote_ip


def _enter(handler: RequestHandler, options: Options) -> Tuple[TornadoRequestState, Any]:
    """The request's scopes (with the attributes sentry_sdk puts on them) and trace."""
    state = TornadoRequestState(handler)
    entered = enter_request_scopes(state.process)
    try:
        request = handler.request
        headers = request.headers
        scope = Scope.get_isolation_scope()
        scope.set_attribute(
            "sentry.is_localhost",
            is_localhost(
                _client_ip(request), None, headers.get("Host"), headers.get("X-Forwarded-Host")
            ),
        )
        if headers.get("User-Agent"):
            scope.set_attribute("user_agent.original", headers["User-Agent"])
        incoming = dict(headers)
        if options.tracing_enabled:
            state.transaction = start_request_transaction(
                incoming,
                "http.server",
                GENERIC_NAME,
                SOURCE_ROUTE,
                TornadoIntegration.origin,
                {"tornado_request": request},
            )
            streamed = isinstance(state.transaction, StreamedSpanView)
            if streamed and request.remote_ip and collects_user_info(options):
                scope.set_attribute("user.ip_address", request.remote_ip)
        else:
            continue_incoming_trace(incoming)
        if state.transaction is not None:
            # Named before the method runs: what it sends carries the handler's name.
            name_transaction(
                state.transaction, GENERIC_NAME, _handler_name(handler), SOURCE_COMPONENT
            )
    except Exception:
        leave_request_scopes(entered)
        raise
    return state, entered


def _finish(state: TornadoRequestState, handler: RequestHandler, options: Options) -> None:
    transaction = state.transaction
    if isinstance(transaction, StreamedSpanView) and transaction.sampled:
        try:
            transaction.set_attributes(_segment_attributes(handler.request, options))
            transaction.set_http_status(handler.get_status())
        except Exception:  # noqa: BLE001 - never fail the request for an attribute
            pass
    finish_request_transaction(transaction)


def _segment_attributes(request: Any, options: Options) -> Dict[str, Any]:
    """What sentry_sdk puts on a Tornado request's streamed segment as it ends."""
    attributes: Dict[str, Any] = {}
    if request.method:
        attributes["http.request.method"] = str(request.method).upper()
    for name, value in request_headers({}, dict(request.headers), options, False).items():
        attributes[f"http.request.header.{name.lower()}"] = value
    user_info = collects_user_info(options)
    if data_collection_configured(options):
        attributes["url.path"] = request.path
        query = collected_query_string(request.query, options) if request.query else None
        if query:
            attributes["url.query"] = query
        url = f"{request.protocol}://{request.host}{request.path}"
        attributes["url.full"] = f"{url}?{query}" if query else url
    elif options.send_default_pii:
        attributes["url.full"] = request.full_url()
        attributes["url.path"] = request.path
        if request.query:
            attributes["url.query"] = request.query
    if user_info and request.remote_ip:
        attributes["client.address"] = request.remote_ip
    if request.protocol:
        attributes["network.protocol.name"] = request.protocol
    if request.body and collects_request_body(options):
        attributes["http.request.body.data"] = (
            request.body.decode("utf-8", "replace")
            if body_within_bounds(options, len(request.body))
            else "[Exceeds maximum size]"
        )
    return attributes


def _patch_execute() -> None:
    original = RequestHandler._execute

    async def sentry_lite_execute(self: RequestHandler, *args: Any, **kwargs: Any) -> Any:
        client = Scope.get_client()
        if (
            current_request.get() is not None
            or active_integration(TornadoIntegration.identifier, client) is None
        ):
            return await original(self, *args, **kwargs)
        options = client.options
        try:
            state, entered = _enter(self, options)
        except Exception:  # never let the SDK fail the request: serve it unobserved
            return await original(self, *args, **kwargs)
        token = current_request.set(state)
        try:
            return await original(self, *args, **kwargs)
        except Exception:
            report_request_error(sys.exc_info(), MECHANISM)
            raise
        finally:
            if state.transaction is not None:
                _finish(state, self, options)
            current_request.reset(token)
            leave_request_scopes(entered)

    sentry_lite_execute._sentry_lite = True  # type: ignore[attr-defined]
    RequestHandler._execute = sentry_lite_execute  # type: ignore[method-assign]


def _patch_log_exception() -> None:
    original = RequestHandler.log_exception

    def sentry_lite_log_exception(
        self: RequestHandler, typ: Any, value: Any, tb: Any, *args: Any, **kwargs: Any
    ) -> Any:
        if not isinstance(value, HTTPError) and active_integration(TornadoIntegration.identifier):
            report_request_error((typ, value, tb), MECHANISM)
        return original(self, typ, value, tb, *args, **kwargs)

    RequestHandler.log_exception = sentry_lite_log_exception  # type: ignore[method-assign]
