"""``Scope``: the three scopes of sentry_sdk 2.x and capturing through them.

One *global* scope for the process, an *isolation* scope per request/task/thread
(``isolation_scope()``), and a *current* scope for local changes (``new_scope()``). The
latter two live in contextvars, so every thread and asyncio task sees its own. They are
merged at capture time, later layers winning (``layers.py``).
"""

from __future__ import annotations

import sys
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Callable, Dict, Optional, Tuple, Union

from sentry_lite.client_base import BaseClient, NonRecordingClient, log_hook_error
from sentry_lite.lean_stdlib import datetime, timezone
from sentry_lite.scope.data import ScopeType
from sentry_lite.scope.layers import LayeredScope
from sentry_lite.scope.sessions import ScopeSessions
from sentry_lite.scope.streaming import ScopeStreaming

if TYPE_CHECKING:
    from sentry_lite.types import Breadcrumb, Event, Hint

__all__ = [
    "Scope",
    "current_scope_var",
    "global_scope",
    "isolation_scope_var",
    "layers_for_capture",
    "should_send_default_pii",
]


class Scope(ScopeSessions, ScopeStreaming):  # i13: sessions, i14: streaming
    """Holds the data that enriches events captured while it is active."""

    __slots__ = ()

    # -- the three scopes -------------------------------------------------------------
    @classmethod
    def get_current_scope(cls) -> Scope:
        scope = current_scope_var.get()
        if scope is None:
            scope = Scope(ScopeType.CURRENT)
            current_scope_var.set(scope)
        return scope

    @classmethod
    def set_current_scope(cls, new_current_scope: Scope) -> None:
        current_scope_var.set(new_current_scope)

    @classmethod
    def get_isolation_scope(cls) -> Scope:
        scope = isolation_scope_var.get()
        if scope is None:
            scope = Scope(ScopeType.ISOLATION)
            isolation_scope_var.set(scope)
        return scope

    @classmethod
    def set_isolation_scope(cls, new_isolation_scope: Scope) -> None:
        isolation_scope_var.set(new_isolation_scope)

    @classmethod
    def get_global_scope(cls) -> Scope:
        return global_scope

    @classmethod
    def last_event_id(cls) -> Optional[str]:
        return cls.get_isolation_scope()._last_event_id

    @classmethod
    def get_client(cls) -> BaseClient:
        """The active client: current scope's, else isolation's, else global's, else a no-op."""
        scope = current_scope_var.get()
        if scope is not None and scope.client is not None:
            return scope.client
        scope = isolation_scope_var.get()
        if scope is not None and scope.client is not None:
            return scope.client
        if global_scope.client is not None:
            return global_scope.client
        return NonRecordingClient.instance

    def set_client(self, client: Optional[BaseClient] = None) -> None:
        self.client = client
        if client is not None:  # the SDK's and the process's attributes come from it
            global_scope.set_global_attributes()
            use = getattr(client, "use_global_attributes", None)
            if use is not None:
                use(_global_attributes)

    # -- breadcrumbs ----------------------------------------------------------------------
    def add_breadcrumb(
        self, crumb: Optional[Breadcrumb] = None, hint: Optional[Hint] = None, **kwargs: Any
    ) -> None:
        crumb = dict(crumb, **kwargs) if crumb else kwargs  # a copy: never the caller's dict
        if crumb:
            self.add_own_breadcrumb(crumb, hint)

    def add_own_breadcrumb(self, crumb: Breadcrumb, hint: Optional[Hint] = None) -> None:
        """``add_breadcrumb`` for a dict made for this call, which the scope keeps as it
        is (and ``before_breadcrumb`` may change) rather than copying it."""
        client = self.get_client()
        if not client.is_active():
            return
        options = client.options
        get = crumb.get
        if get("timestamp") is None:
            crumb["timestamp"] = datetime.now(timezone.utc)
        if get("type") is None:
            crumb["type"] = "default"
        before = options.get("before_breadcrumb")
        if before is not None:
            try:
                new_crumb = before(crumb, hint or {})
            except Exception:
                log_hook_error("before_breadcrumb")
                new_crumb = crumb
            if new_crumb is None:
                return
            crumb = new_crumb
        max_crumbs = options.max_breadcrumbs
        crumbs = self._breadcrumbs
        crumbs.append(crumb)
        while len(crumbs) > max_crumbs:
            crumbs.popleft()
            self._n_breadcrumbs_truncated += 1

    # -- capture (sentry_sdk 2.x has these on Scope) ------------------------------------
    def capture_event(
        self,
        event: Event,
        hint: Optional[Hint] = None,
        scope: Optional[Scope] = None,
        **scope_kwargs: Any,
    ) -> Optional[str]:
        client = self.get_client()
        if not client.is_active():
            return None
        event_id = client.capture_event(
            event, hint, scope=layers_for_capture(self, scope, scope_kwargs)
        )
        if event_id is not None and event.get("type") != "transaction":
            Scope.get_isolation_scope()._last_event_id = event_id
        return event_id

    def capture_message(
        self,
        message: str,
        level: Optional[str] = None,
        scope: Optional[Scope] = None,
        **scope_kwargs: Any,
    ) -> Optional[str]:
        client = self.get_client()
        if not client.is_active():
            return None
        event_id = client.capture_message(
            message, level, scope=layers_for_capture(self, scope, scope_kwargs)
        )
        if event_id is not None:
            Scope.get_isolation_scope()._last_event_id = event_id
        return event_id

    def capture_exception(
        self, error: Any = None, scope: Optional[Scope] = None, **scope_kwargs: Any
    ) -> Optional[str]:
        client = self.get_client()
        if not client.is_active():
            return None
        if error is None:
            error = sys.exc_info()
        event_id = client.capture_exception(
            error, scope=layers_for_capture(self, scope, scope_kwargs)
        )
        if event_id is not None:
            Scope.get_isolation_scope()._last_event_id = event_id
        return event_id

    def apply_to_event(
        self, event: Event, hint: Hint, options: Optional[Dict[str, Any]] = None
    ) -> Optional[Event]:
        """Apply only this scope's data (sentry_sdk's single-scope form)."""
        return LayeredScope((self,), self).apply_to_event(event, hint, options or {})


current_scope_var: ContextVar[Optional[Scope]] = ContextVar(
    "sentry_lite_current_scope", default=None
)
isolation_scope_var: ContextVar[Optional[Scope]] = ContextVar(
    "sentry_lite_isolation_scope", default=None
)
global_scope = Scope(ScopeType.GLOBAL)


def _global_attributes() -> Dict[str, Any]:
    """The global scope's attributes, as the log, metric and span batchers read them."""
    return global_scope._attributes


def should_send_default_pii() -> bool:
    """May personal data leave the process? (``send_default_pii`` of the active client)."""
    return Scope.get_client().options.send_default_pii


def _capture_layer(
    base: Optional[Scope],
    scope: Optional[Union[Scope, Callable[[Scope], None]]],
    kwargs: Dict[str, Any],
) -> Optional[Scope]:
    """The extra top layer a ``capture_*`` call adds to global/isolation/current.

    ``base`` is the scope the call was made on (None for the module-level API); when it
    is not one of the active scopes its data joins the layer, as sentry_sdk merges it.
    ``scope=`` may be a Scope or a callable that configures one; scope kwargs
    (``tags=``, ``user=``, ...) are applied last. sentry_sdk raises when both ``scope``
    and kwargs are given; we apply both.
    """
    active = (
        base is None
        or base is current_scope_var.get()
        or base is isolation_scope_var.get()
        or base is global_scope
    )
    if active and not kwargs and (scope is None or isinstance(scope, Scope)):
        return scope
    layer = Scope(ScopeType.MERGED)
    if not active and base is not None:
        layer.update_from_scope(base)
    if isinstance(scope, Scope):
        layer.update_from_scope(scope)
    elif callable(scope):
        scope(layer)
    if kwargs:
        layer.update_from_kwargs(**kwargs)
    return layer


def layers_for_capture(
    base: Optional[Scope] = None,
    scope: Optional[Union[Scope, Callable[[Scope], None]]] = None,
    kwargs: Optional[Dict[str, Any]] = None,
) -> LayeredScope:
    """Global, isolation and current scope, plus the call's own layer if it has one."""
    extra = _capture_layer(base, scope, kwargs or {})
    isolation = Scope.get_isolation_scope()
    layers: Tuple[Scope, ...] = (global_scope, isolation, Scope.get_current_scope())
    if extra is not None:
        layers += (extra,)
    return LayeredScope(layers, isolation)
