"""Module-level tracing functions (start_transaction, start_span, continue_trace, ...).

STUB: no-op placeholders until tracing lands.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

__all__ = [
    "continue_trace",
    "get_baggage",
    "get_current_span",
    "get_traceparent",
    "set_measurement",
    "start_span",
    "start_transaction",
    "trace",
]


class _NoOpSpan:
    def __enter__(self) -> _NoOpSpan:
        return self

    def __exit__(self, *exc: Any) -> None:
        pass

    def __getattr__(self, name: str) -> Any:
        return lambda *a, **k: self if name == "start_child" else None


def start_transaction(transaction: Any = None, **kwargs: Any) -> Any:
    return _NoOpSpan()


def start_span(**kwargs: Any) -> Any:
    return _NoOpSpan()


def continue_trace(environ_or_headers: Dict[str, Any], **kwargs: Any) -> Any:
    return _NoOpSpan()


def get_traceparent() -> Optional[str]:
    return None


def get_baggage() -> Optional[str]:
    return None


def get_current_span(scope: Any = None) -> Any:
    return None


def set_measurement(name: str, value: float, unit: str = "") -> None:
    pass


def trace(func: Optional[F] = None, **kwargs: Any) -> Any:
    if func is None:
        return lambda f: f
    return func
