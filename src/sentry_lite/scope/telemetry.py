"""What a log or metric takes from the active scopes at the moment it is recorded.

The trace id (the active span's, else the propagation context's), the active span's id,
the isolation and current scopes' attributes (current wins, as in sentry_sdk; the global
scope's are added per batch, see ``Telemetry.use_global_attributes``) and, with
``send_default_pii``, the user. Read straight from the contextvars: no merged copy of the
scopes is made, which is most of what sentry_sdk spends per log.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

from sentry_lite.scope.model import Scope, current_scope_var, global_scope, isolation_scope_var
from sentry_lite.tracing.noop import NoOpSpan

__all__ = ["apply_scopes_to_telemetry", "scope_snapshot"]

_USER_ATTRIBUTES = (
    ("user.id", "id"),
    ("user.name", "username"),
    ("user.email", "email"),
    ("user.ip_address", "ip_address"),
)


def scope_snapshot(send_pii: bool) -> Tuple[Any, Any, Optional[Dict[str, Any]]]:
    """(trace id, span id or None, scope and user attributes or None) of this moment."""
    current = current_scope_var.get()
    isolation = isolation_scope_var.get()
    if isolation is None:
        isolation = Scope.get_isolation_scope()
    span = current._span if current is not None else None
    if span is None:
        span = isolation._span
        if span is None:
            span = global_scope._span
    if span is not None and not isinstance(span, NoOpSpan):
        trace_id, span_id = span.trace_id, span.span_id
    else:
        context = current._propagation_context if current is not None else None
        if context is None:
            context = isolation._propagation_context
            if context is None:
                context = global_scope._propagation_context
                if context is None:
                    context = isolation.get_propagation_context()
        trace_id, span_id = context.trace_id, None
    # ``scope.set_attribute``: isolation < current. The global scope's attributes (the
    # SDK's own on every record) are not copied per record: the batchers add them to
    # each batch (``Telemetry.use_global_attributes``).
    extra: Optional[Dict[str, Any]] = None
    current_attributes = current._attributes if current is not None else None
    if isolation._attributes or current_attributes:
        extra = dict(isolation._attributes)
        if current_attributes:
            extra.update(current_attributes)
    if send_pii:
        layers = (
            (global_scope, isolation) if current is None else (global_scope, isolation, current)
        )
        user = None
        for layer in reversed(layers):
            if layer._user is not None:
                user = layer._user
                break
        if isinstance(user, dict):
            for attribute, field in _USER_ATTRIBUTES:
                value = user.get(field)
                if value is not None:
                    if extra is None:
                        extra = {}
                    extra.setdefault(attribute, value)
    return trace_id, span_id, extra


def apply_scopes_to_telemetry(record: Dict[str, Any], send_pii: bool) -> None:
    """Fill ``trace_id``/``span_id`` and add scope and user attributes not already set."""
    trace_id, span_id, extra = scope_snapshot(send_pii)
    if record.get("trace_id") is None:
        record["trace_id"] = trace_id
    if record.get("span_id") is None and span_id is not None:
        record["span_id"] = span_id
    if extra:
        attributes = record["attributes"]
        for key, value in extra.items():
            if key not in attributes:
                attributes[key] = value
