"""What every integration uses: the active client and its predicates, reporting a caught
exception, breadcrumbs, a request's scopes and transaction, child spans, outgoing trace
headers; in ``trace_lifecycle="stream"`` mode the same helpers hand out streamed spans
behind the span surface integrations use (``StreamedSpanView``)."""

from __future__ import annotations

from typing import Any, Dict, Iterator, Optional, Tuple

from sentry_lite.client_base import BaseClient, warn_once
from sentry_lite.events.exceptions import event_from_exception, exc_info_from_error
from sentry_lite.events.frames import current_stacktrace
from sentry_lite.events.meta import FILTERED, REM_FILTERED, annotate
from sentry_lite.events.process_extra import add_process_extra
from sentry_lite.options import Options
from sentry_lite.scope import (
    EnteredScopes,
    Scope,
    add_global_event_processor,
    enter_request_scopes,
    isolation_scope,
    leave_request_scopes,
    new_scope,
    request_scopes,
    should_send_default_pii,
    use_isolation_scope,
    use_scope,
)
from sentry_lite.scope import (
    active_span as _active_span,
)
from sentry_lite.scope.spans import continue_trace_on, start_transaction_on
from sentry_lite.scope.streaming import DEFAULT_PARENT_SPAN
from sentry_lite.sdk_loggers import logger
from sentry_lite.tracing.decorator import qualname_from_function
from sentry_lite.tracing.noop import NoOpSpan
from sentry_lite.tracing.propagation import add_sentry_baggage_to_headers, should_propagate_trace
from sentry_lite.tracing.sources import SOURCE_FOR_STYLE, TransactionSource
from sentry_lite.tracing.span import Span
from sentry_lite.tracing.status import SPANSTATUS, get_span_status_from_http_code
from sentry_lite.tracing.stream_sampling import span_streaming_enabled
from sentry_lite.tracing.streamed import StreamedSpan
from sentry_lite.tracing.streamed_noop import NoOpStreamedSpan
from sentry_lite.tracing.streamed_view import StreamedSpanView, view_of
from sentry_lite.tracing.transaction import Transaction

__all__ = [
    "DEFAULT_PARENT_SPAN",
    "FILTERED",
    "REM_FILTERED",
    "SOURCE_FOR_STYLE",
    "SPANSTATUS",
    "EnteredScopes",
    "NoOpSpan",
    "NoOpStreamedSpan",
    "Options",
    "Scope",
    "Span",
    "StreamedSpan",
    "StreamedSpanView",
    "Transaction",
    "TransactionSource",
    "active_integration",
    "active_span",
    "add_breadcrumb",
    "add_global_event_processor",
    "add_process_extra",
    "add_sentry_baggage_to_headers",
    "annotate",
    "capture_caught",
    "child_span",
    "continue_incoming_trace",
    "current_stacktrace",
    "enter_request_scopes",
    "event_from_exception",
    "exc_info_from_error",
    "get_client",
    "get_span_status_from_http_code",
    "isolation_scope",
    "iter_trace_propagation_headers",
    "leave_request_scopes",
    "new_scope",
    "options",
    "qualname_from_function",
    "request_scopes",
    "send_default_pii",
    "should_propagate_trace",
    "should_send_default_pii",
    "span_streaming_enabled",
    "start_detached_streamed_span",
    "start_request_transaction",
    "start_span",
    "streamed_span_of",
    "tracing_enabled",
    "use_isolation_scope",
    "use_scope",
    "warn_once",
]


get_client = Scope.get_client


def options() -> Options:
    """The active client's options (defaults before ``init``)."""
    return Scope.get_client().options


def tracing_enabled() -> bool:
    """Is tracing on for the active client? (``Options.tracing_enabled``)."""
    return Scope.get_client().options.tracing_enabled


def send_default_pii() -> bool:
    """May this integration attach personal data? (``Options.send_default_pii``)."""
    return Scope.get_client().options.send_default_pii


def active_integration(identifier: str, client: Optional[BaseClient] = None) -> Optional[Any]:
    """The active client's instance of the integration, or None when it is off
    (``client``: the active client, when the caller has it in hand).

    A patched library asks this on every call: its patch stays installed across
    ``init`` calls and does nothing when the current client does not enable it.
    """
    if client is None:
        client = Scope.get_client()
    if not client.is_active():
        return None
    return client.integrations.get(identifier)


def capture_caught(exc_info: Any, mechanism_type: str, handled: bool = False) -> Optional[str]:
    """Report an exception a patched library caught, with ``mechanism`` saying how.

    Never raises: the caller goes on to re-raise or to run the app's own handler.
    """
    try:
        client = Scope.get_client()
        if not client.is_active():
            return None
        event, hint = event_from_exception(
            exc_info, client.options, {"type": mechanism_type, "handled": handled}
        )
        return Scope.get_current_scope().capture_event(event, hint=hint)
    except Exception:  # noqa: BLE001
        logger.debug("sentry_lite: could not report a caught exception", exc_info=True)
        return None


def add_breadcrumb(crumb: Optional[Dict[str, Any]] = None, **kwargs: Any) -> None:
    """A breadcrumb on the isolation scope (what ``sentry_lite.add_breadcrumb`` does)."""
    Scope.get_isolation_scope().add_breadcrumb(crumb, None, **kwargs)


def child_span(op: str, name: Optional[str], origin: str) -> Optional[Span]:
    """A child of the running span, or None when no sampled transaction is running.

    Checking first keeps instrumented calls (SQL, templates, signals, middleware) free
    when tracing is off or the request was not sampled.
    """
    try:
        parent = _active_span()
        if parent is None:
            return None
        if isinstance(parent, StreamedSpan):
            return _streamed(op, name, origin)  # type: ignore[no-any-return]
        if parent.sampled is False:
            return None
        return parent.start_child(  # type: ignore[no-any-return]
            op=op, name=name, origin=origin, scope=Scope.get_current_scope()
        )
    except Exception:  # noqa: BLE001
        logger.debug("sentry_lite: could not start a child span", exc_info=True)
        return None


def continue_incoming_trace(headers: Dict[str, str]) -> None:
    """Errors of this request join the caller's trace, even with tracing off."""
    try:
        Scope.get_isolation_scope().generate_propagation_context(headers)
    except Exception:  # noqa: BLE001
        logger.debug("sentry_lite: could not continue the incoming trace", exc_info=True)


def start_request_transaction(
    headers: Dict[str, str],
    op: str,
    name: str,
    source: str,
    origin: str,
    sampling_context: Dict[str, Any],
    client: Any = None,
) -> Optional[Transaction]:
    """Continue the incoming trace and start the request's transaction, entered.

    ``continue_trace`` + ``start_transaction`` + ``__enter__`` without their keyword
    layers (this runs once per request). Leave it with ``transaction.__exit__``.
    ``client``: the active client, when the caller has it in hand.
    """
    try:
        if client is None:
            client = Scope.get_client()
        if client.span_streaming:
            return _streamed_request_segment(  # type: ignore[no-any-return]
                headers, op, name, source, origin, sampling_context, client
            )
        continued = continue_trace_on(
            Scope.get_isolation_scope(), headers, op, name, source, origin
        )
        transaction = start_transaction_on(
            Scope.get_current_scope(), continued, "sentry", sampling_context, {}
        )
        transaction.__enter__()
        return transaction  # type: ignore[return-value]
    except Exception:  # noqa: BLE001
        logger.debug("sentry_lite: could not start the request transaction", exc_info=True)
        return None


def start_span(**kwargs: Any) -> Span:
    """``sentry_lite.start_span``: a child of the running span, or a span of its own."""
    scope = Scope.get_current_scope()
    if scope.get_client().span_streaming:
        return _streamed(  # type: ignore[no-any-return]
            kwargs.get("op"),
            kwargs.get("name") or kwargs.get("description"),
            kwargs.get("origin", "manual"),
        )
    return scope.start_span(**kwargs)


def iter_trace_propagation_headers(span: Optional[Span] = None) -> Iterator[Tuple[str, str]]:
    """``sentry-trace``/``baggage`` (and ``traceparent``) for an outgoing request."""
    return Scope.get_current_scope().iter_trace_propagation_headers(span=span)


# -- span streaming --------------------------------------------------------------------
# In ``trace_lifecycle="stream"`` mode the span helpers above hand integrations streamed
# spans behind the span surface they use (``StreamedSpanView``); the legacy path pays
# one option lookup (start_span, the request) or one type check (child_span).


def active_span() -> Any:
    """The running span (current scope's, else isolation scope's), or None; a streamed
    span comes behind the span surface integrations use (``StreamedSpanView``)."""
    span = _active_span()
    if isinstance(span, StreamedSpan):
        return view_of(span)
    return span


def _streamed(
    op: Optional[str],
    name: Optional[str],
    origin: str,
) -> Any:
    """A child of the active span (or a segment of its own), seen as integrations see spans."""
    attributes: Dict[str, Any] = {"sentry.origin": origin}
    if op:
        attributes["sentry.op"] = op
        if op == "db" and name:
            attributes["db.query.text"] = name
    span = Scope.get_current_scope().start_streamed_span(
        name or op or "<unlabeled span>", attributes, DEFAULT_PARENT_SPAN, True
    )
    return view_of(span)


def _streamed_request_segment(
    headers: Dict[str, str],
    op: str,
    name: str,
    source: str,
    origin: str,
    sampling: Any,
    client: Any,
) -> Any:
    """The request's segment, continuing the incoming trace. The request's isolation
    scope holds the trace and its current scope (forked for the request) defers to it:
    one context instead of two (``traces.continue_trace`` sets both), the same trace
    for everything the request does."""
    isolation = Scope.get_isolation_scope()
    isolation.generate_propagation_context(headers)
    current = Scope.get_current_scope()
    current._propagation_context = None
    context = isolation.get_propagation_context()
    if sampling:
        context.custom_sampling_context = sampling  # the caller's own, made per request
    attributes: Dict[str, Any] = {
        "sentry.origin": origin,
        "sentry.op": op,
        "sentry.segment.name.source": source,
    }
    # parent None: a segment, always (whatever span the scope holds)
    return view_of(current.start_streamed_span(name, attributes, None, True, client))


def streamed_span_of(span: Any) -> Optional[StreamedSpan]:
    """The streamed span behind what ``start_span``/``child_span`` returned in streaming
    mode, None for a transaction-era span: integrations name attributes by it."""
    return span.span if isinstance(span, StreamedSpanView) else None


def start_detached_streamed_span(
    name: str, attributes: Dict[str, Any], parent: Any = DEFAULT_PARENT_SPAN
) -> StreamedSpan:
    """A streamed span (child of ``parent``, default the active span) that does not
    become the scope's active span: for a span that may end after the code that started
    it returned (a response body read later), so that ending it never restores a span
    that is gone. The caller makes it active for a while by setting the scope's span."""
    return Scope.get_current_scope().start_streamed_span(name, attributes, parent, False)
