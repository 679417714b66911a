"""A sync Starlette/FastAPI endpoint or Quart view runs on a worker thread, and the
request's segment (``thread.id``/``thread.name``) or transaction (its trace context's
thread) says so, as sentry_sdk's. Only sync
endpoints are wrapped, once when the route is built; the wrapper does one context
variable lookup per call.
"""

from __future__ import annotations

import functools
import inspect
import threading
from typing import Any, Callable

from sentry_lite.integration_api import StreamedSpanView
from sentry_lite.integrations.web.request_state import current_request

__all__ = ["patch_fastapi_sync_endpoints", "patch_sync_endpoints", "wrap_sync_view"]

_current_thread = threading.current_thread


def _mark_active_thread() -> None:
    state = current_request.get()
    segment = getattr(state, "transaction", None)
    if isinstance(segment, StreamedSpanView):
        thread = _current_thread()
        segment.span.set_attribute("thread.id", str(thread.ident))
        segment.span.set_attribute("thread.name", thread.name)
    elif segment is not None:  # a transaction: its trace context names the thread
        thread = _current_thread()
        segment.set_thread(thread.ident, thread.name)


def _wrap_sync(func: Any) -> Any:
    if getattr(func, "_sentry_lite_sync", False) or inspect.iscoroutinefunction(func):
        return func
    if not inspect.isfunction(func) and not inspect.ismethod(func):
        return func  # a class or callable object: leave what the framework inspects alone

    @functools.wraps(func)
    def sentry_lite_sync_endpoint(*args: Any, **kwargs: Any) -> Any:
        try:
            _mark_active_thread()
        except Exception:  # noqa: BLE001 - never fail the endpoint for an attribute
            pass
        return func(*args, **kwargs)

    sentry_lite_sync_endpoint._sentry_lite_sync = True  # type: ignore[attr-defined]
    return sentry_lite_sync_endpoint


def wrap_sync_view(func: Any) -> Any:
    """``func`` marking the worker thread it runs on, if it is a plain sync function
    (for frameworks that register views one by one, e.g. Quart's ``add_url_rule``)."""
    return _wrap_sync(func)


def patch_sync_endpoints() -> None:
    """Wrap sync endpoints as Starlette (``request_response``) builds its routes."""
    try:
        import starlette.routing as starlette_routing
    except ImportError:  # pragma: no cover
        return
    original: Callable[..., Any] = starlette_routing.request_response

    def sentry_lite_request_response(func: Any) -> Any:
        return original(_wrap_sync(func))

    starlette_routing.request_response = sentry_lite_request_response


def patch_fastapi_sync_endpoints() -> None:
    """FastAPI's twin (``get_request_handler``), from the FastAPI integration only: the
    Starlette one must not import FastAPI (an app that uses Starlette alone would load
    it, and its auto-enabling would re-enter the integration setup: a deadlock)."""
    try:
        import fastapi.routing as fastapi_routing
    except ImportError:  # pragma: no cover
        return
    get_handler: Callable[..., Any] = fastapi_routing.get_request_handler

    def sentry_lite_get_request_handler(*args: Any, **kwargs: Any) -> Any:
        dependant: Any = kwargs.get("dependant")
        call = getattr(dependant, "call", None)
        if call is not None:
            try:
                dependant.call = _wrap_sync(call)
            except Exception:  # noqa: BLE001
                pass
        return get_handler(*args, **kwargs)

    fastapi_routing.get_request_handler = sentry_lite_get_request_handler
