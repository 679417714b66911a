"""Sanic (21.9 and later): each request in its own scopes between Sanic's request and
response lifecycle signals, named after its route, its errors reported once.

Sanic serves HTTP itself: at app start-up (``Sanic._startup``) three signal handlers are
registered, as sentry_sdk does: ``http.lifecycle.request`` forks the scopes, continues
the incoming trace and starts the transaction (named after the path until routed);
``http.routing.after`` names it after the route; ``http.lifecycle.response`` finishes
it (a status in ``unsampled_statuses`` drops it) and leaves the scopes. Sanic answers
errors itself: ``ErrorHandler.lookup`` is wrapped to report them (mechanism ``sanic``),
and errors of the app's own error handlers too. ``SanicException`` s are the app's
answers and never reported. Request data is read only when an event is captured.
"""

from __future__ import annotations

import sys
import warnings
import weakref
from inspect import isawaitable
from typing import Any, Container, Dict, Optional, Tuple
from urllib.parse import urlsplit

from sentry_lite.integration_api import (
    SEND,
    Options,
    Scope,
    StreamedSpanView,
    active_integration,
    collected_query_string,
    continue_incoming_trace,
    data_collection_configured,
    enter_request_scopes,
    leave_request_scopes,
    may_collect,
    start_request_transaction,
)
from sentry_lite.integrations import DidNotEnable, Integration
from sentry_lite.integrations.web.config import SOURCE_COMPONENT, SOURCE_URL
from sentry_lite.integrations.web.request_data import (
    collects_user_info,
    fill_server_request,
    form_data,
    request_headers,
)
from sentry_lite.integrations.web.request_state import (
    RequestState,
    capture_exception_event,
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
    from sanic import Sanic  # type: ignore[import-not-found,unused-ignore]
    from sanic import __version__ as SANIC_VERSION  # type: ignore[import-not-found,unused-ignore]
    from sanic.exceptions import SanicException  # type: ignore[import-not-found,unused-ignore]
    from sanic.handlers import ErrorHandler  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # pragma: no cover - exercised without sanic installed
    # Importable without Sanic (setup_once raises DidNotEnable instead): the shared
    # development venv leaves Sanic out, since its httptools and uvloop would change how
    # uvicorn serves every other test, and sentry_sdk's names must still resolve there.
    Sanic = SanicException = ErrorHandler = None  # type: ignore[assignment,misc,unused-ignore]
    SANIC_VERSION = "0"

__all__ = ["SanicIntegration"]

MECHANISM = "sanic"
MIN_VERSION = (21, 9)
"""Sanic's lifecycle signals (sentry_sdk also supports older Sanic; sentry-lite does not)."""


def _version() -> Tuple[int, ...]:
    parts = []
    for part in str(SANIC_VERSION).split(".")[:3]:
        digits = "".join(c for c in part if c.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


class SanicIntegration(Integration):
    identifier = "sanic"
    origin = f"auto.http.{identifier}"

    def __init__(self, unsampled_statuses: Optional[Container[int]] = frozenset({404})) -> None:
        self._unsampled_statuses: Container[int] = unsampled_statuses or set()

    @staticmethod
    def setup_once() -> None:
        if Sanic is None:
            raise DidNotEnable("Sanic is not installed")
        if _version() < MIN_VERSION:
            raise DidNotEnable("SanicIntegration needs Sanic 21.9 or later in sentry-lite")
        if getattr(Sanic._startup, "_sentry_lite", False):
            return
        _patch_startup()
        _patch_error_lookup()


class _SanicConfig:
    mechanism = MECHANISM
    generic_name = ""  # the path names the request until it is routed


CONFIG = _SanicConfig()


class SanicRequestState(RequestState):
    """A request's bookkeeping, kept on ``request.ctx`` between the signals."""

    __slots__ = ("entered", "request", "route_name", "token")

    def __init__(self, request: Any) -> None:
        RequestState.__init__(self, CONFIG)
        self.request = weakref.ref(request)
        self.entered: Any = None
        self.token: Any = None
        self.route_name: Optional[str] = None

    def process(self, event: Event, hint: Hint) -> Optional[Event]:
        exc_info = hint.get("exc_info") if hint else None
        if exc_info and isinstance(exc_info[1], SanicException):
            return None  # the app's answer (sentry_sdk drops these too)
        if self.drop_duplicate(hint):
            return None
        request = self.request()
        if request is None:
            return event
        if self.route_name and event.get("type") != "transaction" and _unrouted_name(event):
            event["transaction"] = self.route_name
            event["transaction_info"] = {"source": SOURCE_COMPONENT}
        try:
            _request_data(event, request, Scope.get_client().options)
        except Exception:  # noqa: BLE001 - an odd request must not cost the event
            pass
        return event


def _unrouted_name(event: Event) -> bool:
    """No name yet, or the path the request was named after until Sanic routed it."""
    info = event.get("transaction_info")
    return event_needs_name(event, "") or (
        isinstance(info, dict) and info.get("source") == SOURCE_URL
    )


def _request_data(event: Event, request: Any, options: Options) -> None:
    """The event's ``request``: sentry_sdk's fields for Sanic, privacy rules applied."""
    parts = urlsplit(request.url)
    fill_server_request(
        event,
        options,
        read_cookies=lambda: dict(request.cookies),
        body_length=len(request.body or b""),
        read_body=lambda: _read_body(event, request),
        url=f"{parts.scheme}://{parts.netloc}{parts.path}",
        query=parts.query,
        method=request.method,
        client_ip=request.remote_addr,
        headers=dict(request.headers),
    )


def _read_body(event: Event, request: Any) -> Tuple[Optional[Any], bool]:
    raw = request.body or b""
    form = request.form
    files = request.files
    if form or files:
        return form_data(event, form, files), bool(raw)
    try:
        return request.json, bool(raw)
    except Exception:  # noqa: BLE001 - not JSON
        return None, bool(raw)


def _patch_startup() -> None:
    original: Any = Sanic._startup

    async def sentry_lite_startup(self: Any) -> None:
        self.signal("http.lifecycle.request")(_request_started)
        self.signal("http.lifecycle.response")(_request_ended)
        self.signal("http.routing.after")(_routed)
        await original(self)

    sentry_lite_startup._sentry_lite = True  # type: ignore[attr-defined]
    Sanic._startup = sentry_lite_startup  # type: ignore[method-assign,unused-ignore]


async def _request_started(request: Any) -> None:
    request.ctx._sentry_lite = None
    client = Scope.get_client()
    integration = active_integration(SanicIntegration.identifier, client)
    if integration is None or current_request.get() is not None:
        return
    try:
        state = SanicRequestState(request)
        state.entered = enter_request_scopes(state.process)
    except Exception:  # noqa: BLE001 - serve the request unobserved
        return
    state.token = current_request.set(state)
    request.ctx._sentry_lite = state
    try:
        _start(state, request, integration, client.options)
    except Exception:  # noqa: BLE001
        pass


def _start(state: SanicRequestState, request: Any, integration: Any, options: Options) -> None:
    headers = request.headers
    scope = Scope.get_isolation_scope()
    scope.set_attribute(
        "sentry.is_localhost",
        is_localhost(
            request.remote_addr or None,
            urlsplit(request.url).hostname,
            headers.get("host"),
            headers.get("x-forwarded-host"),
        ),
    )
    if headers.get("user-agent"):
        scope.set_attribute("user_agent.original", headers["user-agent"])
    incoming = dict(headers)
    if not options.tracing_enabled:
        continue_incoming_trace(incoming)
        return
    if Scope.get_client().span_streaming:
        if integration._unsampled_statuses:
            warnings.warn(
                "The `unsampled_statuses` option of SanicIntegration has no effect when "
                "span streaming is enabled.",
                stacklevel=2,
            )
        if request.remote_addr and collects_user_info(options):
            scope.set_attribute("user.ip_address", request.remote_addr)
    state.transaction = start_request_transaction(
        incoming,
        "http.server",
        request.path,
        SOURCE_URL,
        SanicIntegration.origin,
        {"sanic_request": request},
    )


async def _routed(request: Any, route: Any, **_: Any) -> None:
    state = getattr(request.ctx, "_sentry_lite", None)
    if state is None:
        return
    try:
        state.route_name = str(route.name).replace(request.app.name, "").strip(".")
        transaction = state.transaction
        if transaction is not None:
            name_transaction(transaction, transaction.name, state.route_name, SOURCE_COMPONENT)
    except Exception:  # noqa: BLE001
        pass


async def _request_ended(request: Any, response: Any = None) -> None:
    state = getattr(request.ctx, "_sentry_lite", None)
    if state is None:
        return
    request.ctx._sentry_lite = None
    try:
        transaction = state.transaction
        if transaction is not None:
            status = None if response is None else response.status
            if isinstance(transaction, StreamedSpanView):
                if transaction.sampled:
                    transaction.set_attributes(_segment_attributes(request))
                    if status is not None:
                        transaction.set_http_status(status)
            else:
                if status is not None:
                    transaction.set_http_status(status)
                integration = active_integration(SanicIntegration.identifier)
                unsampled = getattr(integration, "_unsampled_statuses", ())
                if integration is None or status in unsampled:
                    transaction.sampled = False
            finish_request_transaction(transaction)
    finally:
        try:
            current_request.reset(state.token)
        except ValueError:  # reset from another context: leave it to that one's end
            current_request.set(None)
        leave_request_scopes(state.entered)


def _segment_attributes(request: Any) -> Dict[str, Any]:
    """What sentry_sdk puts on a Sanic request's streamed segment as it ends."""
    options = Scope.get_client().options
    attributes: Dict[str, Any] = {}
    if request.method:
        attributes["http.request.method"] = str(request.method).upper()
    for name, value in request_headers({}, dict(request.headers), options, False).items():
        attributes[f"http.request.header.{name.lower()}"] = value
    parts = urlsplit(request.url)
    if data_collection_configured(options):
        attributes["url.path"] = parts.path
        query = collected_query_string(parts.query, options) if parts.query else None
        if query:
            attributes["http.query"] = query
        attributes["url.full"] = parts._replace(query=query or "").geturl()
        if request.remote_addr and may_collect("user_info", options) == SEND:
            attributes["client.address"] = request.remote_addr
    elif options.send_default_pii:
        attributes["url.full"] = request.url
        attributes["url.path"] = parts.path
        if parts.query:
            attributes["http.query"] = parts.query
        if request.remote_addr:
            attributes["client.address"] = request.remote_addr
    if parts.scheme:
        attributes["network.protocol.name"] = parts.scheme
    return attributes


def _report(exception: Any) -> None:
    if active_integration(SanicIntegration.identifier) is None:
        return
    exc = exception[1] if isinstance(exception, tuple) else exception
    if getattr(type(exc), "quiet", False):
        return
    report_request_error((type(exc), exc, exc.__traceback__), MECHANISM)


def _report_handler_error(exc_info: Any) -> None:
    """An error of the app's own error handler: its own event (as sentry_sdk), even
    though it was raised while handling the error reported first."""
    state = current_request.get()
    if not isinstance(state, SanicRequestState) or active_integration(MECHANISM) is None:
        _report(exc_info)
        return
    exc = exc_info[1]
    if any(exc is seen for seen in state.seen or ()):
        return
    state.seen = [*(state.seen or ()), exc]
    capture_exception_event(exc_info, MECHANISM, False, state)


def _patch_error_lookup() -> None:
    original = ErrorHandler.lookup

    def sentry_lite_lookup(self: Any, exception: Exception, *args: Any, **kwargs: Any) -> Any:
        _report(exception)
        handler = original(self, exception, *args, **kwargs)
        if handler is None or active_integration(SanicIntegration.identifier) is None:
            return handler

        async def sentry_lite_error_handler(request: Any, exception: Exception) -> Any:
            try:
                response = handler(request, exception)
                if isawaitable(response):
                    response = await response
                return response
            except Exception:
                _report_handler_error(sys.exc_info())
                raise

        return sentry_lite_error_handler

    ErrorHandler.lookup = sentry_lite_lookup  # type: ignore[method-assign,unused-ignore]
