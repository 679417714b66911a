"""Spans that record nothing: ``NoOpSpan`` (another instrumenter, tracing off) and
``UnsampledSpan`` (a child of an unsampled transaction).

Both are ``Span`` subclasses, so ``span: Span = start_span(...)`` type-checks whatever
the sampling decision was.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Iterator, Optional, Tuple, Union

from sentry_lite.tracing.baggage import Baggage
from sentry_lite.tracing.host import SpanScope
from sentry_lite.tracing.span import Span

if TYPE_CHECKING:
    from datetime import datetime

__all__ = ["NoOpSpan", "UnsampledSpan"]


class NoOpSpan(Span):
    """Returned where sentry_sdk returns one (e.g. another ``instrumenter``): records nothing."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<NoOpSpan>"

    @property
    def containing_transaction(self) -> Any:
        return None

    def start_child(
        self,
        instrumenter: str = "sentry",
        op: Optional[str] = None,
        name: Optional[str] = None,
        description: Optional[str] = None,
        origin: str = "manual",
        scope: Optional[SpanScope] = None,
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
        scope: Optional[SpanScope] = None,
        end_timestamp: Optional[Union[datetime, float]] = None,
        *,
        hub: Any = None,
    ) -> Optional[str]:
        return None


class UnsampledSpan(Span):
    """A child of an unsampled transaction: costs one small object and records nothing.

    sentry_sdk builds a full Span here (ids, datetimes, thread data) only to drop it. This
    stand-in answers the span API from its transaction; entering it does not change the
    scope's span, so trace headers inside it carry the transaction's ``-0`` decision.
    Writes to its fields are ignored.
    """

    __slots__ = ("_txn",)

    sampled = False
    op: Optional[str] = None
    description: Optional[str] = None
    status: Optional[str] = None
    origin = "manual"
    same_process_as_parent = True

    def __init__(self, transaction: Any) -> None:  # a Transaction; no import: it imports us
        self._txn = transaction

    def __repr__(self) -> str:
        return "<UnsampledSpan>"

    def __enter__(self) -> UnsampledSpan:
        return self

    def __exit__(self, ty: Any, value: Any, tb: Any) -> None:
        pass

    @property
    def trace_id(self) -> str:
        return str(self._txn.trace_id)

    @trace_id.setter
    def trace_id(self, value: str) -> None:
        pass

    @property
    def span_id(self) -> str:
        return str(self._txn.span_id)

    @span_id.setter
    def span_id(self, value: str) -> None:
        pass

    @property
    def parent_span_id(self) -> Optional[str]:
        return str(self._txn.span_id)

    @parent_span_id.setter
    def parent_span_id(self, value: Optional[str]) -> None:
        pass

    @property
    def name(self) -> Optional[str]:
        return None

    @name.setter
    def name(self, value: Optional[str]) -> None:
        pass

    @property
    def containing_transaction(self) -> Any:
        return self._txn

    @property
    def start_timestamp(self) -> datetime:
        value: datetime = self._txn.start_timestamp
        return value

    @start_timestamp.setter
    def start_timestamp(self, value: Union[datetime, float]) -> None:
        pass

    @property
    def timestamp(self) -> Optional[datetime]:
        return None

    @timestamp.setter
    def timestamp(self, value: Optional[Union[datetime, float]]) -> None:
        pass

    def start_child(
        self,
        instrumenter: str = "sentry",
        op: Optional[str] = None,
        name: Optional[str] = None,
        description: Optional[str] = None,
        origin: str = "manual",
        scope: Optional[SpanScope] = None,
        **kwargs: Any,
    ) -> UnsampledSpan:
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

    def finish(
        self,
        scope: Optional[SpanScope] = None,
        end_timestamp: Optional[Union[datetime, float]] = None,
        *,
        hub: Any = None,
    ) -> Optional[str]:
        return None

    def to_traceparent(self) -> str:
        return str(self._txn.to_traceparent())

    def to_baggage(self) -> Optional[Baggage]:
        baggage: Optional[Baggage] = self._txn.get_baggage()
        return baggage

    def iter_headers(self) -> Iterator[Tuple[str, str]]:
        headers: Iterator[Tuple[str, str]] = self._txn.iter_headers()
        return headers

    def to_json(self) -> Dict[str, Any]:
        return {}

    def get_trace_context(self) -> Dict[str, Any]:
        context: Dict[str, Any] = self._txn.get_trace_context()
        return context

    def get_profile_context(self) -> Optional[Dict[str, Any]]:
        return None
