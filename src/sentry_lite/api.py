"""The module-level functions users call: thin wrappers over the active scopes.

Each works before ``init`` (as a cheap no-op) and never raises into the caller.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Any, Callable, Dict, Iterator, Optional, overload

from sentry_lite.client import BaseClient
from sentry_lite.events.types import Breadcrumb, Event, EventProcessor, Hint
from sentry_lite.scope import (
    Scope,
    add_global_event_processor,
    isolation_scope,
    new_scope,
)

__all__ = [
    "add_attachment",
    "add_breadcrumb",
    "add_global_event_processor",
    "capture_event",
    "capture_exception",
    "capture_message",
    "configure_scope",
    "flush",
    "get_client",
    "get_current_scope",
    "get_global_scope",
    "get_isolation_scope",
    "is_initialized",
    "isolation_scope",
    "last_event_id",
    "new_scope",
    "push_scope",
    "set_context",
    "set_extra",
    "set_level",
    "set_tag",
    "set_tags",
    "set_user",
]

get_client = Scope.get_client
get_current_scope = Scope.get_current_scope
get_isolation_scope = Scope.get_isolation_scope
get_global_scope = Scope.get_global_scope


def is_initialized() -> bool:
    """True once ``init`` created an active client (with a DSN or a transport)."""
    return Scope.get_client().is_active()


def capture_event(
    event: Event,
    hint: Optional[Hint] = None,
    scope: Optional[Any] = None,
    **scope_kwargs: Any,
) -> Optional[str]:
    if not Scope.get_client().is_active():
        return None
    return Scope.get_current_scope().capture_event(event, hint, scope=scope, **scope_kwargs)


def capture_message(
    message: str,
    level: Optional[str] = None,
    scope: Optional[Any] = None,
    **scope_kwargs: Any,
) -> Optional[str]:
    if not Scope.get_client().is_active():
        return None
    return Scope.get_current_scope().capture_message(message, level, scope=scope, **scope_kwargs)


def capture_exception(
    error: Optional[Any] = None,
    scope: Optional[Any] = None,
    **scope_kwargs: Any,
) -> Optional[str]:
    if not Scope.get_client().is_active():
        return None
    if error is None:
        error = sys.exc_info()
    return Scope.get_current_scope().capture_exception(error, scope=scope, **scope_kwargs)


def add_breadcrumb(
    crumb: Optional[Breadcrumb] = None, hint: Optional[Hint] = None, **kwargs: Any
) -> None:
    Scope.get_isolation_scope().add_breadcrumb(crumb, hint, **kwargs)


def add_attachment(
    bytes: Any = None,  # noqa: A002
    filename: Optional[str] = None,
    path: Optional[str] = None,
    content_type: Optional[str] = None,
    add_to_transactions: bool = False,
) -> None:
    Scope.get_isolation_scope().add_attachment(
        bytes, filename, path, content_type, add_to_transactions
    )


def set_tag(key: str, value: Any) -> None:
    Scope.get_isolation_scope().set_tag(key, value)


def set_tags(tags: Dict[str, Any]) -> None:
    Scope.get_isolation_scope().set_tags(tags)


def set_context(key: str, value: Dict[str, Any]) -> None:
    Scope.get_isolation_scope().set_context(key, value)


def set_extra(key: str, value: Any) -> None:
    Scope.get_isolation_scope().set_extra(key, value)


def set_user(value: Optional[Dict[str, Any]]) -> None:
    Scope.get_isolation_scope().set_user(value)


def set_level(value: str) -> None:
    Scope.get_isolation_scope().set_level(value)


def last_event_id() -> Optional[str]:
    return Scope.last_event_id()


def flush(
    timeout: Optional[float] = None,
    callback: Optional[Callable[[int, float], None]] = None,
) -> None:
    """Wait until queued events are sent, at most ``timeout`` seconds (default shutdown_timeout)."""
    Scope.get_client().flush(timeout=timeout, callback=callback)


class _ScopeManager:
    """``push_scope()`` / ``configure_scope()`` without a callback: a context manager."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self._make = make
        self._cm: Any = None

    def __enter__(self) -> Scope:
        self._cm = self._make()
        return self._cm.__enter__()  # type: ignore[no-any-return]

    def __exit__(self, *exc: Any) -> None:
        self._cm.__exit__(*exc)


@contextmanager
def _yield_isolation() -> Iterator[Scope]:
    yield Scope.get_isolation_scope()


@overload
def configure_scope() -> _ScopeManager: ...


@overload
def configure_scope(callback: Callable[[Scope], None]) -> None: ...


def configure_scope(
    callback: Optional[Callable[[Scope], None]] = None,
) -> Optional[_ScopeManager]:
    """1.x API: change the isolation scope (what ``set_tag`` & co. change)."""
    if callback is not None:
        callback(Scope.get_isolation_scope())
        return None
    return _ScopeManager(_yield_isolation)


@overload
def push_scope() -> _ScopeManager: ...


@overload
def push_scope(callback: Callable[[Scope], None]) -> None: ...


def push_scope(
    callback: Optional[Callable[[Scope], None]] = None,
) -> Optional[_ScopeManager]:
    """1.x API: a forked current scope for the block (``new_scope`` in 2.x)."""
    if callback is not None:
        with new_scope() as scope:
            callback(scope)
        return None
    return _ScopeManager(new_scope)


def add_event_processor(processor: EventProcessor) -> None:
    Scope.get_current_scope().add_event_processor(processor)


class _InitGuard:
    """What ``init`` returns: ``with sentry_lite.init(...):`` closes the client at the end."""

    def __init__(self, client: BaseClient) -> None:
        self._client = client

    def __enter__(self) -> _InitGuard:
        return self

    def __exit__(self, *exc: Any) -> None:
        self._client.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def _setup_debug_logging(debug: bool) -> None:
    import logging

    logger = logging.getLogger("sentry_lite")
    if not debug:
        return
    if not any(getattr(h, "_sentry_lite_debug", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(" [sentry_lite] %(levelname)s: %(message)s"))
        handler._sentry_lite_debug = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)


def init(dsn: Optional[Any] = None, **options: Any) -> _InitGuard:
    """Create the client and make it active for the whole process.

    Raises :class:`sentry_lite.BadDsn` for a malformed DSN; any other option mistake is
    logged as a warning and replaced by its default.
    """
    from sentry_lite.client import Client

    client = Client(dsn, **options)
    _setup_debug_logging(bool(client.options.get("debug")))
    Scope.get_global_scope().set_client(client)
    return _InitGuard(client)
