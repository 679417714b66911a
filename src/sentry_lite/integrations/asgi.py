"""ASGI: ``SentryAsgiMiddleware`` for any ASGI app, and the core Starlette/FastAPI sit on.

Per request: fork the scopes, register one event processor, and (only when the request
has a body and bodies are wanted) remember the body chunks the app reads through
``receive``. Headers, cookies, the URL, the body and the transaction name are built
from the ASGI scope only if an event is captured. An event processor cannot await, so
the body is what the app itself read: we never read a body the app did not ask for.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import sys
from typing import Any, Awaitable, Callable, Dict, Optional, Tuple
from urllib.parse import unquote

from sentry_lite.integration_api import (
    OMIT,
    Options,
    Scope,
    StreamedSpanView,
    continue_incoming_trace,
    end_request_session,
    enter_request_scopes,
    leave_request_scopes,
    may_collect,
    start_request_session,
    start_request_transaction,
)
from sentry_lite.integrations.web.asgi_body import BodyRecorder
from sentry_lite.integrations.web.asgi_scope import (
    BODY_METHODS,
    client_ip,
    content_length,
    headers_of,
    request_url,
    scan,
)
from sentry_lite.integrations.web.config import (
    DEFAULT_HTTP_METHODS_TO_CAPTURE,
    SOURCE_COMPONENT,
    SOURCE_ROUTE,
    SOURCE_URL,
    check_style,
    methods_tuple,
    qualname,
    warn_unknown,
)
from sentry_lite.integrations.web.request_data import (
    UPLOADED_FILE,
    body_within_bounds,
    collects_request_body,
    collects_user_info,
    note_uploaded_files,
    parse_cookies,
    parse_raw_body,
    request_cookies,
    request_headers,
    request_query_string,
    set_body,
)
from sentry_lite.integrations.web.request_state import RequestState, current_request
from sentry_lite.integrations.web.stream_request import add_asgi_request_attributes
from sentry_lite.integrations.web.transactions import (
    event_needs_name,
    finish_request_transaction,
    name_transaction,
    set_http_status,
)
from sentry_lite.types import Event, Hint

__all__ = ["AsgiConfig", "SentryAsgiMiddleware"]

logger = logging.getLogger("sentry_lite")

GENERIC_NAME = "generic ASGI request"
TRANSACTION_STYLE_VALUES = ("endpoint", "url")

AsgiScope = Dict[str, Any]
Receive = Callable[[], Awaitable[Dict[str, Any]]]
Send = Callable[[Dict[str, Any]], Awaitable[None]]
AsgiApp = Callable[[AsgiScope, Receive, Send], Awaitable[Any]]


class AsgiConfig:
    """How one integration (or a bare middleware) handles its requests; frameworks subclass."""

    generic_name = GENERIC_NAME
    records_body = True
    """Whether events carry the request body the app read (not for every framework:
    sentry_sdk's Quart integration sends none)."""
    reports_escaping_errors = True
    """Whether an exception escaping the app is reported here (not when the framework's
    own hook reported everything it caught, as Litestar's ``after_exception``)."""

    def __init__(
        self,
        transaction_style: str = "endpoint",
        mechanism_type: str = "asgi",
        span_origin: str = "manual",
        http_methods_to_capture: Tuple[str, ...] = DEFAULT_HTTP_METHODS_TO_CAPTURE,
        root_path_in_path: bool = False,
    ) -> None:
        self.transaction_style = transaction_style
        self.mechanism = mechanism_type
        self.span_origin = span_origin
        self.http_methods_to_capture = methods_tuple(http_methods_to_capture)
        self.root_path_in_path = root_path_in_path

    def name(self, scope: AsgiScope) -> Tuple[str, str]:
        """``(name, source)`` per ``transaction_style``, falling back to the URL."""
        if self.transaction_style == "endpoint":
            endpoint = scope.get("endpoint")
            if endpoint is not None:
                return qualname(endpoint) or "", SOURCE_COMPONENT
        else:
            route = scope.get("route")
            path = getattr(route, "path", None) if route is not None else None
            if path is not None:
                return path, SOURCE_ROUTE
        return request_url(scope, None, self.path(scope)), SOURCE_URL

    def route(self, scope: AsgiScope) -> Optional[str]:
        """The matched route's template (``/users/{id}``), for ``http.route``."""
        route = scope.get("route")
        path = getattr(route, "path", None) if route is not None else None
        return path if isinstance(path, str) else None

    def path(self, scope: AsgiScope) -> str:
        path = str(scope.get("path", ""))
        root = str(scope.get("root_path", ""))
        if not self.root_path_in_path:
            return root + path
        # Starlette >= 0.33 puts root_path in path already: add it only when missing.
        if not root or path == root or path.startswith(root + "/"):
            return path
        return root + path

    def extract(
        self, event: Event, request: Dict[str, Any], scope: AsgiScope, options: Options
    ) -> None:
        """Framework data for an event: the user, say. The base adds nothing."""


class AsgiRequestState(RequestState):
    __slots__ = ("body", "scope")

    def __init__(self, config: AsgiConfig, scope: AsgiScope) -> None:
        self.config = config
        self.seen = None
        self.capturing = False
        self.transaction = None
        self.framework = None
        self.scope = scope
        self.body: Optional[BodyRecorder] = None

    def process(self, event: Event, hint: Hint) -> Optional[Event]:
        """The request's event processor: request data, only now that an event exists."""
        if self.drop_duplicate(hint):
            return None
        scope = self.scope
        config: AsgiConfig = self.config
        options = Scope.get_client().options
        user_info = collects_user_info(options)
        ty = scope.get("type")
        request = event.setdefault("request", {})
        headers = headers_of(scope)
        if ty in ("http", "websocket"):
            request["method"] = scope.get("method")
            host = headers.get("host")
            # Filtered in place: what is read from ``headers`` below (length, type, and
            # cookies or the client address only with pii on, when nothing is filtered)
            # is never a withheld header.
            request["headers"] = request_headers(event, headers, options, annotated=False)
            raw_query = scope.get("query_string")
            include, query = request_query_string(
                unquote(raw_query.decode("latin-1")) if raw_query else None, options
            )
            if include:
                request["query_string"] = query
            request["url"] = request_url(scope, host, config.path(scope))
        if user_info and scope.get("client"):
            request["env"] = {"REMOTE_ADDR": client_ip(scope, headers)}
        cookies = request_cookies(lambda: parse_cookies(headers.get("cookie")), options)
        if cookies:
            request["cookies"] = cookies
        if config.records_body and collects_request_body(options):
            self._body(event, request, options, headers)
        config.extract(event, request, scope, options)
        if event.get("type") != "transaction" and event_needs_name(event, config.generic_name):
            event["transaction"], source = config.name(scope)
            event["transaction_info"] = {"source": source}
        return event

    def _body(
        self,
        event: Event,
        request: Dict[str, Any],
        options: Options,
        headers: Dict[str, str],
    ) -> None:
        length = content_length(headers)
        recorder = self.body
        if not length and (recorder is None or not recorder.size):
            return
        if recorder is not None and recorder.over:
            length = max(length, recorder.size)

        def read() -> Tuple[Optional[Any], bool]:
            if recorder is None or not recorder.chunks:
                return None, False  # the app did not read the body: nothing to show
            if not recorder.complete:
                return None, True
            parsed = parse_raw_body(b"".join(recorder.chunks), headers.get("content-type"))[1]
            return note_uploaded_files(event, parsed), True

        set_body(event, request, options, length, read)

    def body_attribute(self, options: Options) -> Optional[str]:
        """``http.request.body.data`` of a streamed segment: what the app read, as JSON."""
        if may_collect("http_bodies:incoming_request", options) == OMIT:
            return None
        headers = headers_of(self.scope)
        length = content_length(headers)
        if not length:
            return None
        if not body_within_bounds(options, length):
            return "[Exceeds maximum size]"
        recorder = self.body
        if recorder is None or not recorder.complete or not recorder.chunks:
            return None
        parsed = parse_raw_body(b"".join(recorder.chunks), headers.get("content-type"))[1]
        if isinstance(parsed, dict):
            parsed = {k: "[Unparsable]" if v is UPLOADED_FILE else v for k, v in parsed.items()}
        return None if parsed is None else json.dumps(parsed)


async def run_asgi(
    config: AsgiConfig,
    app: Any,
    scope: AsgiScope,
    receive: Receive,
    send: Send,
    bound: Any = None,
    client: Any = None,
) -> Any:
    """Run one connection of ``app`` in its own isolation scope, reporting what escapes it.

    ``bound``: when given, ``app`` is an unbound method called as ``app(bound, ...)``
    (saves a partial per request). ``client``: the active client, when the caller
    already looked it up.
    """
    ty = scope.get("type")
    if client is None:
        client = Scope.get_client()
    outer = current_request.get()
    if ty not in ("http", "websocket") or outer is not None or not client.is_active():
        if (
            outer is not None
            and type(outer.config) is AsgiConfig
            and type(config) is not AsgiConfig
        ):
            # A bare SentryAsgiMiddleware around a framework app (sentry_sdk's legacy
            # setup): the framework's naming knows the routes, so it names the request.
            outer.config = config
        try:
            if bound is not None:
                return await app(bound, scope, receive, send)
            return await app(scope, receive, send)
        except Exception:
            if ty == "lifespan" and client.is_active():
                RequestState(config).capture(sys.exc_info(), config.mechanism)
            raise
    try:
        state = AsgiRequestState(config, scope)
        entered = enter_request_scopes(state.process)
        start_request_session(client)  # i13: release-health sessions
    except Exception:  # never let the SDK fail the request: serve it unobserved
        logger.debug("sentry_lite: could not set up the request", exc_info=True)
        if bound is not None:
            return await app(bound, scope, receive, send)
        return await app(scope, receive, send)
    options = client.options
    state_token = current_request.set(state)
    exc_info: Any = (None, None, None)
    try:
        method = scope.get("method")
        want_body = (
            config.records_body
            and ty == "http"
            and method in BODY_METHODS
            and options.get("max_request_body_size", "medium") != "never"
        )
        try:
            length, trace_headers = scan(scope, want_body)
        except Exception:  # malformed headers are the server's problem, not ours
            length, trace_headers = 0, None
        if length and body_within_bounds(options, max(length, 0)):
            state.body = BodyRecorder(receive, _body_limit(options))
            receive = state.body
        if options.tracing_enabled:
            if ty == "websocket" or str(method or "").upper() in config.http_methods_to_capture:
                state.transaction = _start(config, ty, trace_headers, scope, client)
                if isinstance(state.transaction, StreamedSpanView):
                    _stream_attributes(state.transaction, scope)
        elif trace_headers:
            continue_incoming_trace(trace_headers)
        transaction = state.transaction
        if transaction is not None:
            send = _status_recorder(transaction, send, config, scope)
        if bound is not None:
            return await app(bound, scope, receive, send)
        return await app(scope, receive, send)
    except Exception:
        exc_info = sys.exc_info()
        if config.reports_escaping_errors:
            state.capture(exc_info, config.mechanism)
        raise
    finally:
        if state.transaction is not None:
            try:
                name, source = config.name(scope)
                name_transaction(state.transaction, config.generic_name, name, source)
                if isinstance(state.transaction, StreamedSpanView):
                    route = config.route(scope)
                    if route:
                        state.transaction.set_attribute("http.route", route)
                    body = state.body_attribute(options)
                    if body:
                        state.transaction.set_attribute("http.request.body.data", body)
            except Exception:
                pass
            finish_request_transaction(state.transaction, exc_info)
        end_request_session(client)  # i13: release-health sessions
        leave_request_scopes(entered)
        current_request.reset(state_token)


def _stream_attributes(segment: Any, scope: AsgiScope) -> None:
    """The request's attributes on its streamed segment (sentry_sdk's names)."""
    headers = headers_of(scope)
    path = str(scope.get("root_path", "")) + str(scope.get("path", ""))
    query = scope.get("query_string") or b""
    server = scope.get("server")
    add_asgi_request_attributes(
        segment,
        str(scope.get("type")),
        scope.get("method"),
        headers,
        client_ip(scope, headers),
        request_url(scope, headers.get("host"), path),
        path,
        query.decode("latin-1") if isinstance(query, bytes) else str(query),
        server[0] if server else None,
    )


def _status_recorder(transaction: Any, send: Send, config: AsgiConfig, scope: AsgiScope) -> Send:
    streamed = isinstance(transaction, StreamedSpanView)

    async def sentry_lite_send(message: Dict[str, Any]) -> None:
        if message.get("type") == "http.response.start" and "status" in message:
            set_http_status(transaction, message["status"])
            if streamed:  # spans ending from here on carry the route's name, as sentry_sdk
                try:
                    name_transaction(transaction, config.generic_name, *config.name(scope))
                except Exception:  # noqa: BLE001
                    pass
        await send(message)

    # Middleware spans are named after the send they wrap: sentry_sdk's name on the wire.
    sentry_lite_send.__qualname__ = "SentryAsgiMiddleware._run_app.<locals>._sentry_wrapped_send"
    return sentry_lite_send


def _start(
    config: AsgiConfig,
    ty: Any,
    trace_headers: Optional[Dict[str, str]],
    scope: AsgiScope,
    client: Any = None,
) -> Any:
    transaction = start_request_transaction(
        trace_headers or {},
        f"{ty}.server",
        config.generic_name,
        SOURCE_ROUTE,
        config.span_origin,
        {"asgi_scope": scope},
        client,
    )
    if transaction is not None and not isinstance(transaction, StreamedSpanView):
        try:  # a tag of transactions only: sentry_sdk's streamed segment has no such attribute
            transaction.set_tag("asgi.type", ty)
        except Exception:
            pass
    return transaction


def _body_limit(options: Options) -> Optional[int]:
    from sentry_lite.limits import MEDIUM_BODY_BYTES, SMALL_BODY_BYTES

    size = options.get("max_request_body_size", "medium")
    if size == "small":
        return SMALL_BODY_BYTES
    if size == "medium":
        return MEDIUM_BODY_BYTES
    return None


def _looks_like_asgi3(app: Any) -> bool:
    if inspect.isclass(app):
        return hasattr(app, "__await__")
    if inspect.isfunction(app):
        return asyncio.iscoroutinefunction(app)
    call = getattr(app, "__call__", None)  # noqa: B004
    return asyncio.iscoroutinefunction(call)


class SentryAsgiMiddleware:
    """Wrap any ASGI app: ``app = SentryAsgiMiddleware(app)`` (sentry_sdk's signature)."""

    def __init__(
        self,
        app: Any,
        unsafe_context_data: bool = False,
        transaction_style: str = "endpoint",
        mechanism_type: str = "asgi",
        span_origin: str = "manual",
        http_methods_to_capture: Tuple[str, ...] = DEFAULT_HTTP_METHODS_TO_CAPTURE,
        asgi_version: Optional[int] = None,
        root_path_in_path: Any = False,
        **unknown: Any,
    ) -> None:
        warn_unknown("SentryAsgiMiddleware", unknown)
        style = check_style(
            "SentryAsgiMiddleware", transaction_style, TRANSACTION_STYLE_VALUES, "endpoint"
        )
        self.app = app
        self.config = AsgiConfig(
            style,
            mechanism_type,
            span_origin,
            http_methods_to_capture,
            _root_path_flag(root_path_in_path),
        )
        if asgi_version is None:
            asgi_version = 3 if _looks_like_asgi3(app) else 2
        self.asgi_version = asgi_version
        if asgi_version == 3:
            # Servers and test clients that inspect ``__call__`` to tell ASGI 3 from 2
            # (Starlette's TestClient, uvicorn) must see a coroutine function; calls
            # still go through the class's ``__call__``.
            self.__dict__["__call__"] = self._asgi3

    async def _asgi3(self, scope: AsgiScope, receive: Receive, send: Send) -> Any:
        return await run_asgi(self.config, self.app, scope, receive, send)

    def __call__(self, scope: AsgiScope, receive: Any = None, send: Any = None) -> Any:
        if self.asgi_version == 2:
            app = self.app

            async def call(s: AsgiScope, r: Receive, se: Send) -> Any:
                return await app(s)(r, se)

            if receive is None:  # an ASGI 2 server: scope first, then (receive, send)

                async def asgi2(receive: Receive, send: Send) -> Any:
                    return await run_asgi(self.config, call, scope, receive, send)

                return asgi2
            return run_asgi(self.config, call, scope, receive, send)
        return run_asgi(self.config, self.app, scope, receive, send)


def _root_path_flag(value: Any) -> bool:
    """sentry_sdk passes an enum (EXCLUDED / EITHER); we keep a bool: True for EITHER."""
    return value is True or str(getattr(value, "value", value)) == "either"
