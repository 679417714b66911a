"""A request's transaction: finishing it, its HTTP status, its route name, and the
``<meta>`` tags that carry the trace into server-rendered pages.
"""

from __future__ import annotations

import logging
from typing import Any, Optional

from sentry_lite.integration_api import Scope, StreamedSpanView
from sentry_lite.integrations.web.request_state import current_request
from sentry_lite.types import Event

__all__ = [
    "event_needs_name",
    "finish_request_transaction",
    "name_before_view",
    "name_transaction",
    "set_http_status",
    "trace_meta",
]

logger = logging.getLogger("sentry_lite")


def finish_request_transaction(transaction: Any, exc_info: Any = (None, None, None)) -> None:
    try:
        transaction.__exit__(*exc_info)
    except Exception:
        logger.debug("sentry_lite: could not finish the request transaction", exc_info=True)


def set_http_status(transaction: Any, status: int) -> None:
    try:
        transaction.set_http_status(status)
    except Exception:
        logger.debug("sentry_lite: could not set the http status", exc_info=True)


def name_transaction(transaction: Any, generic: str, name: Optional[str], source: str) -> None:
    """Give the request's transaction its route name unless the app renamed it meanwhile."""
    if transaction is None or not name:
        return
    try:
        if transaction.name != generic:
            return
        transaction.name = name
        transaction.source = source
    except Exception:
        logger.debug("sentry_lite: could not name the transaction", exc_info=True)


def name_before_view(routed: Any, route: Optional[str] = None) -> None:
    """Name the request's transaction as soon as the framework has routed it.

    ``routed``: what the framework's config reads the route from (an environ, an ASGI
    scope); ``route``: the matched rule, set as ``http.route`` on a streamed segment.
    Before the view runs, as sentry_sdk does: what the view sends (baggage on outgoing
    calls, the DSC that downstream sampling reads, ``scope.transaction.name``) must
    carry the route's name, not the generic one the request started with.
    """
    state = current_request.get()
    if state is None:
        return
    transaction = getattr(state, "transaction", None)
    if transaction is None:
        return
    try:
        config = state.config
        named = config.name(routed)
        if named is not None:
            name_transaction(transaction, config.generic_name, *named)
        if route is not None and isinstance(transaction, StreamedSpanView):
            transaction.set_data("http.route", route)
    except Exception:  # noqa: BLE001 - naming must never fail the request
        logger.debug("sentry_lite: could not name the transaction", exc_info=True)


def event_needs_name(event: Event, generic: str) -> bool:
    """Name an event after the route unless the app (or a span) already named it."""
    name = event.get("transaction")
    return name is None or name == generic


def trace_meta() -> str:
    """``<meta>`` tags carrying the current trace, for server-rendered pages."""
    try:
        scope = Scope.get_current_scope()
        parts = []
        traceparent = scope.get_traceparent()
        if traceparent:
            parts.append(f'<meta name="sentry-trace" content="{_attr(traceparent)}">')
        baggage = scope.get_baggage()
        serialized = baggage.serialize() if baggage is not None else None
        if serialized:
            parts.append(f'<meta name="baggage" content="{_attr(serialized)}">')
        return "".join(parts)
    except Exception:
        return ""


def _attr(value: str) -> str:
    return (
        str(value)
        .replace("&", "&amp;")
        .replace('"', "&quot;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
    )
