"""What a log or metric takes from the active scopes at the moment it is recorded.

The trace id (the active span's, else the propagation context's), the active span's id,
the scopes' attributes (global < isolation < current, as sentry_sdk merges them) and, with
``send_default_pii``, the user. Read straight from the contextvars: no merged copy of the
scopes is made, which is most of what sentry_sdk spends per log.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

from sentry_lite.scope.model import Scope, current_scope_var, global_scope, isolation_scope_var
from sentry_lite.tracing.noop import NoOpSpan

__all__ = ["apply_scopes_to_telemetry"]

_USER_ATTRIBUTES = (
    ("user.id", "id"),
    ("user.name", "username"),
    ("user.email", "email"),
    ("user.ip_address", "ip_address"),
)


def _layers() -> Tuple[Scope, ...]:
    isolation = isolation_scope_var.get()
    if isolation is None:
        isolation = Scope.get_isolation_scope()
    current = current_scope_var.get()
    if current is None:
        return (global_scope, isolation)
    return (global_scope, isolation, current)


def apply_scopes_to_telemetry(record: Dict[str, Any], send_pii: bool) -> None:
    """Fill ``trace_id``/``span_id`` and add scope and user attributes not already set."""
    layers = _layers()
    span: Any = None
    for layer in reversed(layers):
        if layer._span is not None:
            span = layer._span
            break
    if span is not None and not isinstance(span, NoOpSpan):
        if record.get("trace_id") is None:
            record["trace_id"] = span.trace_id
        if record.get("span_id") is None:
            record["span_id"] = span.span_id
    elif record.get("trace_id") is None:
        context = None
        for layer in reversed(layers):
            if layer._propagation_context is not None:
                context = layer._propagation_context
                break
        if context is None:
            context = layers[1].get_propagation_context()
        record["trace_id"] = context.trace_id
    attributes = record["attributes"]
    scope_attributes: Optional[Dict[str, Any]] = None
    for layer in layers:
        # Scope attributes are set with ``scope.set_attribute`` (branch i14).
        values = getattr(layer, "_attributes", None)
        if values:
            if scope_attributes is None:
                scope_attributes = {}
            scope_attributes.update(values)
    if scope_attributes:
        for key, value in scope_attributes.items():
            if key not in attributes:
                attributes[key] = value
    if send_pii:
        user = None
        for layer in reversed(layers):
            if layer._user is not None:
                user = layer._user
                break
        if isinstance(user, dict):
            for attribute, field in _USER_ATTRIBUTES:
                value = user.get(field)
                if value is not None and attribute not in attributes:
                    attributes[attribute] = value
