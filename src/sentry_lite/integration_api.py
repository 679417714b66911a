"""The API integrations are written against: everything an integration needs of the core,
in one module, each thing defined once.

Every integration in ``sentry_lite.integrations`` imports from here (and from the
``integrations`` package itself, ``types``, ``consts`` and ``limits``), never another
module's private names: a test checks it. The functions are as cheap as the shortcuts
they replaced (two contextvar sets to enter a request, one lookup for the running span),
because they run on every request. ``docs/integrations.md`` shows how to write an
integration with them, with Flask as the worked example.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Callable, Dict, Iterator, Optional, Tuple

from sentry_lite.client_base import BaseClient, warn_once
from sentry_lite.events.exceptions import event_from_exception, exc_info_from_error
from sentry_lite.events.frames import current_stacktrace
from sentry_lite.events.meta import FILTERED, REM_FILTERED, annotate
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
from sentry_lite.tracing.decorator import qualname_from_function
from sentry_lite.tracing.noop import NoOpSpan
from sentry_lite.tracing.propagation import add_sentry_baggage_to_headers, should_propagate_trace
from sentry_lite.tracing.sources import SOURCE_FOR_STYLE, TransactionSource
from sentry_lite.tracing.span import Span
from sentry_lite.tracing.status import SPANSTATUS, get_span_status_from_http_code
from sentry_lite.tracing.transaction import Transaction

__all__ = [
    "FILTERED",
    "REM_FILTERED",
    "SOURCE_FOR_STYLE",
    "SPANSTATUS",
    "EnteredScopes",
    "NoOpSpan",
    "Options",
    "Scope",
    "Span",
    "Transaction",
    "TransactionSource",
    "active_integration",
    "active_span",
    "add_breadcrumb",
    "add_global_event_processor",
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
    "start_request_transaction",
    "start_span",
    "tracing_enabled",
    "use_isolation_scope",
    "use_scope",
    "warn_once",
]

logger = logging.getLogger("sentry_lite")

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
) -> Optional[Transaction]:
    """Continue the incoming trace and start the request's transaction, entered.

    ``continue_trace`` + ``start_transaction`` + ``__enter__`` without their keyword
    layers (this runs once per request). Leave it with ``transaction.__exit__``.
    """
    try:
        if Scope.get_client().span_streaming:
            return _streamed_request_segment(  # type: ignore[no-any-return]
                headers, op, name, source, origin, sampling_context
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


# -- issue 12: SQLAlchemy, Redis, Celery, RQ and crons --------------------------------------

from sentry_lite.crons import MonitorStatus, capture_checkin  # noqa: E402
from sentry_lite.crons.schedules import interval_schedule, timezone_name  # noqa: E402
from sentry_lite.events.code_source import add_query_source as _add_source  # noqa: E402
from sentry_lite.events.code_source import is_slow_query, slow_query_threshold_ms  # noqa: E402

__all__ += [
    "MonitorStatus",
    "add_query_source",
    "capture_checkin",
    "enabled_options",
    "experiment",
    "flush",
    "interval_schedule",
    "slow_query_threshold_ms",
    "timezone_name",
]


def enabled_options(identifier: str) -> Optional[Options]:
    """The active client's options when it enables the integration, else None: one
    client lookup for a hot path that needs both answers."""
    client: BaseClient = Scope.get_client()
    if not client.is_active() or identifier not in client.integrations:
        return None
    return client.options


def add_query_source(span: Span, duration_s: float, options: Optional[Options] = None) -> None:
    """``code.*`` data on a DB span that took ``duration_s``, when it counts as slow
    (``enable_db_query_source``, ``db_query_source_threshold_ms``). Call it before the
    query's stack unwinds: it looks for the first in-app frame of that stack."""
    if options is None:
        options = Scope.get_client().options
    if is_slow_query(options, duration_s):
        _add_source(span, options)


def experiment(name: str, options: Optional[Options] = None) -> Any:
    """An ``_experiments`` setting of the active client (None when unset)."""
    if options is None:
        options = Scope.get_client().options
    experiments = options.get("_experiments")
    return experiments.get(name) if isinstance(experiments, dict) else None


def flush(timeout: Optional[float] = None) -> None:
    """Deliver what is queued within ``timeout`` (a worker process is about to exit)."""
    try:
        Scope.get_client().flush(timeout)
    except Exception:  # noqa: BLE001
        logger.debug("sentry_lite: flush failed", exc_info=True)


# -- docs: Client.spotlight -------------------------------------------------------------------

__all__ += ["spotlight_url"]


def spotlight_url() -> Optional[str]:
    """Where the active client sends its Spotlight copies, None when Spotlight is off."""
    spotlight = Scope.get_client().spotlight
    url = getattr(spotlight, "url", None)
    return url if isinstance(url, str) else None


# -- i11core: public surface (issue 11) -------------------------------------------------------

from sentry_lite.client_base import before_send_drop_callbacks  # noqa: E402
from sentry_lite.events.code_source import is_slow_request as _is_slow_request  # noqa: E402

__all__ += ["add_http_request_source", "on_before_send_drop"]


def on_before_send_drop(callback: Callable[[Dict[str, Any]], None]) -> None:
    """Call ``callback(hint)`` whenever ``before_send`` drops an error event."""
    before_send_drop_callbacks.append(callback)


def add_http_request_source(span: Span, duration_s: Optional[float] = None) -> None:
    """``code.*`` data on an outgoing HTTP span once its response arrived, when the request
    counts as slow (``duration_s``: the finished span's, else since its start); call it
    while the request's stack is still the app's."""
    try:
        options = Scope.get_client().options
        if not options.get("enable_http_request_source", True):
            return
        if duration_s is None:
            duration_s = time.time() - span.start_timestamp.timestamp()
        duration_s = max(0.0, duration_s)
        if _is_slow_request(options, duration_s):
            _add_source(span, options)
    except Exception:  # noqa: BLE001 - a missing source never costs the request
        logger.debug("sentry_lite: could not add the request source", exc_info=True)


# -- the privacy predicate (data_collection), in its own module -------------------------
from sentry_lite.integration_privacy import (  # noqa: E402
    FILTER,
    OMIT,
    SEND,
    collected_key_values,
    collected_query_string,
    data_collection_configured,
    may_collect,
    may_send_query_params,
    outgoing_url_attributes,
)

__all__ += [
    "FILTER",
    "OMIT",
    "SEND",
    "collected_key_values",
    "collected_query_string",
    "data_collection_configured",
    "may_collect",
    "may_send_query_params",
    "outgoing_url_attributes",
]


# -- i13: logs, metrics, sessions --
from sentry_lite.logger import capture_record as capture_log_record  # noqa: E402
from sentry_lite.logger import capture_record_later as capture_log_record_later  # noqa: E402
from sentry_lite.logger import log_level_to_otel  # noqa: E402
from sentry_lite.scope.sessions import auto_session_tracking_on  # noqa: E402
from sentry_lite.telemetry.log_records import is_plain  # noqa: E402
from sentry_lite.tracing.attributes import format_attribute  # noqa: E402

__all__ += [
    "capture_log_record",
    "capture_log_record_later",
    "format_attribute",
    "is_plain",
    "log_level_to_otel",
    "logs_enabled",
]


def logs_enabled(options: Optional[Options] = None) -> bool:
    """``enable_logs`` (or sentry_sdk's older ``_experiments={"enable_logs": True}``)."""
    if options is None:
        options = Scope.get_client().options
    return bool(options.get("enable_logs") or experiment("enable_logs", options))


def start_request_session() -> None:
    """Start a request-mode session on the (new) isolation scope, when sessions are on.

    Called by the WSGI/ASGI cores right after ``enter_request_scopes``; costs one
    object when ``auto_session_tracking`` is on and a ``release`` is set, else nothing.
    """
    try:
        isolation = Scope.get_isolation_scope()
        client = Scope.get_client()
        if auto_session_tracking_on(isolation, client):
            isolation.start_request_session(client.options)
    except Exception:  # noqa: BLE001
        logger.debug("sentry_lite: could not start the request session", exc_info=True)


def end_request_session() -> None:
    """End the request's session (before ``leave_request_scopes``)."""
    isolation = Scope.get_isolation_scope()
    if isolation._session is not None:
        isolation.end_session()


__all__ += ["end_request_session", "start_request_session"]

# -- i14: span streaming --------------------------------------------------------------------
# In ``trace_lifecycle="stream"`` mode the span helpers above hand integrations streamed
# spans behind the span surface they use (``StreamedSpanView``); the legacy path pays
# one option lookup (start_span, the request) or one type check (child_span).

from sentry_lite.scope.streaming import DEFAULT_PARENT_SPAN  # noqa: E402
from sentry_lite.tracing.stream_sampling import span_streaming_enabled  # noqa: E402
from sentry_lite.tracing.streamed import StreamedSpan  # noqa: E402
from sentry_lite.tracing.streamed_view import StreamedSpanView  # noqa: E402

__all__ += ["StreamedSpan", "StreamedSpanView", "span_streaming_enabled"]


def active_span() -> Any:
    """The running span (current scope's, else isolation scope's), or None; a streamed
    span comes behind the span surface integrations use (``StreamedSpanView``)."""
    span = _active_span()
    if isinstance(span, StreamedSpan):
        return StreamedSpanView(span)
    return span


def _streamed(
    op: Optional[str],
    name: Optional[str],
    origin: str,
    parent: Any = DEFAULT_PARENT_SPAN,
    extra: Optional[Dict[str, Any]] = None,
) -> Any:
    attributes: Dict[str, Any] = {"sentry.origin": origin}
    if op:
        attributes["sentry.op"] = op
        if op == "db" and name:
            attributes["db.query.text"] = name
    if extra:
        attributes.update(extra)
    span = Scope.get_current_scope().start_streamed_span(
        name or op or "<unlabeled span>", attributes, parent, True
    )
    return StreamedSpanView(span)


def _streamed_request_segment(
    headers: Dict[str, str], op: str, name: str, source: str, origin: str, sampling: Any
) -> Any:
    """The request's segment: the incoming trace continued on both scopes, as
    ``sentry_lite.traces.continue_trace`` does."""
    isolation = Scope.get_isolation_scope()
    current = Scope.get_current_scope()
    isolation.generate_propagation_context(headers)
    current.generate_propagation_context(headers)
    context = current.get_active_propagation_context()
    if sampling:
        context.custom_sampling_context = dict(sampling)
    return _streamed(op, name, origin, None, {"sentry.segment.name.source": source})


# -- c-http: streamed spans of outgoing HTTP requests and SQL statements ------------------

__all__ += ["streamed_span_of"]


def streamed_span_of(span: Any) -> Optional[StreamedSpan]:
    """The streamed span behind what ``start_span``/``child_span`` returned in streaming
    mode, None for a transaction-era span: integrations name attributes by it."""
    return span.span if isinstance(span, StreamedSpanView) else None


# -- feature flags: OpenFeature, LaunchDarkly, Statsig, Unleash -----------------------------

from sentry_lite.feature_flags import add_feature_flag  # noqa: E402

__all__ += ["add_feature_flag", "record_flag_evaluation"]


def record_flag_evaluation(identifier: str, flag: str, result: Any) -> None:
    """A flag evaluation a feature-flag integration saw: recorded as ``add_feature_flag``
    does (the isolation scope's buffer, the running span) when that integration is on
    for the active client. Never raises."""
    if active_integration(identifier) is not None:
        add_feature_flag(flag, result)
# -- boto3: spans that outlive the call that started them; SigV4-signed headers -----------

from sentry_lite.tracing.aws_sigv4 import (  # noqa: E402
    signed_headers_of_authorization,
    signed_headers_of_url,
)
from sentry_lite.tracing.streamed_noop import NoOpStreamedSpan  # noqa: E402

__all__ += [
    "NoOpStreamedSpan",
    "signed_headers_of_authorization",
    "signed_headers_of_url",
    "start_detached_streamed_span",
]


def start_detached_streamed_span(
    name: str, attributes: Dict[str, Any], parent: Any = DEFAULT_PARENT_SPAN
) -> StreamedSpan:
    """A streamed span (child of ``parent``, default the active span) that does not
    become the scope's active span: for a span that may end after the code that started
    it returned (a response body read later), so that ending it never restores a span
    that is gone. The caller makes it active for a while by setting the scope's span."""
    return Scope.get_current_scope().start_streamed_span(name, attributes, parent, False)
# -- genai: tool lists and other arguments as readable JSON text (sentry_sdk.utils') --------
from sentry_lite.events.safe_serialize import safe_serialize  # noqa: E402

__all__ += ["safe_serialize"]
