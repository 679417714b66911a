"""Scopes: the data (tags, user, breadcrumbs, span, ...) attached to events, and which
scopes are active. ``from sentry_lite.scope import Scope`` as with sentry_sdk.

Layout: ``data.py`` (what a scope holds), ``spans.py`` (its tracing methods),
``layers.py`` (applying scopes to an event), ``model.py`` (the three scopes and
capturing), ``activation.py`` (entering and leaving scopes), ``host.py`` (tracing's
access to scopes, installed here).
"""

from __future__ import annotations

from sentry_lite.scope.activation import (
    EnteredScopes,
    active_span,
    enter_request_scopes,
    isolation_scope,
    leave_request_scopes,
    new_scope,
    pushed_isolation_scope,
    request_scopes,
    use_isolation_scope,
    use_scope,
)
from sentry_lite.scope.data import ScopeType
from sentry_lite.scope.host import ScopeHost
from sentry_lite.scope.layers import LayeredScope, add_global_event_processor
from sentry_lite.scope.model import Scope, layers_for_capture, should_send_default_pii
from sentry_lite.tracing import host as _tracing_host

__all__ = [
    "EnteredScopes",
    "LayeredScope",
    "Scope",
    "ScopeType",
    "active_span",
    "add_global_event_processor",
    "enter_request_scopes",
    "isolation_scope",
    "layers_for_capture",
    "leave_request_scopes",
    "new_scope",
    "pushed_isolation_scope",
    "request_scopes",
    "should_send_default_pii",
    "use_isolation_scope",
    "use_scope",
]

_tracing_host.install(ScopeHost())
