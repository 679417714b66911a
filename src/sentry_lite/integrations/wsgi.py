"""WSGI: ``SentryWsgiMiddleware`` for any WSGI app, and the core Flask and Django sit on.

Per request we only fork the scopes, register one event processor and (with tracing on)
start a transaction. The environ is turned into ``event["request"]`` only if an event is
captured, so a request that goes well pays for almost nothing.
"""

from __future__ import annotations

import contextvars
import logging
import sys
from typing import Any, Callable, Dict, Iterable, Iterator, Optional, Tuple

from sentry_lite.integration_api import (
    EnteredScopes,
    Options,
    Scope,
    StreamedSpanView,
    active_integration,
    continue_incoming_trace,
    end_request_session,
    enter_request_scopes,
    leave_request_scopes,
    start_request_session,
    start_request_transaction,
)
from sentry_lite.integrations.web.config import (
    DEFAULT_HTTP_METHODS_TO_CAPTURE,
    SOURCE_ROUTE,
    methods_tuple,
)
from sentry_lite.integrations.web.request_data import (
    collects_user_info,
    parse_cookies,
    request_cookies,
    request_headers,
    request_query_string,
)
from sentry_lite.integrations.web.request_state import RequestState, current_request
from sentry_lite.integrations.web.stream_request import add_wsgi_request_attributes
from sentry_lite.integrations.web.transactions import (
    event_needs_name,
    finish_request_transaction,
    name_transaction,
    set_http_status,
)
from sentry_lite.limits import MAX_CACHED_HEADER_NAMES
from sentry_lite.types import Event, Hint

__all__ = ["SentryWsgiMiddleware", "WsgiConfig", "get_client_ip", "get_request_url"]

logger = logging.getLogger("sentry_lite")

GENERIC_NAME = "generic WSGI request"
OP_HTTP_SERVER = "http.server"

Environ = Dict[str, Any]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[Environ, StartResponse], Any]


class WsgiConfig:
    """How one integration (or a bare middleware) handles its requests.

    Frameworks override the hooks: ``name`` gives ``(transaction name, source)`` for a
    request, ``extract`` adds framework data (body, cookies, user) to an event.
    """

    mechanism = "wsgi"
    generic_name = GENERIC_NAME

    def __init__(
        self,
        use_x_forwarded_for: bool = False,
        span_origin: str = "manual",
        http_methods_to_capture: Tuple[str, ...] = DEFAULT_HTTP_METHODS_TO_CAPTURE,
    ) -> None:
        self.use_x_forwarded_for = use_x_forwarded_for
        self.span_origin = span_origin
        self.http_methods_to_capture = methods_tuple(http_methods_to_capture)

    def name(self, environ: Environ) -> Optional[Tuple[str, str]]:
        return None

    def extract(
        self, event: Event, request: Dict[str, Any], environ: Environ, options: Options
    ) -> None:
        cookies = request_cookies(lambda: parse_cookies(environ.get("HTTP_COOKIE")), options)
        if cookies:
            request["cookies"] = cookies

    def on_response(self, environ: Environ, state: WsgiRequestState) -> None:
        """Called from ``start_response`` (still inside the framework's request context)."""


class WsgiRequestState(RequestState):
    __slots__ = ("environ",)

    def __init__(self, config: WsgiConfig, environ: Environ) -> None:
        self.config = config
        self.seen = None
        self.capturing = False
        self.transaction = None
        self.framework = None
        self.environ = environ

    def process(self, event: Event, hint: Hint) -> Optional[Event]:
        """The request's event processor: request data, only now that an event exists."""
        if self.drop_duplicate(hint):
            return None
        environ = self.environ
        config: WsgiConfig = self.config
        options = Scope.get_client().options
        user_info = collects_user_info(options)
        request = event.setdefault("request", {})
        request["url"] = get_request_url(environ, config.use_x_forwarded_for)
        request["method"] = environ.get("REQUEST_METHOD")
        env: Dict[str, Any] = {
            k: environ[k] for k in ("SERVER_NAME", "SERVER_PORT") if k in environ
        }
        if user_info and "REMOTE_ADDR" in environ:
            env["REMOTE_ADDR"] = environ["REMOTE_ADDR"]
        request["env"] = env
        request["headers"] = request_headers(event, _headers(environ), options, annotated=True)
        include, query = request_query_string(environ.get("QUERY_STRING"), options)
        if include:
            request["query_string"] = query
        if user_info:
            ip = get_client_ip(environ)
            if ip:
                user = event.get("user")
                if not isinstance(user, dict):
                    user = event["user"] = {}
                else:
                    user = event["user"] = dict(user)
                user.setdefault("ip_address", ip)
        config.extract(event, request, environ, options)
        if event.get("type") != "transaction" and event_needs_name(event, config.generic_name):
            named = config.name(environ)
            if named is None and "transaction" not in event:
                # as sentry_sdk, whose request transaction (sampled or not) names the scope
                named = (config.generic_name, SOURCE_ROUTE)
            if named is not None:
                event["transaction"], source = named
                event["transaction_info"] = {"source": source}
        return event


def _headers(environ: Environ) -> Dict[str, Any]:
    """The request headers from the environ, named as sent (``HTTP_USER_AGENT``: User-Agent)."""
    names = _header_names
    out = {}
    for key, value in environ.items():
        name = names.get(key)
        if name is None:
            name = _header_name(key)
            if len(names) < MAX_CACHED_HEADER_NAMES:
                names[key] = name
        if name:
            out[name] = value
    return out


def _header_name(key: str) -> str:
    """The header an environ key holds, or "" for a key that is not a header."""
    if key.startswith("HTTP_"):
        if key in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
            return ""
        return key[5:].replace("_", "-").title()
    if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        return key.replace("_", "-").title()
    return ""


_header_names: Dict[str, str] = {}


def _strip_port(host: str, scheme: Any) -> str:
    if scheme == "http" and host.endswith(":80"):
        return host[:-3]
    if scheme == "https" and host.endswith(":443"):
        return host[:-4]
    return host


def _host(environ: Environ, use_x_forwarded_for: bool) -> str:
    scheme = environ.get("wsgi.url_scheme")
    if use_x_forwarded_for:
        scheme = environ.get("HTTP_X_FORWARDED_PROTO", scheme)
        if "HTTP_X_FORWARDED_HOST" in environ:
            return _strip_port(environ["HTTP_X_FORWARDED_HOST"], scheme)
    if environ.get("HTTP_HOST"):
        return _strip_port(environ["HTTP_HOST"], scheme)
    if environ.get("SERVER_NAME"):
        host = str(environ["SERVER_NAME"])
        port = str(environ.get("SERVER_PORT", ""))
        if (environ.get("wsgi.url_scheme"), port) not in (("https", "443"), ("http", "80")):
            host += ":" + port
        return host
    return "unknown"


def get_request_url(environ: Environ, use_x_forwarded_for: bool = False) -> str:
    """The absolute URL of the request, without the query string."""
    script = str(environ.get("SCRIPT_NAME", "")).rstrip("/")
    path = str(environ.get("PATH_INFO", "")).lstrip("/")
    scheme = environ.get("wsgi.url_scheme")
    if use_x_forwarded_for:
        scheme = environ.get("HTTP_X_FORWARDED_PROTO", scheme)
    full = f"{script}/{path}"
    if not full.isascii():  # ASCII is the same in both encodings
        try:
            full = full.encode("latin1").decode("utf-8", "replace")
        except UnicodeEncodeError:
            pass
    return "{}://{}/{}".format(scheme, _host(environ, use_x_forwarded_for), full.lstrip("/"))


def get_client_ip(environ: Environ) -> Optional[str]:
    """Best guess at the client's address (forgeable: for display, not for security)."""
    forwarded = environ.get("HTTP_X_FORWARDED_FOR")
    if forwarded:
        return str(forwarded).split(",")[0].strip()
    real = environ.get("HTTP_X_REAL_IP")
    if real:
        return str(real)
    return environ.get("REMOTE_ADDR")


def _trace_headers(environ: Environ) -> Dict[str, str]:
    headers = {}
    for key, name in _TRACE_ENV_KEYS:
        value = environ.get(key)
        if value:
            headers[name] = value
    return headers


_TRACE_ENV_KEYS = (
    ("HTTP_SENTRY_TRACE", "sentry-trace"),
    ("HTTP_BAGGAGE", "baggage"),
    ("HTTP_TRACEPARENT", "traceparent"),
)


def _enter(
    config: WsgiConfig, environ: Environ, client: Any
) -> Tuple[WsgiRequestState, Any, EnteredScopes]:
    """Fork the scopes for one request and start its transaction (when tracing)."""
    state = WsgiRequestState(config, environ)
    state_token = current_request.set(state)
    try:
        entered = enter_request_scopes(state.process)
    except BaseException:
        current_request.reset(state_token)  # else later requests look nested: unobserved
        raise
    start_request_session(client)  # i13: release-health sessions
    options: Options = client.options
    try:
        traced = options.tracing_enabled and (
            str(environ.get("REQUEST_METHOD", "")).upper() in config.http_methods_to_capture
        )
        if not traced:
            if "HTTP_SENTRY_TRACE" in environ or "HTTP_TRACEPARENT" in environ:
                continue_incoming_trace(_trace_headers(environ))
        else:  # the transaction continues the incoming trace itself
            state.transaction = start_request_transaction(
                _trace_headers(environ),
                OP_HTTP_SERVER,
                config.generic_name,
                "route",
                config.span_origin,
                {"wsgi_environ": environ},
                client,
            )
            segment = state.transaction
            if isinstance(segment, StreamedSpanView):  # i14: streaming mode
                recording = bool(segment.sampled)
                add_wsgi_request_attributes(
                    segment,
                    environ,
                    _headers(environ) if recording else {},
                    get_client_ip(environ),
                    get_request_url(environ, config.use_x_forwarded_for) if recording else "",
                    options,
                )
    except BaseException:
        _leave(state_token, entered, client)  # leave this thread as we found it
        raise
    return state, state_token, entered


def _leave(state_token: Any, entered: EnteredScopes, client: Any = None) -> None:
    end_request_session(client)  # i13: release-health sessions
    leave_request_scopes(entered)
    current_request.reset(state_token)


def run_wsgi(
    config: WsgiConfig,
    app: WsgiApp,
    environ: Environ,
    start_response: StartResponse,
    client: Any = None,
) -> Any:
    """Run one request of ``app`` in its own isolation scope, reporting what escapes it
    (``client``: the active client, when the caller has it in hand)."""
    if client is None:
        client = Scope.get_client()
    if current_request.get() is not None or not client.is_active():
        return app(environ, start_response)
    try:
        state, state_token, entered = _enter(config, environ, client)
    except Exception:  # never let the SDK fail the request: serve it unobserved
        logger.debug("sentry_lite: could not set up the request", exc_info=True)
        return app(environ, start_response)
    try:
        if state.transaction is not None:
            response = _run_traced(config, app, environ, start_response, state)
        else:
            try:
                response = app(environ, start_response)
            except BaseException:
                state.capture(sys.exc_info(), config.mechanism)
                raise
        context = contextvars.copy_context()  # O(1): the request's scopes, for iterating
    finally:
        _leave(state_token, entered, client)
    if isinstance(response, list):
        return response  # already materialised: iterating it cannot raise
    if environ.get("wsgi.file_wrapper") and getattr(response, "fileno", None) is not None:
        return response  # let the server offload file responses
    return _ScopedResponse(response, context, state)


def framework_call(original: Callable[..., Any], identifier: str) -> Callable[..., Any]:
    """A WSGI framework's ``App.__call__`` (``original``) run through :func:`run_wsgi`
    with the config of its integration (``identifier``) while that is active."""

    def sentry_lite_framework_call(self: Any, environ: Environ, start_response: Any) -> Any:
        integration = active_integration(identifier)
        if integration is None:
            return original(self, environ, start_response)
        return run_wsgi(
            integration.config,
            lambda env, respond: original(self, env, respond),
            environ,
            start_response,
        )

    sentry_lite_framework_call._sentry_lite = True  # type: ignore[attr-defined]
    return sentry_lite_framework_call


def run_request(config: WsgiConfig, environ: Environ, call: Callable[[], Any]) -> Any:
    """``call()`` as one request, for handlers reached without the WSGI entry point.

    Django's test client calls ``get_response`` directly; it still gets isolation,
    request data and a transaction (status from the response object).
    """
    client = Scope.get_client()
    if current_request.get() is not None or not client.is_active():
        return call()
    try:
        state, state_token, entered = _enter(config, environ, client)
    except Exception:
        logger.debug("sentry_lite: could not set up the request", exc_info=True)
        return call()
    exc_info: Any = (None, None, None)
    try:
        response = call()
        if state.transaction is not None:
            status = getattr(response, "status_code", None)
            if isinstance(status, int):
                set_http_status(state.transaction, status)
        return response
    except BaseException:
        exc_info = sys.exc_info()
        state.capture(exc_info, config.mechanism)
        raise
    finally:
        if state.transaction is not None:
            named = config.name(environ)
            if named is not None:
                name_transaction(state.transaction, config.generic_name, *named)
            finish_request_transaction(state.transaction, exc_info)
        _leave(state_token, entered, client)


def _run_traced(
    config: WsgiConfig,
    app: WsgiApp,
    environ: Environ,
    start_response: StartResponse,
    state: WsgiRequestState,
) -> Any:
    transaction = state.transaction

    def sentry_lite_start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
        try:
            set_http_status(transaction, int(status.split(" ", 1)[0]))
            config.on_response(environ, state)
            if transaction.name == config.generic_name:  # else named before the view
                named = config.name(environ)
                if named is not None:
                    name_transaction(transaction, config.generic_name, *named)
        except Exception:
            pass
        if exc_info is None:
            return start_response(status, headers)
        return start_response(status, headers, exc_info)

    exc_info: Any = (None, None, None)
    try:
        return app(environ, sentry_lite_start_response)
    except BaseException:
        exc_info = sys.exc_info()
        state.capture(exc_info, config.mechanism)
        raise
    finally:
        finish_request_transaction(transaction, exc_info)


class _ScopedResponse:
    """Iterates the app's response inside the request's scopes, reporting what it raises.

    The request's context (its scopes) is copied once; each chunk then runs in it with a
    single ``Context.run`` instead of setting and resetting both scope variables.
    """

    __slots__ = ("_context", "_iterator", "_response", "_state")

    def __init__(
        self, response: Iterable[bytes], context: contextvars.Context, state: WsgiRequestState
    ) -> None:
        self._response = response
        self._context = context
        self._state = state
        self._iterator: Optional[Iterator[bytes]] = None

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        context = self._context
        try:
            iterator = self._iterator
            if iterator is None:
                # iter() of a list or werkzeug's ClosingIterator runs no app code.
                iterator = self._iterator = iter(self._response)
            return context.run(next, iterator)
        except StopIteration:
            raise
        except BaseException:
            context.run(self._state.capture, sys.exc_info(), self._state.config.mechanism)
            raise

    def close(self) -> None:
        close = getattr(self._response, "close", None)
        if close is None:
            return
        try:
            self._context.run(close)
        except BaseException:
            self._context.run(self._state.capture, sys.exc_info(), self._state.config.mechanism)
            raise


class SentryWsgiMiddleware:
    """Wrap any WSGI app: ``app = SentryWsgiMiddleware(app)`` (sentry_sdk's signature)."""

    __slots__ = ("_config", "app")

    def __init__(
        self,
        app: WsgiApp,
        use_x_forwarded_for: bool = False,
        span_origin: str = "manual",
        http_methods_to_capture: Tuple[str, ...] = DEFAULT_HTTP_METHODS_TO_CAPTURE,
    ) -> None:
        self.app = app
        self._config = WsgiConfig(use_x_forwarded_for, span_origin, http_methods_to_capture)

    def __call__(self, environ: Environ, start_response: StartResponse) -> Any:
        return run_wsgi(self._config, self.app, environ, start_response)
