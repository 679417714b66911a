"""Safe, bounded conversion of arbitrary Python data into strict-JSON event data.

STUB: interface only; to be implemented.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional

from sentry_lite.consts import MAX_EVENT_BYTES

__all__ = ["safe_repr", "serialize_event", "serialize_value"]


def safe_repr(value: object) -> str:
    """repr() that never raises and never returns more than a bounded string."""
    try:
        return repr(value)[:1024]
    except Exception:
        return "<broken repr>"


def serialize_value(
    value: Any,
    *,
    is_vars: bool = False,
    max_value_length: Optional[int] = None,
    custom_repr: Optional[Callable[[object], Optional[str]]] = None,
) -> Any:
    """Snapshot ``value`` as JSON-safe data with databag depth/breadth limits.

    Used on the app thread for frame locals (``is_vars=True``), where values must be
    captured before the program changes them.
    """
    return safe_repr(value) if not isinstance(value, (str, int, float, bool, type(None))) else value


def serialize_event(
    event: Dict[str, Any],
    *,
    max_value_length: Optional[int] = None,
    max_request_body_size: str = "medium",
    custom_repr: Optional[Callable[[object], Optional[str]]] = None,
    size_budget: int = MAX_EVENT_BYTES,
) -> Dict[str, Any]:
    """Return a strict-JSON-safe copy of ``event`` within ``size_budget`` bytes, with _meta."""
    return event
