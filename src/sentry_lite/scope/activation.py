"""Making scopes active for a block: ``new_scope``, ``isolation_scope``, ``use_*``, and the
cheap pair integrations use around every web request or task.

``enter_request_scopes``/``leave_request_scopes`` are what a framework integration calls
per request: two contextvar sets and one fork without breadcrumbs, nothing else. They
are public so that no integration touches the contextvars themselves.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import TYPE_CHECKING, Any, Iterator, Optional, Tuple

from sentry_lite.scope.model import Scope, current_scope_var, isolation_scope_var

if TYPE_CHECKING:
    from sentry_lite.types import EventProcessor

__all__ = [
    "EnteredScopes",
    "active_span",
    "enter_request_scopes",
    "isolation_scope",
    "leave_request_scopes",
    "new_scope",
    "request_scopes",
    "use_isolation_scope",
    "use_scope",
]

EnteredScopes = Tuple[Token[Optional[Scope]], Token[Optional[Scope]]]
"""What ``enter_request_scopes`` returns and ``leave_request_scopes`` takes back."""


def enter_request_scopes(processor: Optional[EventProcessor] = None) -> EnteredScopes:
    """Give this request (or task) its own isolation and current scope, now active.

    The isolation scope is forked without the parent's breadcrumbs and trace (the
    request starts its own) and gets ``processor``, the request's event processor.
    Pair every call with :func:`leave_request_scopes` (``try``/``finally``).
    """
    isolation = Scope.get_isolation_scope().fork_for_request(processor)
    current = Scope.get_current_scope().fork()
    return isolation_scope_var.set(isolation), current_scope_var.set(current)


def leave_request_scopes(entered: EnteredScopes) -> None:
    """Make the scopes active before :func:`enter_request_scopes` active again."""
    _reset(current_scope_var, entered[1])
    _reset(isolation_scope_var, entered[0])


@contextmanager
def request_scopes(processor: Optional[EventProcessor] = None) -> Iterator[Scope]:
    """``with request_scopes(processor) as isolation:`` around one request or task."""
    entered = enter_request_scopes(processor)
    try:
        yield Scope.get_isolation_scope()
    finally:
        leave_request_scopes(entered)


def active_span() -> Any:
    """The running span (current scope's, else isolation scope's), or None."""
    scope = current_scope_var.get()
    if scope is not None and scope._span is not None:
        return scope._span
    isolation = isolation_scope_var.get()
    return isolation._span if isolation is not None else None


@contextmanager
def new_scope() -> Iterator[Scope]:
    """Fork the current scope for the duration of the block."""
    forked = Scope.get_current_scope().fork()
    token = current_scope_var.set(forked)
    try:
        yield forked
    finally:
        _reset(current_scope_var, token)


@contextmanager
def use_scope(scope: Scope) -> Iterator[Scope]:
    token = current_scope_var.set(scope)
    try:
        yield scope
    finally:
        _reset(current_scope_var, token)


@contextmanager
def isolation_scope() -> Iterator[Scope]:
    """Fork both the isolation and current scopes: nothing set inside leaks out."""
    current_token = current_scope_var.set(Scope.get_current_scope().fork())
    forked = Scope.get_isolation_scope().fork()
    isolation_token = isolation_scope_var.set(forked)
    try:
        yield forked
    finally:
        _reset(isolation_scope_var, isolation_token)
        _reset(current_scope_var, current_token)


@contextmanager
def use_isolation_scope(isolation: Scope) -> Iterator[Scope]:
    current_token = current_scope_var.set(Scope.get_current_scope().fork())
    isolation_token = isolation_scope_var.set(isolation)
    try:
        yield isolation
    finally:
        _reset(isolation_scope_var, isolation_token)
        _reset(current_scope_var, current_token)


def _reset(var: ContextVar[Optional[Scope]], token: Token[Optional[Scope]]) -> None:
    try:
        var.reset(token)
    except ValueError:
        # The block was exited in another context (e.g. a generator finalised
        # elsewhere); leave the var as it is rather than raising into the app.
        pass


@contextmanager
def pushed_isolation_scope() -> Iterator[Scope]:
    """1.x ``push_scope()``: a fork of the isolation scope for the block (the current
    scope is left as it is), as sentry_sdk 2.x maps it."""
    forked = Scope.get_isolation_scope().fork()
    token = isolation_scope_var.set(forked)
    try:
        yield forked
    finally:
        _reset(isolation_scope_var, token)
