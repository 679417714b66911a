"""aiohttp.web requests: each in its own scopes, with its transaction, its errors and
its request data (see docs/frameworks/aiohttp.md).

``Application._handle`` is wrapped: it gets the request after aiohttp parsed it and
before routing, and every error a handler raises passes through it (aiohttp turns
them into responses one level up). ``UrlDispatcher.resolve`` is wrapped to name the
transaction (and the error events) after the matched handler or route as soon as
routing is done, before the handler runs, as sentry_sdk does. Request data is read
from the request only when an event is captured.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import weakref
from typing import Any, Awaitable, Callable, Dict, Optional

from sentry_lite.integration_api import (
    SEND,
    Options,
    Scope,
    StreamedSpanView,
    annotate,
    continue_incoming_trace,
    end_request_session,
    enter_request_scopes,
    leave_request_scopes,
    may_collect,
    qualname_from_function,
    start_request_session,
    start_request_transaction,
)
from sentry_lite.integrations import DidNotEnable
from sentry_lite.integrations.web.config import SOURCE_COMPONENT, SOURCE_ROUTE, failed_status
from sentry_lite.integrations.web.request_data import (
    body_within_bounds,
    collects_request_body,
    collects_user_info,
    request_headers,
    request_query_string,
)
from sentry_lite.integrations.web.request_state import RequestState, current_request
from sentry_lite.integrations.web.stream_request import is_localhost, url_attributes_query
from sentry_lite.integrations.web.transactions import finish_request_transaction, set_http_status
from sentry_lite.types import Event, Hint

try:
    from aiohttp.web import HTTPException
except ImportError as exc:  # pragma: no cover - exercised without aiohttp installed
    raise DidNotEnable("aiohttp is not installed") from exc

__all__ = [
    "BODY_NOT_READ_MESSAGE",
    "GENERIC_NAME",
    "MECHANISM",
    "client_ip",
    "handle_request",
    "name_after_route",
]

logger = logging.getLogger("sentry_lite")

MECHANISM = "aiohttp"
GENERIC_NAME = "generic AIOHTTP request"
"""The transaction's name until routing names it (kept when no route matched)."""
BODY_NOT_READ_MESSAGE = "[Can't show request body due to implementation details.]"
"""``request.data`` of a request with a body the handler did not read (sentry_sdk's text:
an event processor cannot await the body)."""
OVER_SIZE_LIMIT = "[Exceeds maximum size]"
_REM_OVER_SIZE = ["!config", "s"]
_TRACE_HEADERS = ("sentry-trace", "traceparent")

Handle = Callable[..., Awaitable[Any]]


class AiohttpRequestState(RequestState):
    """One request's bookkeeping; ``framework`` is a weak reference to the request."""

    __slots__ = ()

    def process(self, event: Event, hint: Hint) -> Optional[Event]:
        """The request's event processor: request data, only now that an event exists."""
        if self.drop_duplicate(hint):
            return None
        request = self.framework() if self.framework is not None else None
        if request is None:
            return event
        try:
            _request_data(event, request, Scope.get_client().options)
        except Exception:  # noqa: BLE001 - an event without request data beats none
            logger.debug("sentry_lite: could not add the aiohttp request data", exc_info=True)
        return event


def _request_data(event: Event, request: Any, options: Options) -> None:
    info = event.setdefault("request", {})
    info["url"] = f"{request.scheme}://{request.host}{request.path}"
    include, query = request_query_string(request.query_string, options)
    if include:
        info["query_string"] = query
    info["method"] = request.method
    if collects_user_info(options):
        info["env"] = {"REMOTE_ADDR": request.remote}
    # "[Filtered]" rather than sentry_sdk's annotated "": the event scrubber replaces
    # these headers again either way, and the wire then reads the same in both SDKs.
    info["headers"] = request_headers(event, dict(request.headers), options, annotated=False)
    if collects_request_body(options):
        info["data"] = _body(event, request, options)  # None (null): no body


def _body(event: Event, request: Any, options: Options) -> Optional[str]:
    """The body the handler read, as text; a note when it did not read it."""
    raw = getattr(request, "_read_bytes", None)  # set by read()/text()/json()/post()
    if raw is not None:
        if not body_within_bounds(options, len(raw)):
            annotate(event, ["request", "data"], rem=[_REM_OVER_SIZE])
            return OVER_SIZE_LIMIT
        return str(raw.decode(request.charset or "utf-8", "replace"))
    if request.can_read_body:
        return BODY_NOT_READ_MESSAGE
    return None


def client_ip(request: Any) -> Optional[str]:
    """The address the request came from: ``X-Forwarded-For``'s first, ``X-Real-IP``, the peer."""
    headers = request.headers
    forwarded = headers.get("X-Forwarded-For", "").split(",")[0].strip()
    if forwarded:
        return str(forwarded)
    real_ip = headers.get("X-Real-IP")
    if real_ip:
        return str(real_ip)
    remote = request.remote
    return str(remote) if remote is not None else None


async def handle_request(
    integration: Any, original: Handle, app: Any, request: Any, *args: Any, **kwargs: Any
) -> Any:
    """Run ``original`` (``Application._handle``) for one request in its own scopes."""
    try:
        state = AiohttpRequestState(integration)
        state.framework = weakref.ref(request)
        entered = enter_request_scopes(state.process)
        start_request_session()
    except Exception:  # never let the SDK fail the request: serve it unobserved
        logger.debug("sentry_lite: could not set up the aiohttp request", exc_info=True)
        return await original(app, request, *args, **kwargs)
    state_token = current_request.set(state)
    exc_info: Any = (None, None, None)
    try:
        _start(state, request)
        transaction = state.transaction
        try:
            response = await original(app, request, *args, **kwargs)
        except HTTPException as exc:
            # aiohttp answers with the exception: its status is the response's
            if transaction is not None:
                set_http_status(transaction, exc.status_code)
            if failed_status(exc.status_code, integration.failed_request_status_codes):
                state.capture(sys.exc_info(), MECHANISM)
            raise
        except (ConnectionResetError, asyncio.CancelledError):
            exc_info = sys.exc_info()  # the client went away: a failed request, not a bug
            raise
        except Exception:
            exc_info = sys.exc_info()
            state.capture(exc_info, MECHANISM)
            raise
        except BaseException:
            exc_info = sys.exc_info()
            raise
        status = getattr(response, "status", None)
        if transaction is not None and isinstance(status, int):
            set_http_status(transaction, status)
        return response
    finally:
        if state.transaction is not None:
            finish_request_transaction(state.transaction, exc_info)
        end_request_session()
        leave_request_scopes(entered)
        current_request.reset(state_token)


def _start(state: RequestState, request: Any) -> None:
    """The request's transaction (or streamed segment) when tracing is on, else only the
    caller's trace continued."""
    try:
        client = Scope.get_client()
        headers = request.headers
        if not client.options.tracing_enabled:
            if any(name in headers for name in _TRACE_HEADERS):
                continue_incoming_trace(headers)
            return
        state.transaction = start_request_transaction(
            headers,
            "http.server",
            GENERIC_NAME,
            SOURCE_ROUTE,
            state.config.origin,
            {"aiohttp_request": request},
        )
        if isinstance(state.transaction, StreamedSpanView):
            _stream_attributes(state.transaction, request, client.options)
    except Exception:  # noqa: BLE001 - the request is served untraced
        logger.debug("sentry_lite: could not start the aiohttp transaction", exc_info=True)


def _stream_attributes(segment: StreamedSpanView, request: Any, options: Options) -> None:
    """What sentry_sdk puts on the request's segment and, for every span of the request,
    on its isolation scope (``sentry.is_localhost``, the user agent, the user's IP)."""
    headers = request.headers
    scope = Scope.get_isolation_scope()
    scope.set_attribute(
        "sentry.is_localhost",
        is_localhost(
            client_ip(request), None, headers.get("Host"), headers.get("X-Forwarded-Host")
        ),
    )
    user_agent = headers.get("User-Agent")
    if user_agent:
        scope.set_attribute("user_agent.original", user_agent)
    remote = request.remote
    user_info = may_collect("user_info", options) == SEND
    if remote and user_info:
        scope.set_attribute("user.ip_address", remote)
    if not segment.sampled:
        return  # the scope's attributes still reach logs and metrics
    attributes: Dict[str, Any] = {"http.request.method": request.method}
    attributes.update(_url_attributes(request, options))
    if remote and user_info:
        attributes["client.address"] = remote
    for name, value in request_headers({}, dict(headers), options, annotated=False).items():
        attributes[f"http.request.header.{name.lower()}"] = value
    segment.set_attributes(attributes)


def _url_attributes(request: Any, options: Options) -> Dict[str, Any]:
    """``url.full``/``url.path``/``url.query``: with ``data_collection`` (its query
    filter applied) or ``send_default_pii``, else none."""
    sent, kept = url_attributes_query(options, request.query_string)
    if not sent:
        return {}
    path = request.path
    url = f"{request.scheme}://{request.host}{path}"
    attributes: Dict[str, Any] = {"url.path": path}
    if kept:
        attributes["url.query"] = kept
        url += "?" + kept
    attributes["url.full"] = url
    return attributes


def name_after_route(integration: Any, request: Any, match_info: Any) -> None:
    """Name the transaction and the request's events after the matched route, and set
    ``http.route`` on a streamed segment (the caller catches what this raises)."""
    try:
        info = match_info.get_info()
        pattern = info.get("path") or info.get("formatter")
    except Exception:  # noqa: BLE001
        pattern = None
    state = current_request.get()
    segment = state.transaction if state is not None else None
    if pattern is not None and isinstance(segment, StreamedSpanView):
        segment.set_attribute("http.route", pattern)
    if integration.transaction_style == "handler_name":
        name, source = qualname_from_function(match_info.handler), SOURCE_COMPONENT
    else:
        name, source = f"{request.method} {pattern}", SOURCE_ROUTE
    if name is not None:
        Scope.get_current_scope().set_transaction_name(name, source=source)
