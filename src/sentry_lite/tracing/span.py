"""Span: a timed operation inside a trace, with sentry_sdk 2.x's API and wire format.

Cost is the point of this module. A span keeps float seconds, not datetimes: the root
takes one ``(time.time(), perf_counter())`` anchor and every span of its tree derives its
wall time from ``perf_counter`` (monotonic inside the tree, one clock call per edge).
Timestamps are formatted once, when the transaction is serialised.

A span never looks up scopes or clients itself: ``with span:`` asks the installed
tracing host for the current scope (see ``tracing/host.py``), and the transaction it
belongs to (``transaction.py``) records it and reports it when finished.
"""

from __future__ import annotations

import time
import warnings
from typing import Any, Callable, Dict, Iterator, Optional, Tuple, Union

from sentry_lite import shortcuts
from sentry_lite.lean_stdlib import datetime, timezone
from sentry_lite.limits import MAX_CACHED_THREAD_IDENTS
from sentry_lite.sdk_loggers import logger
from sentry_lite.timestamps import format_timestamp
from sentry_lite.tracing import host
from sentry_lite.tracing.baggage import Baggage
from sentry_lite.tracing.host import SpanScope
from sentry_lite.tracing.ids import new_span_id, new_trace_id
from sentry_lite.tracing.propagation import BAGGAGE_HEADER_NAME, SENTRY_TRACE_HEADER_NAME
from sentry_lite.tracing.status import SPANSTATUS, get_span_status_from_http_code

__all__ = ["Span", "format_timestamp", "load_threading", "make_child"]


_perf_counter = time.perf_counter
_time = time.time


def load_threading() -> None:
    """Bind ``threading.current_thread`` for new spans (``init`` calls this; before it,
    the first span does). ``threading`` is not loaded at ``import sentry_lite``."""
    global _current_thread
    import threading  # buys import time: loads at init or at the first span

    _current_thread = threading.current_thread


def _first_current_thread() -> Any:
    load_threading()
    return _current_thread()


_current_thread: Callable[[], Any] = _first_current_thread

_ident_text: Dict[Optional[int], str] = {}
"""str(thread ident) per thread, so spans do not format it again and again."""


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


_new_object = object.__new__


def make_child(
    parent: Span,
    txn: Any,
    op: Optional[str],
    description: Optional[str],
    origin: str,
    scope: Optional[SpanScope],
) -> Span:
    """``Span(...)`` as ``start_child`` makes it, without ``__init__``'s keyword handling:
    the hot path of tracing. Must set every slot ``__init__`` sets (a test checks it, and
    ``shortcuts.disabled()`` runs the general path instead)."""
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
        containing_transaction: Any = None,
        start_timestamp: Optional[Union[datetime, float]] = None,
        scope: Optional[SpanScope] = None,
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
    def containing_transaction(self) -> Any:
        """The transaction this span belongs to (a ``Transaction``), or None."""
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
        scope = self.scope or host.current.current_scope()
        # A plain span needs none of the Scope.span setter's transaction naming.
        self._cm_state = (scope, scope.swap_span(self))
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
                self._add_conversation_id(scope)
            else:
                self.finish(scope)
            # Direct: the setter's naming already happened when old_span was entered.
            scope.swap_span(old_span)
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
        scope: Optional[SpanScope] = None,
        **kwargs: Any,
    ) -> Span:
        """A child span sharing this span's trace and transaction.

        Children of an unsampled transaction are made by the transaction (a stand-in that
        records nothing).
        """
        if description is not None:
            warnings.warn(
                "The `description` parameter is deprecated. Please use `name` instead.",
                DeprecationWarning,
                stacklevel=2,
            )
        txn = self._containing_transaction
        if not kwargs and shortcuts.enabled:
            if self.sampled is False and txn is not None:
                return txn.start_child(op=op, name=name, description=description)  # type: ignore[no-any-return]
            child = make_child(self, txn, op, name or description, origin, scope)
            if txn is not None:
                txn.record(child)
            return child
        sampled = kwargs.pop("sampled", self.sampled)
        if sampled is False and txn is not None:
            return txn.start_child(op=op, name=name, description=description)  # type: ignore[no-any-return]
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
            txn.record(child)
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
        scope: Optional[SpanScope] = None,
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
        self._add_conversation_id(scope)
        return None

    def _add_conversation_id(self, scope: Optional[SpanScope]) -> None:
        """AI spans carry the scope's conversation id (looked up only for them)."""
        op = self.op
        data = self._data
        if not (
            (op is not None and op.startswith(("ai.", "gen_ai.")))
            or (data is not None and "gen_ai.operation.name" in data)
        ):
            return
        if scope is None:
            scope = host.current.current_scope()
        conversation_id = getattr(scope, "_gen_ai_conversation_id", None)
        if conversation_id:
            self.set_data("gen_ai.conversation.id", conversation_id)

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
