"""``@trace``: a child span around each call of a sync or async function.

Outside a span the function runs untouched (no transaction is started), as in sentry_sdk.
"""

from __future__ import annotations

import functools
import sys
from typing import Any, Awaitable, Callable, Dict, Optional, TypeVar, Union, cast, overload

if sys.version_info >= (3, 10):
    from typing import ParamSpec
else:  # typing_extensions serves 3.9; newer Pythons skip its import cost
    from typing_extensions import ParamSpec

from sentry_lite.tracing import host

__all__ = ["qualname_from_function", "trace"]

P = ParamSpec("P")
R = TypeVar("R")

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
    return host.current.current_scope().span


def _streamed(parent: Any) -> bool:
    """A streamed span (``trace_lifecycle="stream"``) has no ``start_child``: there the
    legacy decorator warns and runs the function without a span, as sentry_sdk does."""
    if hasattr(parent, "start_child"):
        return False
    import warnings

    warnings.warn(
        "Use the @sentry_sdk.traces.trace decorator in span streaming mode.",
        DeprecationWarning,
        stacklevel=3,
    )
    return True


def _decorate(
    func: Callable[P, R],
    op: Optional[str],
    name: Optional[str],
    attributes: Optional[Dict[str, Any]],
    template: Any = None,
) -> Callable[P, R]:
    function_name = name or qualname_from_function(func) or ""
    if template is not None:
        from sentry_lite.tracing import span_templates as templates  # AI functions only

        span_op = op or templates.span_op(template)
    else:
        span_op = op or DEFAULT_OP

    def begin(parent: Any, kwargs: Dict[str, Any]) -> Any:
        if template is None:
            span = parent.start_child(op=span_op, name=function_name)
            if attributes:
                span.update_data(attributes)
            return span
        span = parent.start_child(
            op=span_op, name=templates.span_name(template, function_name, kwargs)
        )
        if attributes:
            span.update_data(attributes)
        return span

    def inputs(span: Any, args: Any, kwargs: Dict[str, Any]) -> None:
        if template is not None:
            options = host.current.client().options
            span.update_data(
                templates.input_data(template, options, function_name, func, args, kwargs)
            )

    def outputs(span: Any, result: Any) -> None:
        if template is not None:
            options = host.current.client().options
            span.update_data(templates.output_data(template, options, result))

    import inspect  # here, not at import: it costs ~5 ms of start-up

    if inspect.iscoroutinefunction(func):
        coroutine_function = cast(Callable[..., Awaitable[Any]], func)

        @functools.wraps(func)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            parent = _current_span()
            if parent is None or _streamed(parent):
                return await coroutine_function(*args, **kwargs)
            with begin(parent, kwargs) as span:
                inputs(span, args, kwargs)
                result = await coroutine_function(*args, **kwargs)
                outputs(span, result)
                return result

        _keep_signature(async_wrapper, func, inspect)
        return cast(Callable[P, R], async_wrapper)

    @functools.wraps(func)
    def sync_wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        parent = _current_span()
        if parent is None or _streamed(parent):
            return func(*args, **kwargs)
        with begin(parent, kwargs) as span:
            inputs(span, args, kwargs)
            result = func(*args, **kwargs)
            outputs(span, result)
            return result

    _keep_signature(sync_wrapper, func, inspect)
    return sync_wrapper


def _keep_signature(wrapper: Any, func: Any, inspect: Any) -> None:
    """``inspect.getcallargs`` and other readers that do not follow ``__wrapped__`` see
    the function's own parameters, not ``(*args, **kwargs)``."""
    try:
        wrapper.__signature__ = inspect.signature(func)
    except (TypeError, ValueError):
        pass


@overload
def trace(func: Callable[P, R]) -> Callable[P, R]: ...


@overload
def trace(
    func: None = None,
    *,
    op: Optional[str] = None,
    name: Optional[str] = None,
    attributes: Optional[Dict[str, Any]] = None,
    template: Any = None,
) -> Callable[[Callable[P, R]], Callable[P, R]]: ...


def trace(
    func: Optional[Callable[P, R]] = None,
    *,
    op: Optional[str] = None,
    name: Optional[str] = None,
    attributes: Optional[Dict[str, Any]] = None,
    template: Any = None,
) -> Union[Callable[P, R], Callable[[Callable[P, R]], Callable[P, R]]]:
    """Use as ``@trace`` or ``@trace(op=..., name=..., attributes={...})``.

    The decorated function keeps its signature for type checkers (``ParamSpec``).
    """
    if func is not None:
        return _decorate(func, op, name, attributes, template)

    def decorator(f: Callable[P, R]) -> Callable[P, R]:
        return _decorate(f, op, name, attributes, template)

    return decorator


def instrument_functions(functions_to_trace: Any, decorator: Any = None) -> None:
    """Wrap each ``{"qualified_name": "pkg.mod.func" | "pkg.mod.Class.method"}`` with
    ``decorator`` (``@trace``, or ``traces.trace`` in streaming mode): the
    ``functions_to_trace`` option. Unknown names are logged and skipped."""
    wrap = decorator or trace
    import importlib
    import logging

    logger = logging.getLogger("sentry_lite")
    for entry in functions_to_trace or ():
        qualified = entry.get("qualified_name", "") if isinstance(entry, dict) else ""
        if "." not in qualified:
            logger.warning("sentry_lite: cannot trace %r: give module.function", qualified)
            continue
        module_name, attr = qualified.rsplit(".", 1)
        try:
            try:
                module = importlib.import_module(module_name)
                setattr(module, attr, wrap(getattr(module, attr)))
            except ModuleNotFoundError:
                module_name, class_name = module_name.rsplit(".", 1)
                owner = getattr(importlib.import_module(module_name), class_name)
                raw = owner.__dict__[attr]
                wrapped: Any = wrap(getattr(owner, attr))
                if isinstance(raw, (staticmethod, classmethod)):
                    # getattr already bound a classmethod; keep it bound that way.
                    wrapped = staticmethod(wrapped)
                setattr(owner, attr, wrapped)
        except Exception:
            logger.warning("sentry_lite: cannot trace %r", qualified, exc_info=True)
