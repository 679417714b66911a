"""Threads: exceptions escaping ``Thread.run`` are captured, and scopes follow the work.

With ``propagate_scope=True`` (the default, as in sentry_sdk) a thread started by the app
runs on forks of the starting thread's isolation and current scopes, so its events carry
the request's tags and user, and its spans nest under the span active at ``start()``.
``ThreadPoolExecutor.submit`` does the same for pool work.
"""

from __future__ import annotations

import sys
from concurrent.futures import Future, ThreadPoolExecutor
from functools import wraps
from threading import Thread, current_thread
from typing import Any, Callable, Optional, Tuple, TypeVar

from sentry_lite.integration_api import (
    Scope,
    active_integration,
    capture_caught,
    use_isolation_scope,
    use_scope,
)
from sentry_lite.integrations import Integration

__all__ = ["ThreadingIntegration"]

T = TypeVar("T")
Scopes = Optional[Tuple[Scope, Scope]]


class ThreadingIntegration(Integration):
    identifier = "threading"

    def __init__(self, propagate_hub: Optional[bool] = None, propagate_scope: bool = True) -> None:
        self.propagate_scope = propagate_scope if propagate_hub is None else bool(propagate_hub)

    @staticmethod
    def setup_once() -> None:
        Thread.start = _wrap_start(Thread.start)  # type: ignore[method-assign]
        ThreadPoolExecutor.submit = _wrap_submit(ThreadPoolExecutor.submit)  # type: ignore[method-assign]


def _forked_scopes(integration: Any) -> Scopes:
    if not getattr(integration, "propagate_scope", True):
        return None
    return Scope.get_isolation_scope().fork(), Scope.get_current_scope().fork()


def _wrap_start(original: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(original)
    def sentry_lite_start(self: Thread, *args: Any, **kwargs: Any) -> Any:
        integration = active_integration(ThreadingIntegration.identifier)
        if integration is not None:
            try:
                scopes = _forked_scopes(integration)
                # Store the unbound run: binding self here would make a reference cycle.
                run = getattr(self.run, "__func__", None)
                if run is not None:
                    self.run = _wrap_run(scopes, run)  # type: ignore[method-assign]
                else:
                    self.run = _wrap_bound_run(scopes, self.run)  # type: ignore[method-assign]
            except Exception:  # starting the thread matters more
                pass
        return original(self, *args, **kwargs)

    return sentry_lite_start


def _wrap_run(scopes: Scopes, run: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(run)
    def sentry_lite_run(*args: Any, **kwargs: Any) -> Any:
        return _in_scopes(scopes, run, (current_thread(), *args), kwargs)

    return sentry_lite_run


def _wrap_bound_run(scopes: Scopes, run: Callable[..., Any]) -> Callable[..., Any]:
    def sentry_lite_run(*args: Any, **kwargs: Any) -> Any:
        return _in_scopes(scopes, run, args, kwargs)

    return sentry_lite_run


def _in_scopes(scopes: Scopes, func: Callable[..., Any], args: Tuple[Any, ...], kwargs: Any) -> Any:
    if scopes is None:
        return _call_capturing(func, args, kwargs)
    isolation, current = scopes
    with use_isolation_scope(isolation), use_scope(current):
        return _call_capturing(func, args, kwargs)


def _call_capturing(func: Callable[..., Any], args: Tuple[Any, ...], kwargs: Any) -> Any:
    try:
        return func(*args, **kwargs)
    except Exception:
        _capture(sys.exc_info())
        raise


def _capture(exc_info: Any) -> None:
    if active_integration(ThreadingIntegration.identifier) is not None:
        capture_caught(exc_info, "threading")


def _wrap_submit(original: Callable[..., Future[Any]]) -> Callable[..., Future[Any]]:
    @wraps(original)
    def sentry_lite_submit(
        self: ThreadPoolExecutor, fn: Callable[..., T], /, *args: Any, **kwargs: Any
    ) -> Future[T]:
        integration = active_integration(ThreadingIntegration.identifier)
        if integration is None:
            return original(self, fn, *args, **kwargs)
        try:
            scopes = _forked_scopes(integration)
        except Exception:
            return original(self, fn, *args, **kwargs)
        if scopes is None:
            return original(self, fn, *args, **kwargs)

        def in_scopes(*a: Any, **k: Any) -> T:
            isolation, current = scopes
            with use_isolation_scope(isolation), use_scope(current):
                return fn(*a, **k)

        return original(self, in_scopes, *args, **kwargs)

    return sentry_lite_submit
