"""Span, Transaction and NoOpSpan with sentry_sdk 2.x's API and wire format.

Cost is the point of this module. A span keeps float seconds, not datetimes: the root
takes one ``(time.time(), perf_counter())`` anchor and every span of its tree derives its
wall time from ``perf_counter`` (monotonic inside the tree, one clock call per edge).
Timestamps are formatted once, when the transaction is serialised. Children of an
unsampled transaction are a tiny ``UnsampledSpan`` that records nothing.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timezone
from enum import Enum
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Optional, Tuple, Union

from sentry_lite.limits import MAX_CACHED_THREAD_IDENTS, MAX_SPANS_PER_TRANSACTION
from sentry_lite.timestamps import format_timestamp
from sentry_lite.tracing.context import new_span_id, new_trace_id
from sentry_lite.tracing.propagation import (
    BAGGAGE_HEADER_NAME,
    SENTRY_TRACE_HEADER_NAME,
    Baggage,
    _common_items,
)
from sentry_lite.tracing.sampling import has_tracing_enabled, new_sample_rand

if TYPE_CHECKING:
    from sentry_lite.scope import Scope

__all__ = [
    "LOW_QUALITY_TRANSACTION_SOURCES",
    "MAX_SPANS_PER_TRANSACTION",
    "SOURCE_FOR_STYLE",
    "SPANSTATUS",
    "NoOpSpan",
    "Span",
    "Transaction",
    "TransactionSource",
    "UnsampledSpan",
    "format_timestamp",
    "get_span_status_from_http_code",
]

logger = logging.getLogger("sentry_lite")


_perf_counter = time.perf_counter
_time = time.time
_current_thread = threading.current_thread


class TransactionSource(str, Enum):
    """Where a transaction name came from; ingest groups ``url`` names differently."""

    COMPONENT = "component"
    CUSTOM = "custom"
    ROUTE = "route"
    TASK = "task"
    URL = "url"
    VIEW = "view"

    def __str__(self) -> str:
        return self.value


# The constant names of sentry_sdk <2.16, still used by integrations written against it.
TRANSACTION_SOURCE_COMPONENT = TransactionSource.COMPONENT
TRANSACTION_SOURCE_CUSTOM = TransactionSource.CUSTOM
TRANSACTION_SOURCE_ROUTE = TransactionSource.ROUTE
TRANSACTION_SOURCE_TASK = TransactionSource.TASK
TRANSACTION_SOURCE_URL = TransactionSource.URL
TRANSACTION_SOURCE_VIEW = TransactionSource.VIEW

LOW_QUALITY_TRANSACTION_SOURCES = frozenset((TransactionSource.URL,))

SOURCE_FOR_STYLE = {
    "endpoint": TransactionSource.COMPONENT,
    "function_name": TransactionSource.COMPONENT,
    "handler_name": TransactionSource.COMPONENT,
    "method_and_path_pattern": TransactionSource.ROUTE,
    "path": TransactionSource.URL,
    "route_name": TransactionSource.COMPONENT,
    "route_pattern": TransactionSource.ROUTE,
    "uri_template": TransactionSource.ROUTE,
    "url": TransactionSource.ROUTE,
}


class SPANSTATUS:
    ABORTED = "aborted"
    ALREADY_EXISTS = "already_exists"
    CANCELLED = "cancelled"
    DATA_LOSS = "data_loss"
    DEADLINE_EXCEEDED = "deadline_exceeded"
    FAILED_PRECONDITION = "failed_precondition"
    INTERNAL_ERROR = "internal_error"
    INVALID_ARGUMENT = "invalid_argument"
    NOT_FOUND = "not_found"
    OK = "ok"
    OUT_OF_RANGE = "out_of_range"
    PERMISSION_DENIED = "permission_denied"
    RESOURCE_EXHAUSTED = "resource_exhausted"
    UNAUTHENTICATED = "unauthenticated"
    UNAVAILABLE = "unavailable"
    UNIMPLEMENTED = "unimplemented"
    UNKNOWN_ERROR = "unknown_error"


_STATUS_4XX = {
    401: SPANSTATUS.UNAUTHENTICATED,
    403: SPANSTATUS.PERMISSION_DENIED,
    404: SPANSTATUS.NOT_FOUND,
    409: SPANSTATUS.ALREADY_EXISTS,
    413: SPANSTATUS.FAILED_PRECONDITION,
    429: SPANSTATUS.RESOURCE_EXHAUSTED,
}
_STATUS_5XX = {
    501: SPANSTATUS.UNIMPLEMENTED,
    503: SPANSTATUS.UNAVAILABLE,
    504: SPANSTATUS.DEADLINE_EXCEEDED,
}


def get_span_status_from_http_code(http_status_code: int) -> str:
    """The span status for an HTTP status, as Sentry's trace-context spec maps it."""
    if http_status_code < 400:
        return SPANSTATUS.OK
    if http_status_code < 500:
        return _STATUS_4XX.get(http_status_code, SPANSTATUS.INVALID_ARGUMENT)
    if http_status_code < 600:
        return _STATUS_5XX.get(http_status_code, SPANSTATUS.INTERNAL_ERROR)
    return SPANSTATUS.UNKNOWN_ERROR


_ident_text: Dict[Optional[int], str] = {}
"""str(thread ident) per thread, so spans do not format it again and again."""


AnySpan = Union["Span", "UnsampledSpan"]


def _to_seconds(value: Union[datetime, float, int]) -> float:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.timestamp()
    return float(value)


def _from_seconds(value: Optional[float]) -> Optional[datetime]:
    return None if value is None else datetime.fromtimestamp(value, timezone.utc)


def _is_error(ty: Any, value: Any) -> bool:
    """A clean ``SystemExit`` (code 0/None) ends a span without marking it failed."""
    return not (ty is SystemExit and getattr(value, "code", None) in (0, None))


_scope_class: Any = None
_layers: Any = None


def _scopes() -> Any:
    """``sentry_lite.scope.Scope``, imported on first use (scope imports this package)."""
    global _scope_class
    if _scope_class is None:
        from sentry_lite.scope import Scope

        _scope_class = Scope
    return _scope_class


def _layers_for_capture(scope: Any) -> Any:
    """``sentry_lite.scope.layers_for_capture(scope)``, imported on first use."""
    global _layers
    if _layers is None:
        from sentry_lite.scope import layers_for_capture

        _layers = layers_for_capture
    return _layers(scope)


_new_object = object.__new__


def _child(
    parent: Span,
    txn: Optional[Transaction],
    op: Optional[str],
    description: Optional[str],
    origin: str,
    scope: Optional[Scope],
) -> Span:
    """A child span without ``__init__``'s keyword handling: the hot path of tracing."""
    span: Span = _new_object(Span)
    span._trace_id = parent._trace_id or parent.trace_id
    span._span_id = None
    span.parent_span_id = parent._span_id or parent.span_id
    span.same_process_as_parent = True
    span.sampled = parent.sampled
    span.op = op
    span.description = description
    span.status = None
    span.hub = None
    span.scope = scope
    span.origin = origin
    span._containing_transaction = txn
    span._tags = span._data = span._measurements = span._flags = span._cm_state = None
    span._thread = _current_thread()
    span._end = None
    anchor = span._anchor = parent._anchor
    span._start = anchor[0] + (_perf_counter() - anchor[1])
    return span


class Span:
    """A timed operation inside a trace; finished spans are sent with their transaction."""

    __slots__ = (
        "_anchor",
        "_cm_state",
        "_containing_transaction",
        "_data",
        "_end",
        "_flags",
        "_measurements",
        "_span_id",
        "_start",
        "_tags",
        "_thread",
        "_trace_id",
        "description",
        "hub",
        "op",
        "origin",
        "parent_span_id",
        "same_process_as_parent",
        "sampled",
        "scope",
        "status",
    )

    def __init__(
        self,
        trace_id: Optional[str] = None,
        span_id: Optional[str] = None,
        parent_span_id: Optional[str] = None,
        same_process_as_parent: bool = True,
        sampled: Optional[bool] = None,
        op: Optional[str] = None,
        description: Optional[str] = None,
        hub: Any = None,
        status: Optional[str] = None,
        containing_transaction: Optional[Transaction] = None,
        start_timestamp: Optional[Union[datetime, float]] = None,
        scope: Optional[Scope] = None,
        origin: str = "manual",
        name: Optional[str] = None,
        _anchor: Optional[Tuple[float, float]] = None,
    ) -> None:
        self._trace_id = trace_id
        self._span_id = span_id
        self.parent_span_id = parent_span_id
        self.same_process_as_parent = same_process_as_parent
        self.sampled = sampled
        self.op = op
        self.description = name or description
        self.status = status
        self.hub = hub
        self.scope = scope
        self.origin = origin
        self._containing_transaction = containing_transaction
        self._tags: Optional[Dict[str, Any]] = None
        self._data: Optional[Dict[str, Any]] = None
        self._measurements: Optional[Dict[str, Dict[str, Any]]] = None
        self._flags: Optional[Dict[str, bool]] = None
        self._cm_state: Optional[Tuple[Any, Any]] = None
        self._thread = _current_thread()
        self._end: Optional[float] = None
        if _anchor is None:
            _anchor = (_time(), _perf_counter())
            self._start = _anchor[0]
        else:
            self._start = _anchor[0] + (_perf_counter() - _anchor[1])
        self._anchor = _anchor
        if start_timestamp is not None:
            self._start = _to_seconds(start_timestamp)

    # -- identity --------------------------------------------------------------
    @property
    def trace_id(self) -> str:
        if not self._trace_id:
            self._trace_id = new_trace_id()
        return self._trace_id

    @trace_id.setter
    def trace_id(self, value: str) -> None:
        self._trace_id = value

    @property
    def span_id(self) -> str:
        if not self._span_id:
            self._span_id = new_span_id()
        return self._span_id

    @span_id.setter
    def span_id(self, value: str) -> None:
        self._span_id = value

    @property
    def name(self) -> Optional[str]:
        return self.description

    @name.setter
    def name(self, value: Optional[str]) -> None:
        self.description = value

    @property
    def containing_transaction(self) -> Optional[Transaction]:
        return self._containing_transaction

    @property
    def start_timestamp(self) -> datetime:
        return datetime.fromtimestamp(self._start, timezone.utc)

    @start_timestamp.setter
    def start_timestamp(self, value: Union[datetime, float]) -> None:
        self._start = _to_seconds(value)

    @property
    def timestamp(self) -> Optional[datetime]:
        return _from_seconds(self._end)

    @timestamp.setter
    def timestamp(self, value: Optional[Union[datetime, float]]) -> None:
        self._end = None if value is None else _to_seconds(value)

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__}(op={self.op!r}, description:{self.description!r}, "
            f"trace_id={self.trace_id!r}, span_id={self.span_id!r}, "
            f"parent_span_id={self.parent_span_id!r}, sampled={self.sampled!r}, "
            f"origin={self.origin!r})>"
        )

    # -- context manager: the span is the scope's span while the block runs ----
    def __enter__(self) -> Span:
        scope = self.scope or _scopes().get_current_scope()
        self._cm_state = (scope, scope._span)
        # A plain span needs none of the Scope.span setter's transaction naming.
        scope._span = self
        return self

    def __exit__(self, ty: Any, value: Any, tb: Any) -> None:
        try:
            if value is not None and _is_error(ty, value):
                self.status = SPANSTATUS.INTERNAL_ERROR
            state = self._cm_state
            self._cm_state = None
            if state is None:
                self.finish()
                return
            scope, old_span = state
            if self._end is None and type(self) is Span:
                anchor = self._anchor
                self._end = anchor[0] + (_perf_counter() - anchor[1])
            else:
                self.finish(scope)
            # Direct: the setter's naming already happened when old_span was entered.
            scope._span = old_span
        except Exception:
            logger.debug("sentry_lite: error finishing span", exc_info=True)

    # -- children -----------------------------------------------------------------
    def start_child(
        self,
        instrumenter: str = "sentry",
        op: Optional[str] = None,
        name: Optional[str] = None,
        description: Optional[str] = None,
        origin: str = "manual",
        scope: Optional[Scope] = None,
        **kwargs: Any,
    ) -> AnySpan:
        """A child span sharing this span's trace and transaction."""
        txn = self._containing_transaction
        if not kwargs:
            if self.sampled is False and txn is not None:
                return UnsampledSpan(txn)
            child = _child(self, txn, op, name or description, origin, scope)
            if txn is not None:
                txn._record(child)
            return child
        sampled = kwargs.pop("sampled", self.sampled)
        if sampled is False and txn is not None:
            return UnsampledSpan(txn)
        child = Span(
            op=op,
            name=name,
            description=description,
            origin=origin,
            scope=scope,
            trace_id=self.trace_id,
            parent_span_id=self.span_id,
            sampled=sampled,
            containing_transaction=txn,
            _anchor=self._anchor,
            **kwargs,
        )
        if txn is not None:
            txn._record(child)
        return child

    # -- data -------------------------------------------------------------------------
    def set_tag(self, key: str, value: Any) -> None:
        if self._tags is None:
            self._tags = {}
        self._tags[key] = value

    def set_data(self, key: str, value: Any) -> None:
        if self._data is None:
            self._data = {}
        self._data[key] = value

    def update_data(self, data: Dict[str, Any]) -> None:
        if self._data is None:
            self._data = {}
        self._data.update(data)

    def get_data(self) -> Dict[str, Any]:
        return dict(self._data or ())

    def set_flag(self, flag: str, result: bool) -> None:
        if self._flags is None:
            self._flags = {}
        if len(self._flags) < 10:
            self._flags[flag] = result

    def set_status(self, value: str) -> None:
        self.status = value

    def set_measurement(self, name: str, value: float, unit: str = "") -> None:
        if self._measurements is None:
            self._measurements = {}
        self._measurements[name] = {"value": value, "unit": unit}

    def set_thread(self, thread_id: Optional[int], thread_name: Optional[str]) -> None:
        if thread_id is not None:
            self.set_data("thread.id", str(thread_id))
            if thread_name is not None:
                self.set_data("thread.name", thread_name)

    def set_http_status(self, http_status: int) -> None:
        self.set_tag("http.status_code", str(http_status))
        self.set_data("http.response.status_code", http_status)
        self.status = get_span_status_from_http_code(http_status)

    def is_success(self) -> bool:
        return self.status == "ok"

    def finish(
        self,
        scope: Optional[Scope] = None,
        end_timestamp: Optional[Union[datetime, float]] = None,
        *,
        hub: Any = None,
    ) -> Optional[str]:
        """Record the end time (once). Always None for a span; see Transaction.finish."""
        if self._end is not None:
            return None
        if end_timestamp is not None:
            self._end = _to_seconds(end_timestamp)
        else:
            anchor = self._anchor
            self._end = anchor[0] + (_perf_counter() - anchor[1])
        return None

    # -- propagation --------------------------------------------------------------
    def to_traceparent(self) -> str:
        sampled = self.sampled
        if sampled is None:
            return f"{self.trace_id}-{self.span_id}"
        return f"{self.trace_id}-{self.span_id}-{'1' if sampled else '0'}"

    def to_baggage(self) -> Optional[Baggage]:
        txn = self.containing_transaction
        return txn.get_baggage() if txn is not None else None

    def iter_headers(self) -> Iterator[Tuple[str, str]]:
        """``sentry-trace`` and ``baggage``; nothing for a span outside a transaction."""
        txn = self.containing_transaction
        if txn is None:
            return
        yield SENTRY_TRACE_HEADER_NAME, self.to_traceparent()
        baggage = txn.get_baggage().serialize()
        if baggage:
            yield BAGGAGE_HEADER_NAME, baggage

    # -- wire format ------------------------------------------------------------
    def _thread_data(self) -> Dict[str, Any]:
        thread = self._thread
        ident = thread.ident
        text = _ident_text.get(ident)
        if text is None:
            if len(_ident_text) >= MAX_CACHED_THREAD_IDENTS:
                _ident_text.clear()
            text = _ident_text[ident] = str(ident)
        return {"thread.id": text, "thread.name": thread.name}

    def to_json(self) -> Dict[str, Any]:
        """The span as it appears in a transaction's ``spans`` list."""
        end = self._end
        rv: Dict[str, Any] = {
            "trace_id": self._trace_id or self.trace_id,
            "span_id": self._span_id or self.span_id,
            "parent_span_id": self.parent_span_id,
            "same_process_as_parent": self.same_process_as_parent,
            "op": self.op,
            "description": self.description,
            "start_timestamp": format_timestamp(self._start),
            "timestamp": None if end is None else format_timestamp(end),
            "origin": self.origin,
        }
        status = self.status
        tags = self._tags
        if status:
            rv["status"] = status
            if tags is None:
                tags = self._tags = {}
            tags["status"] = status
        if self._measurements:
            rv["measurements"] = self._measurements
        if tags:
            rv["tags"] = tags
        thread = self._thread  # _thread_data(), inline: once per span
        text = _ident_text.get(thread.ident)
        if text is None:
            text = self._thread_data()["thread.id"]
        data = {"thread.id": text, "thread.name": thread.name}
        if self._flags:
            data.update(self._flags)
        if self._data:
            data.update(self._data)
        rv["data"] = data
        return rv

    def get_trace_context(self) -> Dict[str, Any]:
        """``contexts.trace`` of events captured while this span is active."""
        rv: Dict[str, Any] = {
            "trace_id": self.trace_id,
            "span_id": self.span_id,
            "parent_span_id": self.parent_span_id,
            "op": self.op,
            "description": self.description,
            "origin": self.origin,
        }
        if self.status:
            rv["status"] = self.status
        txn = self.containing_transaction
        if txn is not None:
            rv["dynamic_sampling_context"] = txn.get_baggage().dynamic_sampling_context()
        rv["data"] = self._trace_data()
        return rv

    def _trace_data(self) -> Dict[str, Any]:
        data = self._thread_data()
        own = self._data
        if own:
            for key in ("thread.id", "thread.name"):
                if key in own:
                    data[key] = own[key]
        return data

    def get_profile_context(self) -> Optional[Dict[str, Any]]:
        return None


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
        self._profile: Any = None
        rand = baggage.sample_rand() if baggage is not None else None
        if rand is None:
            rand = new_sample_rand()
        self._sample_rand = rand

    @property
    def containing_transaction(self) -> Transaction:
        return self

    def __repr__(self) -> str:
        return (
            f"<Transaction(name={self.name!r}, op={self.op!r}, trace_id={self.trace_id!r}, "
            f"span_id={self.span_id!r}, parent_span_id={self.parent_span_id!r}, "
            f"sampled={self.sampled!r}, source={self.source!r}, origin={self.origin!r})>"
        )

    def __enter__(self) -> Transaction:
        scope = self.scope or _scopes().get_current_scope()
        self._cm_state = (scope, scope._span)
        scope.span = self  # the setter names the scope after the transaction
        return self

    # -- recording ------------------------------------------------------------------
    def init_span_recorder(self, maxlen: int) -> None:
        if self._recorder is None:
            self._recorder = []
            self._max_spans = maxlen

    def _record(self, span: Span) -> None:
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
        scope: Optional[Scope] = None,
        **kwargs: Any,
    ) -> AnySpan:
        if self.sampled is False:
            return UnsampledSpan(self)
        if kwargs:
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
            child = _child(self, self, op, name or description, origin, scope)
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

    def _populate_baggage(self, client: Any = None) -> Baggage:
        if client is None:
            client = _scopes().get_client()
        if not client.is_active():
            return Baggage({})
        items = _common_items(client, self.trace_id, f"{self._sample_rand:.6f}")
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
        scope: Optional[Scope] = None,
        end_timestamp: Optional[Union[datetime, float]] = None,
        *,
        hub: Any = None,
    ) -> Optional[str]:
        """Send the transaction with its finished spans; returns the event id or None."""
        if self._end is not None:
            return None
        scopes = _scopes()
        client = scopes.get_client()
        if not client.is_active():
            return None
        if hub is not None and scope is None:
            scope = getattr(hub, "scope", None)
        scope = scope or self.scope or scopes.get_current_scope()
        Span.finish(self, scope, end_timestamp)
        if self._recorder is None:
            if has_tracing_enabled(client.options):
                client.record_lost_event("sample_rate", "transaction")
                client.record_lost_event("sample_rate", "span")
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
        if not self.sampled:
            self._recorder = None
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
        # What ``scope.capture_event(event)`` does for a transaction, minus looking up
        # the client again (it is the same contextual client) and the last event id
        # (never set by transactions).
        return client.capture_event(event, None, _layers_for_capture(scope))  # type: ignore[no-any-return]


def _continuing_transaction(
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
    of three ``__init__``s (once per request). Must set every slot ``__init__`` sets."""
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
    rand = baggage.sample_rand() if baggage is not None else None
    txn._sample_rand = new_sample_rand() if rand is None else rand
    return txn


class NoOpSpan(Span):
    """Returned where sentry_sdk returns one (e.g. another ``instrumenter``): records nothing."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<NoOpSpan>"

    @property
    def containing_transaction(self) -> Optional[Transaction]:
        return None

    def start_child(
        self,
        instrumenter: str = "sentry",
        op: Optional[str] = None,
        name: Optional[str] = None,
        description: Optional[str] = None,
        origin: str = "manual",
        scope: Optional[Scope] = None,
        **kwargs: Any,
    ) -> NoOpSpan:
        return NoOpSpan()

    def to_traceparent(self) -> str:
        return ""

    def to_baggage(self) -> Optional[Baggage]:
        return None

    def get_baggage(self) -> Optional[Baggage]:
        return None

    def iter_headers(self) -> Iterator[Tuple[str, str]]:
        return iter(())

    def set_tag(self, key: str, value: Any) -> None:
        pass

    def set_data(self, key: str, value: Any) -> None:
        pass

    def update_data(self, data: Dict[str, Any]) -> None:
        pass

    def set_status(self, value: str) -> None:
        pass

    def set_http_status(self, http_status: int) -> None:
        pass

    def set_measurement(self, name: str, value: float, unit: str = "") -> None:
        pass

    def set_context(self, key: str, value: Dict[str, Any]) -> None:
        pass

    def is_success(self) -> bool:
        return True

    def to_json(self) -> Dict[str, Any]:
        return {}

    def get_trace_context(self) -> Dict[str, Any]:
        return {}

    def get_profile_context(self) -> Any:
        return {}

    def init_span_recorder(self, maxlen: int) -> None:
        pass

    def finish(
        self,
        scope: Optional[Scope] = None,
        end_timestamp: Optional[Union[datetime, float]] = None,
        *,
        hub: Any = None,
    ) -> Optional[str]:
        return None


class UnsampledSpan:
    """A child of an unsampled transaction: costs one small object and records nothing.

    sentry_sdk builds a full Span here (ids, datetimes, thread data) only to drop it. This
    stand-in answers the span API from its transaction; entering it does not change the
    scope's span, so trace headers inside it carry the transaction's ``-0`` decision.
    """

    __slots__ = ("_txn",)

    sampled = False
    op: Optional[str] = None
    description: Optional[str] = None
    name: Optional[str] = None
    status: Optional[str] = None
    origin = "manual"
    same_process_as_parent = True
    timestamp: Optional[datetime] = None

    def __init__(self, transaction: Transaction) -> None:
        self._txn = transaction

    def __repr__(self) -> str:
        return "<UnsampledSpan>"

    def __enter__(self) -> UnsampledSpan:
        return self

    def __exit__(self, ty: Any, value: Any, tb: Any) -> None:
        pass

    @property
    def trace_id(self) -> str:
        return self._txn.trace_id

    @property
    def span_id(self) -> str:
        return self._txn.span_id

    @property
    def parent_span_id(self) -> Optional[str]:
        return self._txn.span_id

    @property
    def containing_transaction(self) -> Transaction:
        return self._txn

    @property
    def start_timestamp(self) -> datetime:
        return self._txn.start_timestamp

    def start_child(self, instrumenter: str = "sentry", **kwargs: Any) -> UnsampledSpan:
        return self

    def set_tag(self, key: str, value: Any) -> None:
        pass

    def set_data(self, key: str, value: Any) -> None:
        pass

    def update_data(self, data: Dict[str, Any]) -> None:
        pass

    def get_data(self) -> Dict[str, Any]:
        return {}

    def set_flag(self, flag: str, result: bool) -> None:
        pass

    def set_status(self, value: str) -> None:
        pass

    def set_http_status(self, http_status: int) -> None:
        pass

    def set_measurement(self, name: str, value: float, unit: str = "") -> None:
        pass

    def set_thread(self, thread_id: Optional[int], thread_name: Optional[str]) -> None:
        pass

    def is_success(self) -> bool:
        return True

    def finish(self, scope: Any = None, end_timestamp: Any = None, *, hub: Any = None) -> None:
        return None

    def to_traceparent(self) -> str:
        return self._txn.to_traceparent()

    def to_baggage(self) -> Optional[Baggage]:
        return self._txn.get_baggage()

    def iter_headers(self) -> Iterator[Tuple[str, str]]:
        return self._txn.iter_headers()

    def to_json(self) -> Dict[str, Any]:
        return {}

    def get_trace_context(self) -> Dict[str, Any]:
        return self._txn.get_trace_context()

    def get_profile_context(self) -> Optional[Dict[str, Any]]:
        return None
