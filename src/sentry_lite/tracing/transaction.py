"""Transaction: the root span of a trace in this service; finishing it sends the event.

It records its children (up to ``MAX_SPANS_PER_TRANSACTION``) and, when finished,
becomes a ``transaction`` event that it hands to its *reporter*: the object it was given
when it started (the scope layer's tracing host), which applies the scopes and passes it
to the client. Tracing never imports the scope or the client.
"""

from __future__ import annotations

import time
import warnings
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Protocol, Union

from sentry_lite import shortcuts
from sentry_lite.limits import MAX_SPANS_PER_TRANSACTION
from sentry_lite.options import tracing_enabled
from sentry_lite.sdk_loggers import logger
from sentry_lite.timestamps import format_timestamp
from sentry_lite.tracing import host
from sentry_lite.tracing import span as span_module
from sentry_lite.tracing.baggage import Baggage
from sentry_lite.tracing.dsc import head_items
from sentry_lite.tracing.host import SpanScope, TracingClient, TracingHost
from sentry_lite.tracing.noop import UnsampledSpan
from sentry_lite.tracing.sampling import new_sample_rand
from sentry_lite.tracing.sources import LOW_QUALITY_TRANSACTION_SOURCES, TransactionSource
from sentry_lite.tracing.span import Span, make_child

if TYPE_CHECKING:
    from datetime import datetime

__all__ = ["Transaction", "TransactionProfiler", "continuing_transaction", "load_threading"]


_perf_counter = time.perf_counter
_time = time.time


def load_threading() -> None:
    """Bind ``threading.current_thread`` for new spans and transactions (``init`` calls
    this; before it, the first one does). ``threading`` is not loaded at ``import
    sentry_lite``."""
    global _current_thread
    import threading  # buys import time: loads at init or at the first transaction

    _current_thread = threading.current_thread
    span_module.load_threading()


def _first_current_thread() -> Any:
    load_threading()
    return _current_thread()


_current_thread: Callable[[], Any] = _first_current_thread
_new_object = object.__new__


class TransactionProfiler(Protocol):
    """What a profiled transaction holds (``sentry_lite.profiler`` makes it when the
    transaction starts): it is finished with the transaction, exactly once."""

    profiler_id: Optional[str]

    def finish(self, event: Optional[Dict[str, Any]], lost_reason: str = "sample_rate") -> None:
        """Stop profiling this transaction. ``event`` is the transaction event about to be
        sent (the profile adds itself to it), or None when it is not sent (``lost_reason``)."""
        ...


class Transaction(Span):
    """The root span of a trace in this service; finishing it sends the event."""

    __slots__ = (
        "_baggage",
        "_contexts",
        "_dropped",
        "_max_spans",
        "_profile",
        "_recorder",
        "_sample_rand",
        "name",
        "parent_sampled",
        "reporter",
        "sample_rate",
        "source",
    )

    def __init__(
        self,
        name: str = "",
        parent_sampled: Optional[bool] = None,
        baggage: Optional[Baggage] = None,
        source: str = TransactionSource.CUSTOM,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("containing_transaction", None)
        super().__init__(**kwargs)
        self.name = name
        self.source = source
        self.parent_sampled = parent_sampled
        self.sample_rate: Optional[float] = None
        self._baggage = baggage
        self._contexts: Optional[Dict[str, Any]] = None
        self._recorder: Optional[List[Span]] = None
        self._dropped = 0
        self._max_spans = MAX_SPANS_PER_TRANSACTION
        self._profile: Optional[TransactionProfiler] = None
        self.reporter: Optional[TracingHost] = None
        rand = baggage.sample_rand() if baggage is not None else None
        if rand is None:
            rand = new_sample_rand()
        self._sample_rand = rand

    @property
    def containing_transaction(self) -> Transaction:
        return self

    @property
    def sample_rand(self) -> float:
        """This trace's dice in [0, 1): incoming ``sample_rand`` or a fresh one."""
        return self._sample_rand

    @property
    def incoming_baggage(self) -> Optional[Baggage]:
        """The baggage this transaction continues (None at the head, until built)."""
        return self._baggage

    def __repr__(self) -> str:
        return (
            f"<Transaction(name={self.name!r}, op={self.op!r}, trace_id={self.trace_id!r}, "
            f"span_id={self.span_id!r}, parent_span_id={self.parent_span_id!r}, "
            f"sampled={self.sampled!r}, source={self.source!r}, origin={self.origin!r})>"
        )

    def __enter__(self) -> Transaction:
        scope = self.scope or host.current.current_scope()
        self._cm_state = (scope, scope.span)
        scope.span = self  # the setter names the scope after the transaction
        return self

    # -- recording ------------------------------------------------------------------
    def init_span_recorder(self, maxlen: int) -> None:
        if self._recorder is None:
            self._recorder = []
            self._max_spans = maxlen

    def record(self, span: Span) -> None:
        """Keep a child for the event (children call this when they start)."""
        recorder = self._recorder
        if recorder is None:
            return
        if len(recorder) < self._max_spans:
            recorder.append(span)
        else:
            self._dropped += 1

    def _possibly_started(self) -> bool:
        return self._recorder is not None or self.sampled is False

    def start_child(
        self,
        instrumenter: str = "sentry",
        op: Optional[str] = None,
        name: Optional[str] = None,
        description: Optional[str] = None,
        origin: str = "manual",
        scope: Optional[SpanScope] = None,
        **kwargs: Any,
    ) -> Span:
        if self.sampled is False:
            return UnsampledSpan(self)
        if kwargs or not shortcuts.enabled:
            kwargs.pop("sampled", None)
            child = Span(
                trace_id=self.trace_id,
                parent_span_id=self.span_id,
                sampled=self.sampled,
                containing_transaction=self,
                _anchor=self._anchor,
                op=op,
                name=name,
                description=description,
                origin=origin,
                scope=scope,
                **kwargs,
            )
        else:
            child = make_child(self, self, op, name or description, origin, scope)
        recorder = self._recorder
        if recorder is not None:
            if len(recorder) < self._max_spans:
                recorder.append(child)
            else:
                self._dropped += 1
        return child

    # -- data -------------------------------------------------------------------------
    def set_measurement(self, name: str, value: float, unit: str = "") -> None:
        if self._measurements is None:
            self._measurements = {}
        self._measurements[name] = {"value": value, "unit": unit}

    def set_context(self, key: str, value: Dict[str, Any]) -> None:
        if self._contexts is None:
            self._contexts = {}
        self._contexts[key] = value

    def set_http_status(self, http_status: int) -> None:
        super().set_http_status(http_status)
        self.set_context("response", {"status_code": http_status})

    def to_json(self) -> Dict[str, Any]:
        rv = super().to_json()
        rv["name"] = self.name
        rv["source"] = self.source
        rv["sampled"] = self.sampled
        return rv

    def get_trace_context(self) -> Dict[str, Any]:
        """As a span's, but ``data`` carries all of the transaction's own data."""
        rv: Dict[str, Any] = {
            "trace_id": self._trace_id or self.trace_id,
            "span_id": self._span_id or self.span_id,
            "parent_span_id": self.parent_span_id,
            "op": self.op,
            "description": self.description,
            "origin": self.origin,
        }
        if self.status:
            rv["status"] = self.status
        rv["dynamic_sampling_context"] = self.get_baggage().dynamic_sampling_context()
        data = self._thread_data()
        if self._data:
            data.update(self._data)
        rv["data"] = data
        return rv

    def get_baggage(self) -> Baggage:
        """The DSC for this trace; built (then frozen) on first use at the head."""
        if self._baggage is None or self._baggage.mutable:
            self._baggage = self._populate_baggage()
        return self._baggage

    def _populate_baggage(self, client: Optional[TracingClient] = None) -> Baggage:
        if client is None:
            client = (self.reporter or host.current).client()
        if not client.is_active():
            return Baggage({})
        items = head_items(client, self.trace_id, f"{self._sample_rand:.6f}")
        if self.name and self.source not in LOW_QUALITY_TRANSACTION_SOURCES:
            items["transaction"] = self.name
        if self.sample_rate is not None:
            items["sample_rate"] = str(self.sample_rate)
        if self.sampled is not None:
            items["sampled"] = "true" if self.sampled else "false"
        if self._baggage is not None and self._baggage.sentry_items:
            items.update(self._baggage.sentry_items)
        return Baggage(items, mutable=False)

    # -- finishing ------------------------------------------------------------------
    def finish(
        self,
        scope: Optional[SpanScope] = None,
        end_timestamp: Optional[Union[datetime, float]] = None,
        *,
        hub: Any = None,
    ) -> Optional[str]:
        """Send the transaction with its finished spans; returns the event id or None."""
        if hub is not None:
            warnings.warn(
                "The `hub` parameter is deprecated. Please use the `scope` parameter, instead.",
                DeprecationWarning,
                stacklevel=2,
            )
        if scope is not None and _is_hub(type(scope)):
            warnings.warn(
                "Passing a Hub to finish is deprecated. Please pass a Scope, instead.",
                DeprecationWarning,
                stacklevel=2,
            )
            hub, scope = scope, None
        if self._end is not None:
            return None
        profile = self._profile
        if profile is not None:
            self._profile = None
        reporter = self.reporter or host.current
        client = reporter.client()
        if not client.is_active():
            _drop_profile(profile, "")
            return None
        if hub is not None and scope is None:
            scope = getattr(hub, "scope", None)
        scope = scope or self.scope or reporter.current_scope()
        Span.finish(self, scope, end_timestamp)
        if self._recorder is None:
            if tracing_enabled(client.options):
                client.record_lost_event("sample_rate", "transaction")
                client.record_lost_event("sample_rate", "span")
            _drop_profile(profile, "sample_rate")
            return None
        if not self.name:
            logger.warning("sentry_lite: transaction has no name; using <unlabeled transaction>")
            self.name = "<unlabeled transaction>"
        recorder = self._recorder
        status_code = self._data.get("http.response.status_code") if self._data else None
        if status_code is not None:
            ignored = client.options.get("trace_ignore_status_codes") or ()
            if status_code in ignored:
                client.record_lost_event("event_processor", "transaction")
                client.record_lost_event("event_processor", "span", len(recorder) + 1)
                self.sampled = False
                _drop_profile(profile, "event_processor")
                profile = None
        if not self.sampled:
            self._recorder = None
            _drop_profile(profile, "sample_rate")
            return None
        spans = [span.to_json() for span in recorder if span._end is not None]
        dropped = len(recorder) - len(spans) + self._dropped
        # Break the transaction -> recorder -> span -> transaction cycle before sending.
        self._recorder = None
        contexts = dict(self._contexts) if self._contexts else {}
        baggage = self._baggage
        if baggage is None or baggage.mutable:  # get_baggage(), with the client in hand
            self._baggage = self._populate_baggage(client)
        contexts["trace"] = self.get_trace_context()
        end = self._end or self._start
        event: Dict[str, Any] = {
            "type": "transaction",
            "transaction": self.name,
            "transaction_info": {"source": str(self.source)},
            "contexts": contexts,
            "tags": self._tags if self._tags is not None else {},
            "timestamp": format_timestamp(end),
            "start_timestamp": format_timestamp(self._start),
            "spans": spans,
            "measurements": self._measurements if self._measurements is not None else {},
        }
        if dropped > 0:
            client.record_lost_event("buffer_overflow", "span", dropped)
        if profile is not None:
            _finish_profile(profile, event)
        return reporter.send_transaction(event, scope)

    def get_profile_context(self) -> Optional[Dict[str, Any]]:
        """``contexts.profile`` while the continuous profiler samples this transaction."""
        profiler_id = self._data.get("profiler_id") if self._data else None
        return None if profiler_id is None else {"profiler_id": profiler_id}


def _finish_profile(profile: TransactionProfiler, event: Optional[Dict[str, Any]]) -> None:
    try:
        profile.finish(event)
    except Exception:  # noqa: BLE001 - the profiler must never break finishing a transaction
        logger.debug("sentry_lite: could not finish the profile", exc_info=True)


_HUB_TYPES: Dict[type, bool] = {}


def _is_hub(cls: type) -> bool:
    """Is ``cls`` the 1.x ``Hub`` (by name: it lives in the API layer above), per class."""
    known = _HUB_TYPES.get(cls)
    if known is None:
        known = any(c.__name__ == "Hub" for c in cls.__mro__)
        if len(_HUB_TYPES) < 64:
            _HUB_TYPES[cls] = known
    return known


def _drop_profile(profile: Optional[TransactionProfiler], reason: str) -> None:
    """The transaction is not sent: stop its profile (counted as lost for ``reason``)."""
    if profile is not None:
        try:
            profile.finish(None, reason)
        except Exception:  # noqa: BLE001
            logger.debug("sentry_lite: could not stop the profile", exc_info=True)


def continuing_transaction(
    name: str,
    source: str,
    op: Optional[str],
    origin: str,
    baggage: Optional[Baggage],
    parent_sampled: Optional[bool],
    trace_id: str,
    parent_span_id: Optional[str],
) -> Transaction:
    """``Transaction(...)`` as ``continue_trace`` makes it, without the keyword passing
    of three ``__init__``s (once per request). Must set every slot ``__init__`` sets;
    ``shortcuts.disabled()`` builds it through ``__init__`` instead."""
    if not shortcuts.enabled:
        return Transaction(
            name=name,
            source=source,
            op=op,
            origin=origin,
            baggage=baggage,
            parent_sampled=parent_sampled,
            trace_id=trace_id,
            parent_span_id=parent_span_id,
            same_process_as_parent=False,
        )
    txn: Transaction = _new_object(Transaction)
    txn._trace_id = trace_id
    txn._span_id = None
    txn.parent_span_id = parent_span_id
    txn.same_process_as_parent = False
    txn.sampled = None
    txn.op = op
    txn.description = None
    txn.status = None
    txn.hub = None
    txn.scope = None
    txn.origin = origin
    txn._containing_transaction = None
    txn._tags = txn._data = txn._measurements = txn._flags = txn._cm_state = None
    txn._thread = _current_thread()
    txn._end = None
    anchor = txn._anchor = (_time(), _perf_counter())
    txn._start = anchor[0]
    txn.name = name
    txn.source = source
    txn.parent_sampled = parent_sampled
    txn.sample_rate = None
    txn._baggage = baggage
    txn._contexts = None
    txn._recorder = None
    txn._dropped = 0
    txn._max_spans = MAX_SPANS_PER_TRANSACTION
    txn._profile = None
    txn.reporter = None
    rand = baggage.sample_rand() if baggage is not None else None
    txn._sample_rand = new_sample_rand() if rand is None else rand
    return txn
