"""A scope's tracing methods: start transactions and spans, continue and propagate traces.

``sentry_lite.start_span()`` and ``scope.start_span()`` share these. A transaction is
handed its reporter (the installed tracing host) when it starts, and finishing it sends
it through that reporter: the span never looks up scopes or clients itself.
"""

from __future__ import annotations

import warnings
from _thread import get_ident
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterator, Optional, Tuple, Union

from sentry_lite.client_base import BaseClient
from sentry_lite.limits import MAX_SPANS_PER_TRANSACTION
from sentry_lite.options import Options, tracing_enabled
from sentry_lite.profiler import control as profiler_control
from sentry_lite.scope.data import ScopeData, ScopeType
from sentry_lite.sdk_loggers import logger
from sentry_lite.tracing import host
from sentry_lite.tracing.context import PropagationContext
from sentry_lite.tracing.noop import NoOpSpan, UnsampledSpan
from sentry_lite.tracing.propagation import (
    SENTRY_TRACE_HEADER_NAME,
    W3C_TRACEPARENT_HEADER_NAME,
    Baggage,
    parse_sentry_trace,
    propagation_context_from_headers,
    w3c_traceparent,
)
from sentry_lite.tracing.sampling import sampling_decision
from sentry_lite.tracing.sources import TransactionSource
from sentry_lite.tracing.span import Span
from sentry_lite.tracing.transaction import Transaction, continuing_transaction

if TYPE_CHECKING:
    from sentry_lite.profiler.profiling import Profiling

__all__ = ["ScopeTracing", "continue_trace_on", "start_transaction_on"]


class ScopeTracing(ScopeData):
    """Tracing on a scope. The concrete ``Scope`` supplies the three lookups below."""

    __slots__ = ()

    @classmethod
    def get_current_scope(cls) -> ScopeTracing:
        raise NotImplementedError

    @classmethod
    def get_isolation_scope(cls) -> ScopeTracing:
        raise NotImplementedError

    @classmethod
    def get_client(cls) -> BaseClient:
        raise NotImplementedError

    # -- the trace --------------------------------------------------------------------------
    def get_active_propagation_context(self) -> PropagationContext:
        """This scope's context, else the current scope's, else the isolation scope's."""
        context = self._propagation_context
        if context is not None:
            return context
        context = self.get_current_scope()._propagation_context
        if context is not None:
            return context
        return self.get_isolation_scope().get_propagation_context()

    def generate_propagation_context(self, incoming_data: Optional[Dict[str, Any]] = None) -> None:
        """Continue ``incoming_data``'s trace (a fresh one if it has none); without
        data, make sure a non-current scope has a context, keeping an existing one."""
        if incoming_data is not None:
            self._propagation_context = propagation_context_from_headers(
                incoming_data, self.get_client()
            )
        if self._type != ScopeType.CURRENT and self._propagation_context is None:
            self.set_new_propagation_context()

    def get_trace_context(self) -> Dict[str, Any]:
        span = self._span
        if (
            span is not None
            and not isinstance(span, NoOpSpan)
            and tracing_enabled(self.get_client().options)
        ):
            return span.get_trace_context()  # type: ignore[no-any-return]
        return self.get_active_propagation_context().trace_context()

    # -- transactions and spans -----------------------------------------------------------
    def start_transaction(
        self,
        transaction: Optional[Transaction] = None,
        instrumenter: str = "sentry",
        custom_sampling_context: Optional[Dict[str, Any]] = None,
        **kwargs: Any,
    ) -> Union[Transaction, NoOpSpan]:
        """Start (sample) a transaction; use it as a context manager."""
        return start_transaction_on(
            self, transaction, instrumenter, custom_sampling_context, kwargs
        )

    def unsampled_child(self, kwargs: Dict[str, Any]) -> Optional[Span]:
        """The unsampled hot path, asked first: a child of this scope's unsampled
        transaction records nothing, so nothing is built (None: take the general path)."""
        parent = self._span
        if (
            parent is not None
            and parent.sampled is False
            and "instrumenter" not in kwargs
            and kwargs.get("description") is None
        ):
            txn = parent.containing_transaction
            if txn is not None:
                return UnsampledSpan(txn)
        return None

    def start_span(self, **kwargs: Any) -> Span:
        """A child of the active span, or a span of its own when there is none.

        (``Scope.start_span`` and ``sentry_lite.start_span`` ask :meth:`unsampled_child`
        before calling this; the unsampled case below is for the ``description=`` form.)"""
        if kwargs.get("description") is not None:
            warnings.warn(
                "The `description` parameter is deprecated. Please use `name` instead.",
                DeprecationWarning,
                stacklevel=3,
            )
            description = kwargs.pop("description")
            kwargs.setdefault("name", description)
        parent = self._span
        if parent is None:
            parent = self.get_isolation_scope()._span
        if parent is not None:
            if parent.sampled is False and "instrumenter" not in kwargs:
                # The unsampled hot path: nothing will be recorded, so build nothing.
                txn = parent.containing_transaction
                if txn is not None:
                    return UnsampledSpan(txn)
            if "instrumenter" in kwargs and kwargs.pop("instrumenter") != self._instrumenter():
                return NoOpSpan()
            if "scope" not in kwargs:
                kwargs["scope"] = self
            return parent.start_child(**kwargs)  # type: ignore[no-any-return]
        if kwargs.pop("instrumenter", "sentry") != self._instrumenter():
            return NoOpSpan()
        if "scope" not in kwargs:
            kwargs["scope"] = self
        if "trace_id" not in kwargs:
            kwargs["trace_id"] = self.get_active_propagation_context().trace_id
        return Span(**kwargs)

    def _instrumenter(self) -> str:
        return self.get_client().options.get("instrumenter", "sentry") or "sentry"

    def continue_trace(
        self,
        environ_or_headers: Any,
        op: Optional[str] = None,
        name: Optional[str] = None,
        source: Optional[str] = None,
        origin: str = "manual",
    ) -> Transaction:
        """Adopt the incoming trace (headers or WSGI environ); returns a transaction for it,
        not started: pass it to ``start_transaction``."""
        return continue_trace_on(self, environ_or_headers, op, name, source, origin)

    # -- outgoing propagation -------------------------------------------------------------
    def get_traceparent(self, *args: Any, **kwargs: Any) -> Optional[str]:
        """The ``sentry-trace`` value for an outgoing request from here."""
        span = self._span
        if span is not None and tracing_enabled(self.get_client().options):
            return span.to_traceparent()  # type: ignore[no-any-return]
        return self.get_active_propagation_context().to_traceparent()

    def get_baggage(self, *args: Any, **kwargs: Any) -> Optional[Baggage]:
        """The ``baggage`` (the DSC) for an outgoing request from here."""
        span = self._span
        if span is not None and tracing_enabled(self.get_client().options):
            return span.to_baggage()  # type: ignore[no-any-return]
        return self.get_active_propagation_context().get_baggage()

    def iter_trace_propagation_headers(
        self, *args: Any, **kwargs: Any
    ) -> Iterator[Tuple[str, str]]:
        """``sentry-trace``, ``baggage`` (and ``traceparent`` if enabled) for outgoing calls."""
        options = self.get_client().options
        if not options.get("propagate_traces", True):
            warnings.warn(
                "The `propagate_traces` parameter is deprecated. Please use "
                "`trace_propagation_targets` instead.",
                DeprecationWarning,
                stacklevel=2,
            )
            return
        span = kwargs.get("span", args[0] if args else None)
        if span is None:
            span = self._span
        headers: Iterator[Tuple[str, str]]
        if span is not None and not isinstance(span, NoOpSpan) and tracing_enabled(options):
            headers = span.iter_headers()
        else:
            headers = self.get_active_propagation_context().iter_headers()
        for name, value in headers:
            yield name, value
            if name == SENTRY_TRACE_HEADER_NAME and options.get("w3c_traceparent"):
                parsed = parse_sentry_trace(value)
                if parsed is not None and parsed[0] and parsed[1]:
                    yield (
                        W3C_TRACEPARENT_HEADER_NAME,
                        w3c_traceparent(parsed[0], parsed[1], parsed[2]),
                    )

    def trace_propagation_meta(self, *args: Any, **kwargs: Any) -> str:
        """``<meta>`` tags carrying the trace into an HTML page (for browser SDKs)."""
        return "".join(
            f'<meta name="{name}" content="{value}">'
            for name, value in self.iter_trace_propagation_headers()
        )


def start_transaction_on(
    scope: ScopeTracing,
    transaction: Optional[Transaction],
    instrumenter: str,
    custom_sampling_context: Optional[Dict[str, Any]],
    kwargs: Dict[str, Any],
    options: Optional[Options] = None,
) -> Union[Transaction, NoOpSpan]:
    """``scope.start_transaction`` without keyword passing (the request path's form);
    ``options``: the active client's, when the caller has them at hand."""
    if options is None:
        options = scope.get_client().options
    if instrumenter != options.get("instrumenter", "sentry"):
        return NoOpSpan()
    if transaction is None:
        kwargs.setdefault("scope", scope)
        transaction = Transaction(**kwargs)
    elif transaction.scope is None:
        transaction.scope = scope
    txn = transaction
    txn.reporter = host.current

    built: Dict[str, Any] = {}

    def sampling_context() -> Dict[str, Any]:
        """Built on first use, before the decision; profiles_sampler gets the same one."""
        if not built:
            built["transaction_context"] = txn.to_json()
            built["parent_sampled"] = txn.parent_sampled
            if custom_sampling_context:
                built.update(custom_sampling_context)
        return built

    keep_incoming_rate = (
        txn.sampled is None
        and txn.parent_sampled is not None
        and not callable(options.get("traces_sampler"))
    )
    sampled, rate = sampling_decision(
        options, txn.sampled, txn.parent_sampled, txn.sample_rand, sampling_context
    )
    txn.sampled = sampled
    txn.sample_rate = rate
    if rate is not None and not keep_incoming_rate:
        incoming = scope.get_active_propagation_context().baggage
        if incoming is not None:
            incoming.sentry_items["sample_rate"] = str(rate)
        baggage = txn.incoming_baggage
        if baggage is not None:
            baggage.sentry_items["sample_rate"] = str(rate)
    if sampled:
        experiments = options.get("_experiments") or {}
        txn.init_span_recorder(experiments.get("max_spans") or MAX_SPANS_PER_TRANSACTION)
    profiling = profiler_control.current
    if profiling is not None and txn._profile is None:
        _start_profile(profiling, txn, sampling_context)
    return txn


def _start_profile(
    profiling: Profiling, txn: Transaction, sampling_context: Callable[[], Dict[str, Any]]
) -> None:
    """Profile the transaction if the profiling options pick it (relative to its own
    sampling decision; ``profiles_sampler`` gets the same context as ``traces_sampler``)."""
    try:
        txn._profile = profiling.on_transaction_start(txn, sampling_context, get_ident())
    except Exception:  # noqa: BLE001 - profiling must never break starting a transaction
        logger.debug("sentry_lite: could not start the profile", exc_info=True)


def continue_trace_on(
    scope: ScopeTracing,
    environ_or_headers: Any,
    op: Optional[str] = None,
    name: Optional[str] = None,
    source: Optional[str] = None,
    origin: str = "manual",
) -> Transaction:
    """``scope.continue_trace`` (the request path calls it on the isolation scope)."""
    scope.generate_propagation_context(environ_or_headers)
    context = scope.get_propagation_context()
    return continuing_transaction(
        name or "",
        source or TransactionSource.CUSTOM,
        op,
        origin,
        context.baggage,
        context.parent_sampled,
        context.trace_id,
        context.parent_span_id,
    )
