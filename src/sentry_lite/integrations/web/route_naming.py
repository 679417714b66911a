"""Starlette and FastAPI: name the request's transaction when the router hands the
request to its endpoint, before the endpoint runs (as sentry_sdk does).

Until then the transaction carries the generic name it started with; without this, an
outgoing call from the endpoint would propagate that generic name in its baggage, and
downstream services would sample by it. Endpoints are wrapped once, as the framework's
``request_response`` builds each route's app; a route built before ``init`` keeps the
name it gets when the request ends.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, Callable

from sentry_lite.integrations.web.transactions import name_before_view

__all__ = ["patch_route_naming"]


def _named(app: Callable[..., Any]) -> Callable[..., Any]:
    # Not a coroutine of its own: it returns the endpoint's, which the router awaits,
    # so a request pays one call here and no extra coroutine frame.
    def sentry_lite_routed_endpoint(scope: Any, receive: Any, send: Any) -> Any:
        name_before_view(scope)  # the router has put the route into the scope
        return app(scope, receive, send)

    return sentry_lite_routed_endpoint


def patch_route_naming(routing: ModuleType) -> None:
    """Wrap what ``routing.request_response`` returns (once per module)."""
    original = getattr(routing, "request_response", None)
    if original is None or getattr(original, "_sentry_lite_named", False):
        return

    def sentry_lite_request_response(*args: Any, **kwargs: Any) -> Any:
        return _named(original(*args, **kwargs))

    sentry_lite_request_response._sentry_lite_named = True  # type: ignore[attr-defined]
    routing.request_response = sentry_lite_request_response  # type: ignore[attr-defined]
