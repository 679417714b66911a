"""The module-level functions users call: thin wrappers over the active scopes.

Each works before ``init`` (as a cheap no-op) and never raises into the caller.
``init`` is the one place that builds a client, sets up its integrations and makes it
active: the client itself knows nothing of integrations.
"""

from __future__ import annotations

import importlib
import sys
import warnings
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterator, Mapping, Optional, Union, overload

from sentry_lite.client_base import BaseClient, NonRecordingClient
from sentry_lite.dsn import Dsn
from sentry_lite.options import options_help
from sentry_lite.scope import (
    Scope,
    add_global_event_processor,
    isolation_scope,
    new_scope,
    pushed_isolation_scope,
)
from sentry_lite.tracing.decorator import instrument_functions, trace
from sentry_lite.tracing.noop import NoOpSpan
from sentry_lite.tracing.span import Span
from sentry_lite.tracing.transaction import Transaction
from sentry_lite.uwsgi_check import check_uwsgi_thread_support

_integration_setup: Optional[IntegrationSetup] = None


def use_integration_setup(setup: IntegrationSetup) -> None:
    """Called once by the package: how ``init`` sets integrations up.

    Integrations sit above this module (they use the integration API), so ``init`` gets
    their registry handed down instead of importing it.
    """
    global _integration_setup
    _integration_setup = setup


if TYPE_CHECKING:  # annotations only: the TypedDict of every option costs ~2 ms to build
    from typing_extensions import Unpack

    from sentry_lite.init_options import InitOptions
    from sentry_lite.types import Breadcrumb, Event, EventProcessor, Hint

    IntegrationSetup = Callable[[Dict[str, Any]], Dict[str, Any]]

__all__ = [
    "add_attachment",
    "add_breadcrumb",
    "add_event_processor",
    "add_global_event_processor",
    "capture_event",
    "capture_exception",
    "capture_message",
    "configure_scope",
    "continue_trace",
    "flush",
    "get_baggage",
    "get_client",
    "get_current_scope",
    "get_current_span",
    "get_global_scope",
    "get_isolation_scope",
    "get_traceparent",
    "init",
    "is_initialized",
    "isolation_scope",
    "last_event_id",
    "new_scope",
    "push_scope",
    "set_context",
    "set_extra",
    "set_level",
    "set_measurement",
    "set_tag",
    "set_tags",
    "set_user",
    "start_span",
    "start_transaction",
    "trace",
]

get_client = Scope.get_client
get_current_scope = Scope.get_current_scope
get_isolation_scope = Scope.get_isolation_scope
get_global_scope = Scope.get_global_scope


def is_initialized() -> bool:
    """True once ``init`` (or ``set_client``) installed a client, DSN or not, as in
    sentry_sdk: libraries ask it to learn whether the app set the SDK up."""
    return not isinstance(Scope.get_client(), NonRecordingClient)


# -- capturing ----------------------------------------------------------------------------


def capture_event(
    event: Event,
    hint: Optional[Hint] = None,
    scope: Optional[Any] = None,
    **scope_kwargs: Any,
) -> Optional[str]:
    # The scope asks whether a client is active: asking here too cost a spaced capture
    # two more cold calls.
    return Scope.get_current_scope().capture_event(event, hint, scope=scope, **scope_kwargs)


def capture_message(
    message: str,
    level: Optional[str] = None,
    scope: Optional[Any] = None,
    **scope_kwargs: Any,
) -> Optional[str]:
    return Scope.get_current_scope().capture_message(message, level, scope=scope, **scope_kwargs)


def capture_exception(
    error: Optional[Any] = None,
    scope: Optional[Any] = None,
    **scope_kwargs: Any,
) -> Optional[str]:
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


def add_event_processor(processor: EventProcessor) -> None:
    Scope.get_current_scope().add_event_processor(processor)


# -- scope data ---------------------------------------------------------------------------


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


# -- 1.x scope managers -------------------------------------------------------------------


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
    warnings.warn(
        "sentry_sdk.configure_scope is deprecated and will be removed in the next major "
        "version. Please consult our migration guide to learn how to migrate to the new API: "
        "https://docs.sentry.io/platforms/python/migration/1.x-to-2.x#scope-configuring",
        DeprecationWarning,
        stacklevel=2,
    )
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
    warnings.warn(
        "sentry_sdk.push_scope is deprecated and will be removed in the next major "
        "version. Please consult our migration guide to learn how to migrate to the new API: "
        "https://docs.sentry.io/platforms/python/migration/1.x-to-2.x#scope-pushing",
        DeprecationWarning,
        stacklevel=2,
    )
    if callback is not None:
        with pushed_isolation_scope() as scope:
            callback(scope)
        return None
    return _ScopeManager(pushed_isolation_scope)


# -- tracing ------------------------------------------------------------------------------


def start_transaction(
    transaction: Optional[Transaction] = None,
    instrumenter: str = "sentry",
    custom_sampling_context: Optional[Dict[str, Any]] = None,
    **kwargs: Any,
) -> Union[Transaction, NoOpSpan]:
    """Start (sample) a transaction on the current scope; use it as a context manager."""
    return Scope.get_current_scope().start_transaction(
        transaction, instrumenter, custom_sampling_context, **kwargs
    )


def start_span(**kwargs: Any) -> Span:
    """A child of the current span, or a span of its own when there is none."""
    scope = Scope.get_current_scope()  # an unsampled transaction's child: asked first
    return scope.unsampled_child(kwargs) or scope.start_span(**kwargs)


def continue_trace(
    environ_or_headers: Any,
    op: Optional[str] = None,
    name: Optional[str] = None,
    source: Optional[str] = None,
    origin: str = "manual",
) -> Transaction:
    """Adopt the incoming trace (headers or WSGI environ); returns a transaction for it,
    not started: pass it to ``start_transaction``."""
    return Scope.get_isolation_scope().continue_trace(environ_or_headers, op, name, source, origin)


def get_current_span(scope: Optional[Scope] = None) -> Optional[Span]:
    """The active span, or None."""
    return (scope or Scope.get_current_scope()).span  # type: ignore[no-any-return]


def set_measurement(name: str, value: float, unit: str = "") -> None:
    span = Scope.get_current_scope().span
    txn = span.containing_transaction if span is not None else None
    if txn is not None:
        txn.set_measurement(name, value, unit)


def get_traceparent() -> Optional[str]:
    """The ``sentry-trace`` value for an outgoing request from here."""
    return Scope.get_current_scope().get_traceparent()


def get_baggage() -> Optional[str]:
    """The ``baggage`` value (the DSC) for an outgoing request from here."""
    baggage = Scope.get_current_scope().get_baggage()
    return baggage.serialize() if baggage is not None else None


# -- init ---------------------------------------------------------------------------------


_INIT_GUARD_DEPRECATED = (
    "Using the return value of sentry_sdk.init as a context manager and manually calling "
    "the __enter__ and __exit__ methods on the return value are deprecated. We are no longer "
    "maintaining this functionality, and we will remove it in the next major release."
)


class _InitGuard:
    """What ``init`` returns: ``with sentry_lite.init(...):`` closes the client at the end."""

    def __init__(self, client: BaseClient) -> None:
        self._client = client

    def __enter__(self) -> _InitGuard:
        warnings.warn(_INIT_GUARD_DEPRECATED, DeprecationWarning, stacklevel=2)
        return self

    def __exit__(self, *exc: Any) -> None:
        warnings.warn(_INIT_GUARD_DEPRECATED, DeprecationWarning, stacklevel=2)
        self._client.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def init(
    *args: Optional[Union[str, Dsn, Mapping[str, Any]]],
    dsn: Optional[Union[str, Dsn]] = None,
    **options: Unpack[InitOptions],
) -> _InitGuard:
    """Create the client, set up its integrations and make it active for the process.

    Raises :class:`sentry_lite.BadDsn` for a malformed DSN; any other option mistake is
    logged as a warning and replaced by its default. ``init({"dsn": ..., ...})`` (one
    dict of options) works as with sentry_sdk.

    Options (name = default: meaning):

    {options}
    """
    kwargs: Dict[str, Any] = dict(options)
    if dsn is not None:
        kwargs["dsn"] = dsn
    positional = list(args)
    if positional and (positional[0] is None or isinstance(positional[0], (str, bytes, Dsn))):
        kwargs.setdefault("dsn", positional.pop(0))  # init("https://...@.../1")
    if len(positional) > 1:
        raise TypeError("Only single positional argument is expected")
    if positional and isinstance(positional[0], Mapping):
        kwargs = {**positional[0], **kwargs}  # init({"dsn": ..., ...}): keywords win
    dsn = kwargs.pop("dsn", None)
    if kwargs.get("enable_tracing") is not None:
        warnings.warn(
            "The `enable_tracing` parameter is deprecated. Please use `traces_sample_rate` "
            "instead.",
            DeprecationWarning,
            stacklevel=2,
        )
    # The client (pipeline, serializer, transport) and debug logging load at init.
    from sentry_lite.client import Client
    from sentry_lite.debug_logging import log_init_summary, setup_debug_logging

    client = Client(dsn, **kwargs)
    setup_debug_logging(client.options.debug)
    if _integration_setup is not None:
        client.integrations = _integration_setup(client.options)
    if client.options["functions_to_trace"]:
        streamed = client.span_streaming  # then streamed spans
        decorator = importlib.import_module("sentry_lite.traces").trace if streamed else None
        instrument_functions(client.options["functions_to_trace"], decorator)
    Scope.get_global_scope().set_client(client)
    if client.is_active():
        check_uwsgi_thread_support()
    if client.options.debug:
        log_init_summary(client)
    return _InitGuard(client)


if init.__doc__:  # absent under python -OO
    # Indented as written before Python 3.13; from 3.13 the compiler dedents docstrings.
    _placeholder = "    {options}" if "    {options}" in init.__doc__ else "{options}"
    init.__doc__ = init.__doc__.replace(_placeholder, options_help())
    del _placeholder

_ = add_global_event_processor, isolation_scope, trace  # re-exported


# -- i11core: the rest of sentry_sdk.api ----------------------------------------------------

__all__ += ["flush_async", "set_transaction_name", "update_current_span"]
# ``sentry_sdk.api.monitor``: crons builds on this module, so the package sets it here.


def set_transaction_name(name: str, source: Optional[str] = None) -> None:
    """Rename the current transaction (and what errors report as their transaction)."""
    Scope.get_current_scope().set_transaction_name(name, source)


def update_current_span(
    op: Optional[str] = None,
    name: Optional[str] = None,
    attributes: Optional[Dict[str, Union[str, int, float, bool]]] = None,
    data: Optional[Dict[str, Any]] = None,
) -> None:
    """Change the running span's op, name or data; nothing happens without one.

    ``data`` is sentry_sdk's deprecated spelling of ``attributes`` (DeprecationWarning).
    """
    span = Scope.get_current_scope().span
    if span is None:
        return
    if op is not None:
        span.op = op
    if name is not None:
        span.description = name
    if data is not None and attributes is not None:
        raise ValueError(
            "Cannot provide both `data` and `attributes`. Please use only `attributes`."
        )
    if data is not None:
        import warnings

        warnings.warn(
            "The `data` parameter is deprecated. Please use `attributes` instead.",
            DeprecationWarning,
            stacklevel=2,
        )
        attributes = data
    if attributes is not None:
        span.update_data(attributes)


async def flush_async(
    timeout: Optional[float] = None,
    callback: Optional[Callable[[int, float], None]] = None,
) -> None:
    """``flush`` for async code: waits in a worker thread, the event loop keeps running."""
    import asyncio

    await asyncio.get_running_loop().run_in_executor(None, flush, timeout, callback)


# -- i13: logs, metrics, sessions --
def start_session(session_mode: str = "application") -> None:
    """Start a release-health session on the isolation scope (ending the running one)."""
    Scope.get_isolation_scope().start_session(session_mode=session_mode)


def end_session() -> None:
    """End the isolation scope's session; it is sent with the next session flush."""
    Scope.get_isolation_scope().end_session()


__all__ += ["end_session", "start_session"]

# -- i14: span streaming, attributes --


def set_attribute(attribute: str, value: Any) -> None:
    """An attribute of every log, metric and streamed span captured in this request/task
    (set on the isolation scope)."""
    Scope.get_isolation_scope().set_attribute(attribute, value)


def set_attributes(attributes: Dict[str, Any]) -> None:
    """Several attributes at once (see :func:`set_attribute`)."""
    Scope.get_isolation_scope().set_attributes(attributes)


def remove_attribute(attribute: str) -> None:
    """Remove an attribute set with :func:`set_attribute`; no error if there is none."""
    Scope.get_isolation_scope().remove_attribute(attribute)
