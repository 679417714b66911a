"""An error event marks the running session: errored, or crashed when it was unhandled.

The session lives on a scope (``start_session``; the web integrations start one per
request); the client finds it on the scopes the event was captured with.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sentry_lite.types import Event

__all__ = ["session_of", "update_session_from_event"]


def session_of(scope: Any) -> Any:
    """The session of the innermost scope layer that has one, else None."""
    layers = getattr(scope, "layers", None)
    if layers is None:
        return getattr(scope, "_session", None)
    for layer in reversed(layers):
        session = getattr(layer, "_session", None)
        if session is not None:
            return session
    return None


def update_session_from_event(scope: Any, event: Event) -> None:
    session = session_of(scope)
    if session is None:
        return
    exceptions = (event.get("exception") or {}).get("values")
    if not exceptions:
        return
    crashed = False
    for error in exceptions:
        mechanism = error.get("mechanism") if isinstance(error, Mapping) else None
        if isinstance(mechanism, Mapping) and mechanism.get("handled") is False:
            crashed = True
            break
    user = event.get("user")
    if user and isinstance(user, dict) and session.did is None:
        session.update(user=user)
    if session.user_agent is None:
        headers = (event.get("request") or {}).get("headers")
        if isinstance(headers, dict):
            for key, value in headers.items():
                if str(key).lower() == "user-agent":
                    session.user_agent = value
                    break
    session.mark_error(crashed)
