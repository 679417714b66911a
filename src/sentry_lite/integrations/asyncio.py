"""asyncio: each task runs in its own isolation scope, its errors are captured, and
(with ``task_spans=True``, the default as in sentry_sdk) it becomes a ``function`` span.

Not enabled by default, as in sentry_sdk: pass ``AsyncioIntegration()`` to ``init``.
sentry_sdk patches the task factory of the loop running at ``init``; we wrap coroutines
in ``BaseEventLoop.create_task`` instead, so every loop (later ones, ``asyncio.run`` in
tests) is covered and a user task factory still sees a coroutine. Tasks created before
their loop runs (the ``asyncio.run`` main task) are left alone, as sentry_sdk does.

Why the isolation scope matters for spans: tasks copy the contextvars of their creator,
so without a fork every task would share the creator's current Scope object, and spans
entered concurrently in sibling tasks would overwrite each other's parent.
"""

from __future__ import annotations

import asyncio
import sys
from asyncio import base_events
from typing import Any, Callable, Coroutine, Optional

from sentry_lite.integration_api import (
    Scope,
    active_integration,
    capture_caught,
    isolation_scope,
    start_span,
)
from sentry_lite.integrations import Integration

__all__ = ["AsyncioIntegration", "enable_asyncio_integration"]

ORIGIN = "auto.function.asyncio"


class AsyncioIntegration(Integration):
    identifier = "asyncio"
    origin = ORIGIN

    def __init__(self, task_spans: bool = True) -> None:
        self.task_spans = task_spans

    @staticmethod
    def setup_once() -> None:
        original = base_events.BaseEventLoop.create_task
        if getattr(original, "_sentry_lite_wrapped", False):
            return
        base_events.BaseEventLoop.create_task = _wrap_create_task(original)  # type: ignore[method-assign]


def enable_asyncio_integration(*args: Any, **kwargs: Any) -> None:
    """sentry_sdk's helper: turn the integration on after ``init`` (e.g. inside the loop)."""
    client = Scope.get_client()
    if not client.is_active():
        return
    integration = AsyncioIntegration(*args, **kwargs)
    AsyncioIntegration.setup_once()
    client.integrations.setdefault(AsyncioIntegration.identifier, integration)


def _name(coro: Any) -> str:
    return (
        getattr(coro, "__qualname__", None)
        or getattr(coro, "__name__", None)
        or "coroutine without __name__"
    )


def _wrap_create_task(original: Callable[..., Any]) -> Callable[..., Any]:
    def create_task(self: base_events.BaseEventLoop, coro: Any, *args: Any, **kwargs: Any) -> Any:
        if (
            self.is_running()
            and asyncio.iscoroutine(coro)
            and active_integration(AsyncioIntegration.identifier) is not None
        ):
            try:
                coro = _instrumented(coro)
            except Exception:
                pass
        return original(self, coro, *args, **kwargs)

    create_task._sentry_lite_wrapped = True  # type: ignore[attr-defined]
    return create_task


def _instrumented(coro: Coroutine[Any, Any, Any]) -> Coroutine[Any, Any, Any]:
    async def sentry_lite_task() -> Any:
        integration = active_integration(AsyncioIntegration.identifier)
        with isolation_scope():
            span: Optional[Any] = None
            if integration is not None and getattr(integration, "task_spans", False):
                try:
                    span = start_span(op="function", name=_name(coro), origin=ORIGIN)
                    span.__enter__()
                except Exception:
                    span = None
            try:
                return await coro
            except StopAsyncIteration as exc:
                raise exc from None
            except Exception:
                exc_info = sys.exc_info()
                _capture(exc_info)
                if span is not None:
                    span.__exit__(*exc_info)
                    span = None
                raise
            finally:
                if span is not None:
                    span.__exit__(None, None, None)

    # Only __name__ and __qualname__ are carried over to the coroutine in CPython.
    wrapper: Any = sentry_lite_task()
    try:
        wrapper.__name__ = getattr(coro, "__name__", wrapper.__name__)
        wrapper.__qualname__ = getattr(coro, "__qualname__", wrapper.__qualname__)
    except Exception:
        pass
    return wrapper  # type: ignore[no-any-return]


def _capture(exc_info: Any) -> None:
    if active_integration(AsyncioIntegration.identifier) is not None:
        capture_caught(exc_info, "asyncio")
