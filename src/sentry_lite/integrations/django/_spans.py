"""The child spans Django's hooks open (signal receivers, middleware, templates, SQL).

A request can open dozens of them, so this is the short path: one scope lookup and a
direct ``start_child`` on the running span, instead of the public ``start_span`` walk.
The result is the same span ``start_span`` would give (same parent, scope and origin).
"""

from __future__ import annotations

from typing import Any, Optional

from sentry_lite.scope import Scope, _current_scope, _isolation_scope

__all__ = ["django_span"]


def django_span(op: str, name: Optional[str], origin: str) -> Any:
    """A child of the running span, or None when no sampled transaction is running."""
    try:
        scope = _current_scope.get()
        if scope is None:
            scope = Scope.get_current_scope()
        parent = scope._span
        if parent is None:
            isolation = _isolation_scope.get()
            parent = isolation._span if isolation is not None else None
            if parent is None:
                return None
        if getattr(parent, "sampled", None) is False:
            return None
        return parent.start_child(op=op, name=name, origin=origin, scope=scope)
    except Exception:
        return None
