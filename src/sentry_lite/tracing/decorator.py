"""``@trace``: a child span around each call of a sync or async function.

Outside a span the function runs untouched (no transaction is started), as in sentry_sdk.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, Dict, Optional, TypeVar, Union

__all__ = ["qualname_from_function", "trace"]

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_OP = "function"


def qualname_from_function(func: Callable[..., Any]) -> Optional[str]:
    """``module.Qualified.name`` of a function (partials are unwrapped)."""
    prefix = suffix = ""
    if isinstance(func, functools.partial) and hasattr(func.func, "__name__"):
        prefix, suffix = "partial(<function ", ">)"
        func = func.func
    found = getattr(func, "__qualname__", None) or getattr(func, "__name__", None)
    if found is None:
        return None
    name = str(found)
    module = getattr(func, "__module__", None)
    if isinstance(module, str):
        name = module + "." + name
    return prefix + name + suffix


def _current_span() -> Any:
    from sentry_lite.scope import Scope

    return Scope.get_current_scope().span


def _decorate(
    func: F, op: Optional[str], name: Optional[str], attributes: Optional[Dict[str, Any]]
) -> F:
    span_op = op or DEFAULT_OP
    span_name = name or qualname_from_function(func) or ""

    if inspect.iscoroutinefunction(func):

        @functools.wraps(func)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            parent = _current_span()
            if parent is None:
                return await func(*args, **kwargs)
            with parent.start_child(op=span_op, name=span_name) as span:
                if attributes:
                    span.update_data(attributes)
                return await func(*args, **kwargs)

        return async_wrapper  # type: ignore[return-value]

    @functools.wraps(func)
    def sync_wrapper(*args: Any, **kwargs: Any) -> Any:
        parent = _current_span()
        if parent is None:
            return func(*args, **kwargs)
        with parent.start_child(op=span_op, name=span_name) as span:
            if attributes:
                span.update_data(attributes)
            return func(*args, **kwargs)

    return sync_wrapper  # type: ignore[return-value]


def trace(
    func: Optional[F] = None,
    *,
    op: Optional[str] = None,
    name: Optional[str] = None,
    attributes: Optional[Dict[str, Any]] = None,
    template: Any = None,
) -> Union[F, Callable[[F], F]]:
    """Use as ``@trace`` or ``@trace(op=..., name=..., attributes={...})``."""
    if func is not None:
        return _decorate(func, op, name, attributes)

    def decorator(f: F) -> F:
        return _decorate(f, op, name, attributes)

    return decorator
