"""What every web integration shares: request data for events, capture-once, tracing glue.

Why lazily: a request that raises nothing must cost next to nothing, so nothing here runs
per request except creating a :class:`RequestState`. Headers, cookies, the body and the
transaction name are turned into event data only when an event is actually captured.
The shape of ``event["request"]`` follows sentry_sdk 2.x (``_wsgi_common`` / ``_asgi_common``).
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from typing import Any, Callable, Container, Dict, Iterable, List, Optional, Tuple
from urllib.parse import parse_qsl

from sentry_lite.events.meta import annotate
from sentry_lite.events.types import Event, Hint
from sentry_lite.integrations.capture import capture_caught
from sentry_lite.limits import MAX_CHAIN_HOPS, MEDIUM_BODY_BYTES, SMALL_BODY_BYTES
from sentry_lite.scope import Scope

__all__ = [
    "DEFAULT_FAILED_REQUEST_STATUS_CODES",
    "DEFAULT_HTTP_METHODS_TO_CAPTURE",
    "MEDIUM_BODY_BYTES",
    "SMALL_BODY_BYTES",
    "RequestState",
    "body_within_bounds",
    "check_style",
    "failed_status",
    "filter_headers",
    "parse_cookies",
    "qualname",
    "set_body",
    "warn_unknown",
]

logger = logging.getLogger("sentry_lite")


DEFAULT_HTTP_METHODS_TO_CAPTURE: Tuple[str, ...] = (
    "CONNECT",
    "DELETE",
    "GET",
    "PATCH",
    "POST",
    "PUT",
    "TRACE",
)
"""Methods that get a transaction (HEAD and OPTIONS do not, as in sentry_sdk)."""

DEFAULT_FAILED_REQUEST_STATUS_CODES = frozenset(range(500, 600))

SENSITIVE_HEADERS = frozenset(
    {
        "cookie",
        "set-cookie",
        "authorization",
        "proxy-authorization",
        "x-api-key",
        "x-forwarded-for",
        "x-real-ip",
    }
)
"""Headers whose value is withheld unless ``send_default_pii=True`` (sentry_sdk's list)."""

FILTERED = "[Filtered]"
REM_CONFIG_REMOVED = ["!config", "x"]
"""Remark for a value removed by configuration (pii off, body over the size limit)."""
REM_RAW_REMOVED = ["!raw", "x"]
"""Remark for a body removed because it was neither JSON nor a form."""

SOURCE_COMPONENT = "component"
SOURCE_ROUTE = "route"
SOURCE_URL = "url"
SOURCE_CUSTOM = "custom"
SOURCE_FOR_STYLE = {
    "endpoint": SOURCE_COMPONENT,
    "function_name": SOURCE_COMPONENT,
    "url": SOURCE_ROUTE,
}
# Sources that mean "a real name was already chosen"; a generic name is replaced.
NAMED_SOURCES = frozenset({SOURCE_COMPONENT, SOURCE_ROUTE, SOURCE_CUSTOM})


# -- integration options -------------------------------------------------------------


def warn_unknown(integration: str, unknown: Dict[str, Any]) -> None:
    """An option sentry_sdk does not know (or a typo): warn once, never crash the app."""
    if unknown:
        from sentry_lite.client import warn_once

        names = ", ".join(sorted(unknown))
        warn_once(
            f"{integration}:unknown:{names}",
            "sentry_lite: %s ignores unknown option(s) %s",
            integration,
            names,
        )


def check_style(integration: str, value: Any, allowed: Tuple[str, ...], default: str) -> str:
    """A ``transaction_style`` sentry_sdk would reject with ValueError: warn and use the default."""
    if value in allowed:
        return str(value)
    logger.warning(
        "sentry_lite: %s transaction_style=%r is not one of %s; using %r",
        integration,
        value,
        "/".join(allowed),
        default,
    )
    return default


def methods_tuple(methods: Any) -> Tuple[str, ...]:
    try:
        return tuple(str(m).upper() for m in methods)
    except TypeError:
        logger.warning("sentry_lite: http_methods_to_capture must be a list of method names")
        return DEFAULT_HTTP_METHODS_TO_CAPTURE


def failed_codes(codes: Any) -> Container[int]:
    """Accept a set of ints (2.x) or a list of ints/ranges (deprecated 2.x form)."""
    if codes is None:
        return DEFAULT_FAILED_REQUEST_STATUS_CODES
    if isinstance(codes, (set, frozenset, range)):
        return codes
    return _CodeRanges(list(codes) if isinstance(codes, Iterable) else [codes])


class _CodeRanges:
    __slots__ = ("_ranges",)

    def __init__(self, ranges: List[Any]) -> None:
        self._ranges = ranges

    def __contains__(self, code: object) -> bool:
        for item in self._ranges:
            if isinstance(item, int):
                if item == code:
                    return True
                continue
            try:
                if code in item:
                    return True
            except TypeError:
                continue
        return False


def failed_status(code: Any, codes: Container[int]) -> bool:
    try:
        return code in codes
    except Exception:
        return False


def qualname(func: Any) -> Optional[str]:
    """``module.QualName`` of a view function/class, as sentry_sdk names transactions."""
    try:
        import functools

        prefix = suffix = ""
        if isinstance(func, functools.partial) and hasattr(func.func, "__name__"):
            prefix, suffix = "partial(<function ", ">)"
            func = func.func
        name = getattr(func, "__qualname__", None) or getattr(func, "__name__", None)
        if name is None:
            return None
        module = getattr(func, "__module__", None)
        if isinstance(module, str):
            name = module + "." + name
        return prefix + str(name) + suffix
    except Exception:
        return None


# -- request data ----------------------------------------------------------------------


def send_pii(options: Dict[str, Any]) -> bool:
    return bool(options.get("send_default_pii"))


def filter_headers(
    event: Event, headers: Dict[str, str], pii: bool, annotated: bool
) -> Dict[str, str]:
    """Withhold sensitive headers unless pii is on.

    ``annotated``: WSGI form (empty value plus a ``_meta`` note, as sentry_sdk's
    ``AnnotatedValue``); otherwise the ASGI form (``[Filtered]``).
    """
    if pii:
        return headers
    for key in headers:
        if key.lower() in SENSITIVE_HEADERS:
            if annotated:
                headers[key] = ""
                annotate(event, ["request", "headers", key], rem=[REM_CONFIG_REMOVED])
            else:
                headers[key] = FILTERED
    return headers


def parse_cookies(header: Optional[str]) -> Dict[str, str]:
    """A Cookie header as a dict; lenient like browsers (bad pairs are skipped)."""
    out: Dict[str, str] = {}
    if not header:
        return out
    for part in header.split(";"):
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or not name:
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        out[name] = value
    return out


def body_within_bounds(options: Dict[str, Any], length: int) -> bool:
    size = options.get("max_request_body_size", "medium")
    if size == "never":
        return False
    if size == "small":
        return length <= SMALL_BODY_BYTES
    if size == "medium":
        return length <= MEDIUM_BODY_BYTES
    return True


def is_json_content_type(content_type: Optional[str]) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def set_body_removed(event: Event, request: Dict[str, Any], remark: List[str]) -> None:
    request["data"] = ""
    annotate(event, ["request", "data"], rem=[remark])


def parse_raw_body(raw: bytes, content_type: Optional[str]) -> Tuple[bool, Any]:
    """(parsed?, value) for a body we hold as bytes: JSON and urlencoded forms only."""
    if is_json_content_type(content_type):
        try:
            return True, json.loads(raw.decode("utf-8"))
        except ValueError:
            return False, None
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media == "application/x-www-form-urlencoded":
        try:
            form: Dict[str, Any] = {}
            for key, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
                form.setdefault(key, value)
            return True, form
        except Exception:
            return False, None
    return False, None


def set_body(
    event: Event,
    request: Dict[str, Any],
    options: Dict[str, Any],
    length: int,
    read: Callable[[], Tuple[Optional[Any], bool]],
) -> None:
    """Attach the body per ``max_request_body_size``, as sentry_sdk's RequestExtractor.

    ``read()`` returns ``(parsed or None, had_raw_bytes)``; it is only called when the
    body is within bounds.
    """
    if not body_within_bounds(options, length):
        set_body_removed(event, request, REM_CONFIG_REMOVED)
        return
    parsed, had_raw = read()
    if parsed is not None:
        request["data"] = parsed
    elif had_raw:
        set_body_removed(event, request, REM_RAW_REMOVED)


# -- one request ---------------------------------------------------------------------


class RequestState:
    """Per-request bookkeeping: which exceptions were already reported, the transaction.

    Its ``process`` method is the one event processor a request registers; subclasses
    (WSGI, ASGI) fill in the request data there, only when an event is captured.
    """

    __slots__ = ("capturing", "config", "framework", "seen", "transaction")

    def __init__(self, config: Any) -> None:
        self.config = config
        self.seen: Optional[List[BaseException]] = None
        self.capturing = False
        self.transaction: Any = None
        self.framework: Any = None
        """A weak reference to the framework's request object, when one is needed."""

    # -- capture once ----------------------------------------------------------------
    def reported(self, exc: Optional[BaseException]) -> bool:
        """Was ``exc``, or an exception it was raised while handling, already reported?

        An app's error handler that fails (e.g. a FastAPI handler returning a tuple)
        raises a new error whose ``__context__`` is the one we reported: still one event.
        """
        seen = self.seen
        if not seen or exc is None:
            return False
        hops = 0
        while exc is not None and hops < MAX_CHAIN_HOPS:
            if any(exc is s for s in seen):
                return True
            exc = exc.__cause__ or exc.__context__
            hops += 1
        return False

    def capture(
        self,
        exc_info: Any,
        mechanism_type: str,
        handled: bool = False,
    ) -> None:
        """Report an exception of this request once (``handled=False``: it escaped the app)."""
        try:
            exc = exc_info[1] if isinstance(exc_info, tuple) else exc_info
            if exc is None or self.reported(exc):
                return
            if isinstance(exc, SystemExit) and exc.code in (0, None):
                return
            if self.seen is None:
                self.seen = []
            self.seen.append(exc)
            capture_exception_event(exc_info, mechanism_type, handled, self)
        except Exception:
            logger.debug("sentry_lite: could not capture a request error", exc_info=True)

    def drop_duplicate(self, hint: Hint) -> bool:
        """Drop a second report of an exception we already sent (the app's own handler).

        Flask hands a 500 handler ``InternalServerError(original_exception=e)``: that
        wrapper is the same failure, so it is dropped too.
        """
        if self.capturing or not self.seen:
            return False
        exc_info = hint.get("exc_info")
        if not exc_info:
            return False
        exc = exc_info[1]
        for seen in self.seen:
            if exc is seen or getattr(exc, "original_exception", None) is seen:
                return True
        return False


current_request: ContextVar[Optional[RequestState]] = ContextVar(
    "sentry_lite_web_request", default=None
)
"""The request being handled in this context. A contextvar, not a key in the environ or
ASGI scope: those dicts show up in frame locals, and an extra key there would change
what events show (and could push a real key past the breadth limit)."""


def capture_exception_event(
    exc_info: Any, mechanism_type: str, handled: bool, state: Optional[RequestState]
) -> Optional[str]:
    if state is not None:
        state.capturing = True
    try:
        return capture_caught(exc_info, mechanism_type, handled)
    finally:
        if state is not None:
            state.capturing = False


def current_exc_info() -> Any:
    return sys.exc_info()


# -- tracing glue --------------------------------------------------------------------


def tracing_enabled(options: Dict[str, Any]) -> bool:
    return (
        options.get("traces_sample_rate") is not None or options.get("traces_sampler") is not None
    )


def continue_incoming(headers: Dict[str, str]) -> None:
    """Errors of this request join the caller's trace even with tracing off."""
    try:
        Scope.get_isolation_scope().generate_propagation_context(headers)
    except Exception:
        logger.debug("sentry_lite: could not continue the incoming trace", exc_info=True)


def start_request_transaction(
    headers: Dict[str, str],
    op: str,
    name: str,
    source: str,
    origin: str,
    sampling_context: Dict[str, Any],
) -> Any:
    """Continue the incoming trace and start the request's transaction (entered)."""
    try:
        # continue_trace + start_transaction + __enter__, without their keyword layers.
        tracing = _tracing_api()
        continued: Any = tracing.continue_trace_on(
            Scope.get_isolation_scope(), headers, op, name, source, origin
        )
        transaction: Any = tracing.start_transaction_on(
            Scope.get_current_scope(), continued, "sentry", sampling_context, {}
        )
        transaction.__enter__()
        return transaction
    except Exception:
        logger.debug("sentry_lite: could not start the request transaction", exc_info=True)
        return None


_tracing: Any = None


def _tracing_api() -> Any:
    """``sentry_lite.tracing.api``, imported once on first use (it imports the scope)."""
    global _tracing
    if _tracing is None:
        from sentry_lite.tracing import api

        _tracing = api
    return _tracing


def finish_request_transaction(transaction: Any, exc_info: Any = (None, None, None)) -> None:
    try:
        transaction.__exit__(*exc_info)
    except Exception:
        logger.debug("sentry_lite: could not finish the request transaction", exc_info=True)


def set_http_status(transaction: Any, status: int) -> None:
    try:
        transaction.set_http_status(status)
    except Exception:
        logger.debug("sentry_lite: could not set the http status", exc_info=True)


def name_transaction(transaction: Any, generic: str, name: Optional[str], source: str) -> None:
    """Give the request's transaction its route name unless the app renamed it meanwhile."""
    if transaction is None or not name:
        return
    try:
        if transaction.name != generic:
            return
        transaction.name = name
        transaction.source = source
    except Exception:
        logger.debug("sentry_lite: could not name the transaction", exc_info=True)


def event_needs_name(event: Event, generic: str) -> bool:
    """Name an event after the route unless the app (or a span) already named it."""
    name = event.get("transaction")
    return name is None or name == generic


def trace_meta() -> str:
    """``<meta>`` tags carrying the current trace, for server-rendered pages."""
    try:
        from sentry_lite.tracing import api as tracing

        parts = []
        traceparent = tracing.get_traceparent()
        if traceparent:
            parts.append(f'<meta name="sentry-trace" content="{_attr(traceparent)}">')
        baggage = tracing.get_baggage()
        if baggage:
            parts.append(f'<meta name="baggage" content="{_attr(baggage)}">')
        return "".join(parts)
    except Exception:
        return ""


def _attr(value: str) -> str:
    return (
        str(value)
        .replace("&", "&amp;")
        .replace('"', "&quot;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
    )


def child_span(op: str, name: Optional[str], origin: str) -> Any:
    """A child of the current span, or None when no sampled transaction is running.

    Checking first keeps instrumented calls (SQL, templates, signals) free when tracing
    is off or the request was not sampled.
    """
    try:
        parent = Scope.get_current_scope()._span or Scope.get_isolation_scope()._span
        if parent is None or getattr(parent, "sampled", None) is False:
            return None
        from sentry_lite.tracing.api import start_span

        return start_span(op=op, name=name, origin=origin)
    except Exception:
        return None


def form_data(event: Event, form: Any, files: Any) -> Dict[str, Any]:
    """Request data from a parsed form: fields as sent, uploaded files noted, not sent."""
    data: Dict[str, Any] = dict(form.items()) if form else {}
    for key in files or ():
        data[key] = ""
        annotate(event, ["request", "data", key], rem=[REM_RAW_REMOVED])
    return data
