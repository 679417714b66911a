"""``sentry_lite.traces``: the span streaming API (``init(trace_lifecycle="stream")``).

Spans are sent as they end, in batches, with typed attributes; there are no
transactions. Not to be mixed with ``start_transaction``/``start_span`` of the
transaction-based API, which warn and do nothing in streaming mode (and this API does
the same the other way round).
"""

from __future__ import annotations

import functools
import warnings
from typing import Any, Callable, Dict, Optional, TypeVar, Union, overload

from sentry_lite.scope.model import Scope
from sentry_lite.scope.streaming import DEFAULT_PARENT_SPAN
from sentry_lite.tracing.decorator import qualname_from_function
from sentry_lite.tracing.propagation import BAGGAGE_HEADER_NAME, SENTRY_TRACE_HEADER_NAME
from sentry_lite.tracing.streamed import (
    LOW_QUALITY_SEGMENT_SOURCES,
    SOURCE_FOR_STYLE,
    SegmentNameSource,
    SpanStatus,
    StreamedSpan,
)
from sentry_lite.tracing.streamed_noop import NoOpStreamedSpan

__all__ = [
    "BAGGAGE_HEADER_NAME",
    "LOW_QUALITY_SEGMENT_SOURCES",
    "SENTRY_TRACE_HEADER_NAME",
    "SOURCE_FOR_STYLE",
    "NoOpStreamedSpan",
    "SegmentNameSource",
    "SpanStatus",
    "StreamedSpan",
    "continue_trace",
    "get_current_span",
    "new_trace",
    "start_span",
    "trace",
]

F = TypeVar("F", bound=Callable[..., Any])

_WRONG_MODE = (
    "Using span streaming API in non-span-streaming mode. Use "
    "sentry_sdk.start_transaction() and sentry_sdk.start_span() instead."
)


def start_span(
    name: str,
    attributes: Optional[Dict[str, Any]] = None,
    parent_span: Optional[StreamedSpan] = DEFAULT_PARENT_SPAN,
    active: bool = True,
) -> StreamedSpan:
    """A span: a child of the active span (or of ``parent_span``), else a new segment
    (``parent_span=None`` forces one). End it with ``end()`` or a ``with`` block.
    ``active=False`` keeps it from becoming the parent of spans started meanwhile."""
    scope = Scope.get_current_scope()
    client = scope.get_client()
    if client.is_active() and not client.span_streaming:
        warnings.warn(_WRONG_MODE, stacklevel=2)
        return NoOpStreamedSpan()
    return scope.start_streamed_span(name, attributes, parent_span, active, client)


def continue_trace(incoming: Dict[str, Any]) -> None:
    """Make the next segment continue the trace of ``incoming`` headers (or environ).
    Starts no span."""
    Scope.get_isolation_scope().generate_propagation_context(incoming)
    Scope.get_current_scope().generate_propagation_context(incoming)


def new_trace() -> None:
    """Make the next segment start a trace of its own. Starts no span."""
    Scope.get_isolation_scope().set_new_propagation_context()
    Scope.get_current_scope().set_new_propagation_context()


def get_current_span(scope: Optional[Scope] = None) -> Optional[StreamedSpan]:
    """The active streamed span, or None (always None outside streaming mode)."""
    return (scope or Scope.get_current_scope()).streamed_span


def _decorator(
    name: Optional[str], attributes: Optional[Dict[str, Any]], active: bool
) -> Callable[[F], F]:
    span_attributes = dict(attributes) if attributes else {}
    span_attributes.setdefault("sentry.op", "function")

    def check_mode() -> None:
        client = Scope.get_client()
        if client.is_active() and not client.span_streaming:
            warnings.warn(
                "Using span streaming API in non-span-streaming mode. Use "
                "@sentry_sdk.trace instead.",
                stacklevel=3,
            )

    def decorate(func: F) -> F:
        import inspect  # at decoration, not at ``import sentry_lite`` (6 ms)

        span_name = name or qualname_from_function(func) or ""
        wrapper: Any
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def wrapper(*args: Any, **kwargs: Any) -> Any:
                check_mode()
                with start_span(name=span_name, attributes=span_attributes, active=active):
                    return await func(*args, **kwargs)

        else:

            @functools.wraps(func)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                check_mode()
                with start_span(name=span_name, attributes=span_attributes, active=active):
                    return func(*args, **kwargs)

        try:
            wrapper.__signature__ = inspect.signature(func)
        except (TypeError, ValueError):
            pass
        return wrapper  # type: ignore[no-any-return]

    return decorate


@overload
def trace(func: F) -> F: ...


@overload
def trace(
    func: None = None,
    *,
    name: Optional[str] = None,
    attributes: Optional[Dict[str, Any]] = None,
    active: bool = True,
) -> Callable[[F], F]: ...


def trace(
    func: Optional[F] = None,
    *,
    name: Optional[str] = None,
    attributes: Optional[Dict[str, Any]] = None,
    active: bool = True,
) -> Union[F, Callable[[F], F]]:
    """A span around every call of the decorated (sync or async) function; ``@trace``
    or ``@trace(name=..., attributes=..., active=...)``."""
    decorator = _decorator(name, attributes, active)
    return decorator(func) if func is not None else decorator
