"""Reporting an exception that a patched library caught, tagged with how it was caught."""

from __future__ import annotations

from typing import Any, Optional

from sentry_lite.scope import Scope

__all__ = ["capture_caught"]


def capture_caught(exc_info: Any, mechanism_type: str, handled: bool = False) -> Optional[str]:
    """Send ``exc_info`` with ``mechanism={"type": mechanism_type, "handled": handled}``.

    Never raises: the caller goes on to re-raise or to run the app's own handler.
    """
    try:
        client = Scope.get_client()
        if not client.is_active():
            return None
        from sentry_lite.events.exceptions import event_from_exception

        event, hint = event_from_exception(
            exc_info, client.options, {"type": mechanism_type, "handled": handled}
        )
        return Scope.get_current_scope().capture_event(event, hint=hint)
    except Exception:  # noqa: BLE001
        return None
