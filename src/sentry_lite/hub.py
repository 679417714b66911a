"""The 1.x ``Hub`` API, kept so older code keeps working on top of 2.x-style scopes.

``Hub.current`` stands for the active scopes; ``with Hub(Hub.current):`` (or
``async with``) isolates everything set inside, like ``isolation_scope()``.
"""

from __future__ import annotations

import sys
from contextvars import Token
from typing import Any, Callable, List, Optional, Tuple, Type

from sentry_lite import api
from sentry_lite.client_base import BaseClient
from sentry_lite.scope import Scope
from sentry_lite.scope.model import current_scope_var, isolation_scope_var

__all__ = ["Hub"]


class _HubMeta(type):
    @property
    def current(cls) -> Hub:
        return Hub(_bound=True)

    @property
    def main(cls) -> Hub:
        return Hub(_bound=True)


class Hub(metaclass=_HubMeta):
    """A handle on the scopes; entering a copied hub isolates its scope data."""

    def __init__(
        self,
        client_or_hub: Optional[Any] = None,
        scope: Optional[Scope] = None,
        _bound: bool = False,
    ) -> None:
        self._bound = _bound
        self._tokens: List[Tuple[Token[Optional[Scope]], Token[Optional[Scope]]]] = []
        if _bound:
            self._isolation: Optional[Scope] = None
            self._current: Optional[Scope] = None
            return
        if isinstance(client_or_hub, Hub):
            self._isolation = client_or_hub.scope.fork()
            self._current = Scope.get_current_scope().fork()
        else:
            self._isolation = (scope or Scope.get_isolation_scope()).fork()
            self._current = Scope.get_current_scope().fork()
            if isinstance(client_or_hub, BaseClient):
                self._isolation.set_client(client_or_hub)

    # -- entering / leaving ------------------------------------------------------
    def __enter__(self) -> Hub:
        if self._isolation is not None and self._current is not None:
            self._tokens.append(
                (isolation_scope_var.set(self._isolation), current_scope_var.set(self._current))
            )
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc_value: Optional[BaseException],
        tb: Any,
    ) -> None:
        if self._tokens:
            iso_token, cur_token = self._tokens.pop()
            try:
                current_scope_var.reset(cur_token)
                isolation_scope_var.reset(iso_token)
            except ValueError:
                pass

    async def __aenter__(self) -> Hub:
        return self.__enter__()

    async def __aexit__(self, *exc: Any) -> None:
        self.__exit__(*exc)

    def run(self, callback: Callable[[], Any]) -> Any:
        with self:
            return callback()

    # -- properties -----------------------------------------------------------------
    @property
    def scope(self) -> Scope:
        """The isolation scope active now, as sentry_sdk 2.x (inside ``with
        hub.push_scope()`` that is the pushed one)."""
        return Scope.get_isolation_scope()

    @property
    def client(self) -> Optional[BaseClient]:
        client = Scope.get_client()
        return client if client.is_active() else None

    def bind_client(self, new: Optional[BaseClient]) -> None:
        Scope.get_global_scope().set_client(new)

    def get_integration(self, name_or_class: Any) -> Any:
        return Scope.get_client().get_integration(name_or_class)

    # -- delegated API -----------------------------------------------------------------
    def capture_event(self, event: Any, hint: Any = None, scope: Any = None, **kw: Any) -> Any:
        with self._active():
            return api.capture_event(event, hint, scope=scope, **kw)

    def capture_message(self, message: str, level: Any = None, scope: Any = None, **kw: Any) -> Any:
        with self._active():
            return api.capture_message(message, level, scope=scope, **kw)

    def capture_exception(self, error: Any = None, scope: Any = None, **kw: Any) -> Any:
        if error is None:
            error = sys.exc_info()
        with self._active():
            return api.capture_exception(error, scope=scope, **kw)

    def add_breadcrumb(self, crumb: Any = None, hint: Any = None, **kwargs: Any) -> None:
        with self._active():
            api.add_breadcrumb(crumb, hint, **kwargs)

    def last_event_id(self) -> Optional[str]:
        return self.scope._last_event_id

    def configure_scope(self, callback: Optional[Callable[[Scope], None]] = None) -> Any:
        if callback is not None:
            callback(self.scope)
            return None
        return _Yield(self.scope)

    def push_scope(self, callback: Optional[Callable[[Scope], None]] = None) -> Any:
        with self._active():
            return api.push_scope(callback) if callback is not None else api.push_scope()

    def flush(self, timeout: Optional[float] = None, callback: Any = None) -> None:
        api.flush(timeout, callback)

    def start_transaction(self, transaction: Any = None, **kwargs: Any) -> Any:
        with self._active():
            return api.start_transaction(transaction, **kwargs)

    def start_span(self, **kwargs: Any) -> Any:
        with self._active():
            return api.start_span(**kwargs)

    def get_traceparent(self) -> Optional[str]:
        return api.get_traceparent()

    def get_baggage(self) -> Optional[str]:
        return api.get_baggage()

    def _active(self) -> Any:
        return _Activate(self)


class _Activate:
    """Make a not-entered Hub's scopes active for one call."""

    def __init__(self, hub: Hub) -> None:
        self._hub = hub
        self._entered = False

    def __enter__(self) -> None:
        hub = self._hub
        if hub._bound or hub._isolation is None or isolation_scope_var.get() is hub._isolation:
            return
        hub.__enter__()
        self._entered = True

    def __exit__(self, *exc: Any) -> None:
        if self._entered:
            self._hub.__exit__(None, None, None)


class _Yield:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def __enter__(self) -> Scope:
        return self._scope

    def __exit__(self, *exc: Any) -> None:
        pass
