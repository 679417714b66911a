"""Module-level tracing functions (start_transaction, start_span, continue_trace, ...).

Each has a ``*_on(scope, ...)`` form that ``Scope``'s methods of the same name call, so
``sentry_lite.start_span()`` and ``scope.start_span()`` share one implementation.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterator, Optional, Tuple, TypeVar, Union

from sentry_lite.scope import Scope
from sentry_lite.tracing.context import PropagationContext
from sentry_lite.tracing.decorator import trace
from sentry_lite.tracing.propagation import (
    SENTRY_TRACE_HEADER_NAME,
    W3C_TRACEPARENT_HEADER_NAME,
    Baggage,
    parse_sentry_trace,
    w3c_traceparent,
)
from sentry_lite.tracing.sampling import has_tracing_enabled, sampling_decision
from sentry_lite.tracing.span import (
    MAX_SPANS_PER_TRANSACTION,
    NoOpSpan,
    Span,
    Transaction,
    TransactionSource,
    UnsampledSpan,
    _continuing_transaction,
)

F = TypeVar("F", bound=Callable[..., Any])

__all__ = [
    "active_propagation_context",
    "continue_trace",
    "get_baggage",
    "get_current_span",
    "get_traceparent",
    "iter_trace_propagation_headers",
    "set_measurement",
    "start_span",
    "start_transaction",
    "trace",
    "trace_propagation_meta",
]

AnySpan = Union[Span, UnsampledSpan]

_get_current_scope = Scope.get_current_scope
_get_client = Scope.get_client


def active_propagation_context(scope: Scope) -> PropagationContext:
    """The scope's own propagation context, else the current's, else the isolation's."""
    context = scope._propagation_context
    if context is not None:
        return context
    context = Scope.get_current_scope()._propagation_context
    if context is not None:
        return context
    return Scope.get_isolation_scope().get_propagation_context()


# -- transactions and spans -------------------------------------------------------------


def start_transaction(
    transaction: Optional[Transaction] = None,
    instrumenter: str = "sentry",
    custom_sampling_context: Optional[Dict[str, Any]] = None,
    **kwargs: Any,
) -> Union[Transaction, NoOpSpan]:
    """Start (sample) a transaction on the current scope; use it as a context manager."""
    return start_transaction_on(
        _get_current_scope(), transaction, instrumenter, custom_sampling_context, kwargs
    )


def start_transaction_on(
    scope: Scope,
    transaction: Optional[Transaction],
    instrumenter: str,
    custom_sampling_context: Optional[Dict[str, Any]],
    kwargs: Dict[str, Any],
) -> Union[Transaction, NoOpSpan]:
    options = _get_client().options
    if instrumenter != options.get("instrumenter", "sentry"):
        return NoOpSpan()
    if transaction is None:
        kwargs.setdefault("scope", scope)
        transaction = Transaction(**kwargs)
    elif transaction.scope is None:
        transaction.scope = scope
    txn = transaction

    def sampling_context() -> Dict[str, Any]:
        context = {"transaction_context": txn.to_json(), "parent_sampled": txn.parent_sampled}
        if custom_sampling_context:
            context.update(custom_sampling_context)
        return context

    keep_incoming_rate = (
        txn.sampled is None
        and txn.parent_sampled is not None
        and not callable(options.get("traces_sampler"))
    )
    sampled, rate = sampling_decision(
        options, txn.sampled, txn.parent_sampled, txn._sample_rand, sampling_context
    )
    txn.sampled = sampled
    txn.sample_rate = rate
    if rate is not None and not keep_incoming_rate:
        incoming = active_propagation_context(scope).baggage
        if incoming is not None:
            incoming.sentry_items["sample_rate"] = str(rate)
        if txn._baggage is not None:
            txn._baggage.sentry_items["sample_rate"] = str(rate)
    if sampled:
        experiments = options.get("_experiments") or {}
        txn.init_span_recorder(experiments.get("max_spans") or MAX_SPANS_PER_TRANSACTION)
    return txn


def start_span(**kwargs: Any) -> AnySpan:
    """A child of the current span, or a span of its own when there is none."""
    return start_span_on(_get_current_scope(), kwargs)


def start_span_on(scope: Scope, kwargs: Dict[str, Any]) -> AnySpan:
    parent = scope._span
    if parent is None:
        parent = Scope.get_isolation_scope()._span
    if parent is not None:
        if parent.sampled is False and "instrumenter" not in kwargs:
            # The unsampled hot path: nothing will be recorded, so build nothing.
            txn = parent.containing_transaction
            if txn is not None:
                return UnsampledSpan(txn)
        if "instrumenter" in kwargs and kwargs.pop("instrumenter") != _instrumenter():
            return NoOpSpan()
        if "scope" not in kwargs:
            kwargs["scope"] = scope
        return parent.start_child(**kwargs)  # type: ignore[no-any-return]
    if kwargs.pop("instrumenter", "sentry") != _instrumenter():
        return NoOpSpan()
    if "scope" not in kwargs:
        kwargs["scope"] = scope
    if "trace_id" not in kwargs:
        kwargs["trace_id"] = active_propagation_context(scope).trace_id
    return Span(**kwargs)


def _instrumenter() -> Any:
    return _get_client().options.get("instrumenter", "sentry")


def continue_trace(
    environ_or_headers: Any,
    op: Optional[str] = None,
    name: Optional[str] = None,
    source: Optional[str] = None,
    origin: str = "manual",
) -> Transaction:
    """Adopt the incoming trace (headers or WSGI environ) and return a transaction for it.

    The transaction is not started: pass it to ``start_transaction``.
    """
    return continue_trace_on(
        Scope.get_isolation_scope(), environ_or_headers, op, name, source, origin
    )


def continue_trace_on(
    scope: Scope,
    environ_or_headers: Any,
    op: Optional[str] = None,
    name: Optional[str] = None,
    source: Optional[str] = None,
    origin: str = "manual",
) -> Transaction:
    scope.generate_propagation_context(environ_or_headers)
    context = scope.get_propagation_context()
    return _continuing_transaction(
        name or "",
        source or TransactionSource.CUSTOM,
        op,
        origin,
        context.baggage,
        context.parent_sampled,
        context.trace_id,
        context.parent_span_id,
    )


def get_current_span(scope: Optional[Scope] = None) -> Any:
    """The active span, or None."""
    return (scope or _get_current_scope())._span


def set_measurement(name: str, value: float, unit: str = "") -> None:
    span = _get_current_scope()._span
    txn = span.containing_transaction if span is not None else None
    if txn is not None:
        txn.set_measurement(name, value, unit)


# -- outgoing propagation --------------------------------------------------------------


def get_traceparent() -> Optional[str]:
    """The ``sentry-trace`` value for an outgoing request from here."""
    return get_traceparent_on(_get_current_scope())


def get_traceparent_on(scope: Scope) -> Optional[str]:
    span = scope._span
    if span is not None and has_tracing_enabled(_get_client().options):
        return span.to_traceparent()  # type: ignore[no-any-return]
    return active_propagation_context(scope).to_traceparent()


def get_baggage() -> Optional[str]:
    """The ``baggage`` value (the DSC) for an outgoing request from here."""
    baggage = get_baggage_on(_get_current_scope())
    return baggage.serialize() if baggage is not None else None


def get_baggage_on(scope: Scope) -> Optional[Baggage]:
    span = scope._span
    if span is not None and has_tracing_enabled(_get_client().options):
        return span.to_baggage()  # type: ignore[no-any-return]
    return active_propagation_context(scope).get_baggage()


def iter_trace_propagation_headers(
    scope: Optional[Scope] = None, span: Any = None
) -> Iterator[Tuple[str, str]]:
    """``sentry-trace``, ``baggage`` (and ``traceparent`` if enabled) for outgoing calls."""
    scope = scope or _get_current_scope()
    options = _get_client().options
    if not options.get("propagate_traces", True):
        return
    if span is None:
        span = scope._span
    headers: Iterator[Tuple[str, str]]
    if span is not None and not isinstance(span, NoOpSpan) and has_tracing_enabled(options):
        headers = span.iter_headers()
    else:
        headers = active_propagation_context(scope).iter_headers()
    for name, value in headers:
        yield name, value
        if name == SENTRY_TRACE_HEADER_NAME and options.get("w3c_traceparent"):
            parsed = parse_sentry_trace(value)
            if parsed is not None and parsed[0] and parsed[1]:
                yield W3C_TRACEPARENT_HEADER_NAME, w3c_traceparent(parsed[0], parsed[1], parsed[2])


def trace_propagation_meta(scope: Optional[Scope] = None) -> str:
    """``<meta>`` tags carrying the trace into an HTML page (for browser SDKs)."""
    return "".join(
        f'<meta name="{name}" content="{value}">'
        for name, value in iter_trace_propagation_headers(scope)
    )


def get_trace_context_on(scope: Scope) -> Dict[str, Any]:
    span = scope._span
    if (
        span is not None
        and not isinstance(span, NoOpSpan)
        and has_tracing_enabled(_get_client().options)
    ):
        return span.get_trace_context()  # type: ignore[no-any-return]
    return active_propagation_context(scope).trace_context()


_ = trace  # re-exported
