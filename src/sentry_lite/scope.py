"""Scopes: the data (tags, user, breadcrumbs, span, ...) attached to events.

Three layers, as in sentry_sdk 2.x: one *global* scope for the process, an *isolation*
scope per request/task/thread (``isolation_scope()``), and a *current* scope for local
changes (``new_scope()``). The latter two live in contextvars, so every thread and asyncio
task sees its own. They are merged at capture time, later layers winning.
"""

from __future__ import annotations

import sys
from collections import deque
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Deque,
    Dict,
    Iterator,
    List,
    Optional,
    Tuple,
    Union,
)

from sentry_lite.consts import DEFAULT_MAX_BREADCRUMBS
from sentry_lite.events.types import Breadcrumb, Event, EventProcessor, Hint
from sentry_lite.tracing.context import PropagationContext
from sentry_lite.tracing.propagation import propagation_context_from_headers
from sentry_lite.tracing.sampling import has_tracing_enabled

if TYPE_CHECKING:
    from sentry_lite.client import BaseClient

__all__ = [
    "Scope",
    "ScopeType",
    "add_global_event_processor",
    "isolation_scope",
    "new_scope",
    "use_isolation_scope",
    "use_scope",
]

ErrorProcessor = Callable[[Event, Any], Optional[Event]]
_global_event_processors: List[EventProcessor] = []


def add_global_event_processor(processor: EventProcessor) -> EventProcessor:
    """Register a processor that runs for every event of every scope (usable as decorator)."""
    _global_event_processors.append(processor)
    return processor


class ScopeType:
    CURRENT = "current"
    ISOLATION = "isolation"
    GLOBAL = "global"
    MERGED = "merged"


class Scope:
    """Holds the data that enriches events captured while it is active."""

    __slots__ = (
        "_attachments",
        "_breadcrumbs",
        "_contexts",
        "_error_processors",
        "_event_processors",
        "_extras",
        "_fingerprint",
        "_last_event_id",
        "_level",
        "_propagation_context",
        "_span",
        "_tags",
        "_transaction",
        "_transaction_info",
        "_type",
        "_user",
        "client",
    )

    def __init__(self, ty: Optional[str] = None, client: Optional[BaseClient] = None) -> None:
        self._type = ty
        self.client: Optional[BaseClient] = client
        self._last_event_id: Optional[str] = None
        self._propagation_context: Optional[PropagationContext] = None
        self.clear()

    # -- the three scopes ------------------------------------------------
    @classmethod
    def get_current_scope(cls) -> Scope:
        scope = _current_scope.get()
        if scope is None:
            scope = Scope(ScopeType.CURRENT)
            _current_scope.set(scope)
        return scope

    @classmethod
    def set_current_scope(cls, new_current_scope: Scope) -> None:
        _current_scope.set(new_current_scope)

    @classmethod
    def get_isolation_scope(cls) -> Scope:
        scope = _isolation_scope.get()
        if scope is None:
            scope = Scope(ScopeType.ISOLATION)
            _isolation_scope.set(scope)
        return scope

    @classmethod
    def set_isolation_scope(cls, new_isolation_scope: Scope) -> None:
        _isolation_scope.set(new_isolation_scope)

    @classmethod
    def get_global_scope(cls) -> Scope:
        return _global_scope

    @classmethod
    def last_event_id(cls) -> Optional[str]:
        return cls.get_isolation_scope()._last_event_id

    @classmethod
    def get_client(cls) -> BaseClient:
        """The active client: current scope's, else isolation's, else global's, else a no-op."""
        client = _current_scope.get()
        if client is not None and client.client is not None:
            return client.client
        iso = _isolation_scope.get()
        if iso is not None and iso.client is not None:
            return iso.client
        if _global_scope.client is not None:
            return _global_scope.client
        from sentry_lite.client import NonRecordingClient

        return NonRecordingClient.instance

    def set_client(self, client: Optional[BaseClient] = None) -> None:
        self.client = client

    # -- lifecycle ---------------------------------------------------------
    def clear(self) -> None:
        self._level: Optional[str] = None
        self._fingerprint: Optional[List[str]] = None
        self._transaction: Optional[str] = None
        self._transaction_info: Dict[str, Any] = {}
        self._user: Optional[Dict[str, Any]] = None
        self._tags: Dict[str, Any] = {}
        self._contexts: Dict[str, Dict[str, Any]] = {}
        self._extras: Dict[str, Any] = {}
        self._attachments: List[Any] = []
        self._breadcrumbs: Deque[Breadcrumb] = deque()
        self._event_processors: List[EventProcessor] = []
        self._error_processors: List[Tuple[ErrorProcessor, Any]] = []
        self._span: Any = None
        self._propagation_context = None

    def fork(self) -> Scope:
        """A copy whose changes do not affect this scope."""
        rv = self._copy_fields()
        rv._breadcrumbs = deque(self._breadcrumbs)
        rv._propagation_context = self._propagation_context
        return rv

    __copy__ = fork

    def _fork_for_request(self, processor: EventProcessor) -> Scope:
        """The isolation scope of a new web request: a fork without this scope's
        breadcrumbs and trace (the request starts its own), plus the request's event
        processor. Saves copying up to ``max_breadcrumbs`` crumbs only to drop them."""
        rv = self._copy_fields()
        rv._breadcrumbs = deque()
        rv._propagation_context = None
        rv._event_processors.append(processor)
        return rv

    def _copy_fields(self) -> Scope:
        """A new scope with this one's data, except breadcrumbs and propagation context."""
        rv = Scope.__new__(Scope)
        rv._type = self._type
        rv.client = self.client
        rv._last_event_id = self._last_event_id
        rv._level = self._level
        rv._fingerprint = self._fingerprint
        rv._transaction = self._transaction
        rv._transaction_info = dict(self._transaction_info)
        rv._user = self._user
        rv._tags = dict(self._tags)
        rv._contexts = dict(self._contexts)
        rv._extras = dict(self._extras)
        rv._attachments = list(self._attachments)
        rv._event_processors = list(self._event_processors)
        rv._error_processors = list(self._error_processors)
        rv._span = self._span
        return rv

    # -- data ---------------------------------------------------------------
    @property
    def level(self) -> Optional[str]:
        return self._level

    @level.setter
    def level(self, value: Optional[str]) -> None:
        self._level = value

    def set_level(self, value: Optional[str]) -> None:
        self._level = value

    @property
    def fingerprint(self) -> Optional[List[str]]:
        return self._fingerprint

    @fingerprint.setter
    def fingerprint(self, value: Optional[List[str]]) -> None:
        self._fingerprint = list(value) if value is not None else None

    @property
    def transaction(self) -> Any:
        """The transaction name (or, when a transaction is the span, the transaction)."""
        span = self._span
        if span is not None and getattr(span, "containing_transaction", None) is not None:
            return span.containing_transaction
        return self._transaction

    @transaction.setter
    def transaction(self, value: Any) -> None:
        self._transaction = value
        span = self._span
        if span is not None and getattr(span, "containing_transaction", None) is not None:
            span.containing_transaction.name = value

    def set_transaction_name(self, name: str, source: Optional[str] = None) -> None:
        self._transaction = name
        span = self._span
        if span is not None and getattr(span, "containing_transaction", None) is not None:
            span.containing_transaction.name = name
            if source:
                span.containing_transaction.source = source
        if source:
            self._transaction_info["source"] = source

    @property
    def user(self) -> Optional[Dict[str, Any]]:
        return self._user

    @user.setter
    def user(self, value: Optional[Dict[str, Any]]) -> None:
        self.set_user(value)

    def set_user(self, value: Optional[Dict[str, Any]]) -> None:
        self._user = value

    @property
    def span(self) -> Any:
        return self._span

    @span.setter
    def span(self, span: Any) -> None:
        self._span = span
        # A transaction set as the span names the scope, as in sentry_sdk.
        if span is not None and getattr(span, "containing_transaction", None) is span:
            name = getattr(span, "name", None)
            if name:
                self._transaction = name
                source = getattr(span, "source", None)
                if source:
                    self._transaction_info["source"] = source

    def set_tag(self, key: str, value: Any) -> None:
        self._tags[key] = value

    def set_tags(self, tags: Dict[str, Any]) -> None:
        self._tags.update(tags)

    def remove_tag(self, key: str) -> None:
        self._tags.pop(key, None)

    def set_context(self, key: str, value: Dict[str, Any]) -> None:
        self._contexts[key] = value

    def remove_context(self, key: str) -> None:
        self._contexts.pop(key, None)

    def set_extra(self, key: str, value: Any) -> None:
        self._extras[key] = value

    def remove_extra(self, key: str) -> None:
        self._extras.pop(key, None)

    def clear_breadcrumbs(self) -> None:
        self._breadcrumbs = deque()

    def add_attachment(
        self,
        bytes: Optional[Union[bytes, Callable[[], bytes]]] = None,  # noqa: A002
        filename: Optional[str] = None,
        path: Optional[str] = None,
        content_type: Optional[str] = None,
        add_to_transactions: bool = False,
    ) -> None:
        from sentry_lite.attachments import Attachment

        self._attachments.append(
            Attachment(
                bytes=bytes,
                filename=filename,
                path=path,
                content_type=content_type,
                add_to_transactions=add_to_transactions,
            )
        )

    def add_breadcrumb(
        self, crumb: Optional[Breadcrumb] = None, hint: Optional[Hint] = None, **kwargs: Any
    ) -> None:
        client = self.get_client()
        if not client.is_active():
            return
        options = client.options
        crumb = dict(crumb or ())
        if kwargs:
            crumb.update(kwargs)
        if not crumb:
            return
        if crumb.get("timestamp") is None:
            crumb["timestamp"] = datetime.now(timezone.utc)
        if crumb.get("type") is None:
            crumb["type"] = "default"
        before = options.get("before_breadcrumb")
        if before is not None:
            try:
                new_crumb = before(crumb, hint or {})
            except Exception:
                client.log_hook_error("before_breadcrumb")
                new_crumb = crumb
            if new_crumb is None:
                return
            crumb = new_crumb
        max_crumbs = options.get("max_breadcrumbs", DEFAULT_MAX_BREADCRUMBS)
        crumbs = self._breadcrumbs
        crumbs.append(crumb)
        while len(crumbs) > max_crumbs:
            crumbs.popleft()

    def add_event_processor(self, func: EventProcessor) -> None:
        self._event_processors.append(func)

    def add_error_processor(
        self,
        func: ErrorProcessor,
        cls: Optional[Union[type, Tuple[type, ...]]] = None,
    ) -> None:
        self._error_processors.append((func, cls))

    def update_from_scope(self, scope: Scope) -> None:
        if scope._level is not None:
            self._level = scope._level
        if scope._fingerprint is not None:
            self._fingerprint = scope._fingerprint
        if scope._transaction is not None:
            self._transaction = scope._transaction
        if scope._transaction_info:
            self._transaction_info.update(scope._transaction_info)
        if scope._user is not None:
            self._user = scope._user
        self._tags.update(scope._tags)
        self._contexts.update(scope._contexts)
        self._extras.update(scope._extras)
        if scope._breadcrumbs:
            self._breadcrumbs.extend(scope._breadcrumbs)
        self._event_processors.extend(scope._event_processors)
        self._error_processors.extend(scope._error_processors)
        self._attachments.extend(scope._attachments)
        if scope._span is not None:
            self._span = scope._span
        if scope._propagation_context is not None:
            self._propagation_context = scope._propagation_context

    def update_from_kwargs(
        self,
        user: Optional[Dict[str, Any]] = None,
        level: Optional[str] = None,
        extras: Optional[Dict[str, Any]] = None,
        contexts: Optional[Dict[str, Dict[str, Any]]] = None,
        tags: Optional[Dict[str, str]] = None,
        fingerprint: Optional[List[str]] = None,
        **unknown: Any,
    ) -> None:
        """Apply the keyword scope arguments of ``capture_*`` (``tags=``, ``user=``, ...)."""
        if unknown:
            from sentry_lite.client import warn_once

            warn_once(
                "capture_kwargs:" + ",".join(sorted(unknown)),
                "sentry_lite: ignoring unknown scope argument(s) %s",
                ", ".join(sorted(unknown)),
            )
        if level is not None:
            self._level = level
        if user is not None:
            self._user = user
        if extras is not None:
            self._extras.update(extras)
        if contexts is not None:
            self._contexts.update(contexts)
        if tags is not None:
            self._tags.update(tags)
        if fingerprint is not None:
            self._fingerprint = fingerprint

    # -- tracing hooks ---------------------------------------------------------
    def get_propagation_context(self) -> PropagationContext:
        """This scope's propagation context, created on first use."""
        if self._propagation_context is None:
            self._propagation_context = PropagationContext()
        return self._propagation_context

    def get_active_propagation_context(self) -> PropagationContext:
        """This scope's context, else the current scope's, else the isolation scope's."""
        from sentry_lite.tracing.api import active_propagation_context

        return active_propagation_context(self)

    def set_new_propagation_context(self) -> None:
        self._propagation_context = PropagationContext()

    def generate_propagation_context(self, incoming_data: Optional[Dict[str, Any]] = None) -> None:
        """Continue ``incoming_data``'s trace (a fresh one if it has none); without
        data, make sure a non-current scope has a context, keeping an existing one."""
        if incoming_data is not None:
            self._propagation_context = propagation_context_from_headers(incoming_data)
        if self._type != ScopeType.CURRENT and self._propagation_context is None:
            self.set_new_propagation_context()

    def get_trace_context(self) -> Dict[str, Any]:
        from sentry_lite.tracing.api import get_trace_context_on

        return get_trace_context_on(self)

    def start_transaction(
        self,
        transaction: Any = None,
        instrumenter: str = "sentry",
        custom_sampling_context: Optional[Dict[str, Any]] = None,
        **kwargs: Any,
    ) -> Any:
        from sentry_lite.tracing.api import start_transaction_on

        return start_transaction_on(
            self, transaction, instrumenter, custom_sampling_context, kwargs
        )

    def start_span(self, **kwargs: Any) -> Any:
        from sentry_lite.tracing.api import start_span_on

        return start_span_on(self, kwargs)

    def continue_trace(
        self,
        environ_or_headers: Dict[str, Any],
        op: Optional[str] = None,
        name: Optional[str] = None,
        source: Optional[str] = None,
        origin: str = "manual",
    ) -> Any:
        from sentry_lite.tracing.api import continue_trace_on

        return continue_trace_on(self, environ_or_headers, op, name, source, origin)

    def get_traceparent(self, *args: Any, **kwargs: Any) -> Optional[str]:
        from sentry_lite.tracing.api import get_traceparent_on

        return get_traceparent_on(self)

    def get_baggage(self, *args: Any, **kwargs: Any) -> Any:
        from sentry_lite.tracing.api import get_baggage_on

        return get_baggage_on(self)

    def iter_trace_propagation_headers(
        self, *args: Any, **kwargs: Any
    ) -> Iterator[Tuple[str, str]]:
        from sentry_lite.tracing.api import iter_trace_propagation_headers

        return iter_trace_propagation_headers(self, kwargs.get("span"))

    def trace_propagation_meta(self, *args: Any, **kwargs: Any) -> str:
        from sentry_lite.tracing.api import trace_propagation_meta

        return trace_propagation_meta(self)

    # -- capture (sentry_sdk 2.x has these on Scope) ---------------------------
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
        return LayeredScope((self,)).apply_to_event(event, hint, options or {})

    def __repr__(self) -> str:
        return f"<Scope id={id(self):#x} type={self._type}>"


def capture_layer(
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
        or base is _current_scope.get()
        or base is _isolation_scope.get()
        or base is _global_scope
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


def _crumb_time(crumb: Breadcrumb) -> float:
    ts = crumb.get("timestamp")
    if isinstance(ts, datetime):
        return ts.timestamp()
    if isinstance(ts, (int, float)):
        return float(ts)
    return 0.0


class LayeredScope:
    """The scopes that apply to one capture, merged lazily at ``apply_to_event``.

    Merging three scopes into a copy (as sentry_sdk does) costs a dict copy per field
    per event; walking the layers once costs nothing when a layer is empty.
    """

    __slots__ = ("layers",)

    def __init__(self, layers: Tuple[Scope, ...]) -> None:
        self.layers = layers

    def trace_context(self, tracing_enabled: bool) -> Dict[str, Any]:
        """The active span's trace context when tracing is on, else the propagation
        context's, so errors link to the trace either way. Carries the DSC, which the
        client moves to the envelope header."""
        span = self.span()
        if span is not None and tracing_enabled:
            get = getattr(span, "get_trace_context", None)
            if get is not None:
                context = get()
                if context:
                    return context  # type: ignore[no-any-return]
        return self.propagation_context().trace_context()

    def propagation_context(self) -> PropagationContext:
        for layer in reversed(self.layers):
            if layer._propagation_context is not None:
                return layer._propagation_context
        return Scope.get_isolation_scope().get_propagation_context()

    def span(self) -> Any:
        for layer in reversed(self.layers):
            if layer._span is not None:
                return layer._span
        return None

    def apply_to_event(self, event: Event, hint: Hint, options: Dict[str, Any]) -> Optional[Event]:
        is_transaction = event.get("type") == "transaction"
        layers = self.layers
        attachments = hint.get("attachments") or []
        crumb_layers = 0
        crumbs: List[Breadcrumb] = []
        for layer in layers:
            for attachment in layer._attachments:
                if not is_transaction or attachment.add_to_transactions:
                    attachments.append(attachment)
            if layer._contexts:
                event.setdefault("contexts", {}).update(layer._contexts)
            if layer._level is not None:
                event["level"] = layer._level
            if layer._tags:
                event.setdefault("tags", {}).update(layer._tags)
            if layer._extras:
                event.setdefault("extra", {}).update(layer._extras)
            if not is_transaction and layer._breadcrumbs:
                crumbs.extend(layer._breadcrumbs)
                crumb_layers += 1
        hint["attachments"] = attachments
        # "First set wins" fields: the event's own value, else the innermost scope's.
        for layer in reversed(layers):
            # The layer's field first: it is usually unset, and cheaper to look at.
            if layer._user is not None and event.get("user") is None:
                event["user"] = layer._user
            if layer._fingerprint is not None and event.get("fingerprint") is None:
                event["fingerprint"] = layer._fingerprint
            if layer._transaction is not None and event.get("transaction") is None:
                event["transaction"] = layer._transaction
            if layer._transaction_info and event.get("transaction_info") is None:
                event["transaction_info"] = layer._transaction_info
        if not is_transaction:
            if event.get("transaction_info") is None:
                event["transaction_info"] = {}
            existing = event.get("breadcrumbs")
            if isinstance(existing, dict) and existing.get("values"):
                crumbs = list(existing["values"]) + crumbs
                crumb_layers += 1
            if crumb_layers > 1:
                crumbs.sort(key=_crumb_time)
            event["breadcrumbs"] = {"values": crumbs}
        contexts = event.setdefault("contexts", {})
        if contexts.get("trace") is None:
            contexts["trace"] = self.trace_context(has_tracing_enabled(options))
        exc_info = hint.get("exc_info")
        if exc_info is not None:
            for layer in layers:
                for processor, cls in layer._error_processors:
                    if cls is not None and not isinstance(exc_info[1], cls):
                        continue
                    try:
                        new_event = processor(event, exc_info)
                    except Exception:  # noqa: BLE001
                        _log_processor_error(processor)
                        continue
                    if new_event is None:
                        return None
                    event = new_event
        result: Optional[Event] = _run_processors(_global_event_processors, event, hint)
        for layer in layers:
            if result is None:
                return None
            if layer._event_processors:
                result = _run_processors(layer._event_processors, result, hint)
        return result


def _run_processors(processors: List[EventProcessor], event: Event, hint: Hint) -> Optional[Event]:
    """Run ``processors`` in order; None as soon as one drops the event."""
    for processor in processors:
        try:
            new_event = processor(event, hint)
        except Exception:  # noqa: BLE001
            _log_processor_error(processor)
            continue
        if new_event is None:
            return None
        event = new_event
    return event


def _log_processor_error(processor: Any) -> None:
    import logging

    logging.getLogger("sentry_lite.errors").warning(
        "sentry_lite: event processor %r raised; the event is kept as it was",
        processor,
        exc_info=True,
    )


def layers_for_capture(
    base: Optional[Scope] = None,
    scope: Optional[Union[Scope, Callable[[Scope], None]]] = None,
    kwargs: Optional[Dict[str, Any]] = None,
) -> LayeredScope:
    """Global, isolation and current scope, plus the call's own layer if it has one."""
    extra = capture_layer(base, scope, kwargs or {})
    layers: Tuple[Scope, ...] = (
        _global_scope,
        Scope.get_isolation_scope(),
        Scope.get_current_scope(),
    )
    if extra is not None:
        layers += (extra,)
    return LayeredScope(layers)


_current_scope: ContextVar[Optional[Scope]] = ContextVar("sentry_lite_current_scope", default=None)
_isolation_scope: ContextVar[Optional[Scope]] = ContextVar(
    "sentry_lite_isolation_scope", default=None
)
_global_scope = Scope(ScopeType.GLOBAL)


@contextmanager
def new_scope() -> Iterator[Scope]:
    """Fork the current scope for the duration of the block."""
    forked = Scope.get_current_scope().fork()
    token = _current_scope.set(forked)
    try:
        yield forked
    finally:
        _reset(_current_scope, token)


@contextmanager
def use_scope(scope: Scope) -> Iterator[Scope]:
    token = _current_scope.set(scope)
    try:
        yield scope
    finally:
        _reset(_current_scope, token)


@contextmanager
def isolation_scope() -> Iterator[Scope]:
    """Fork both the isolation and current scopes: nothing set inside leaks out."""
    current_token = _current_scope.set(Scope.get_current_scope().fork())
    forked = Scope.get_isolation_scope().fork()
    isolation_token = _isolation_scope.set(forked)
    try:
        yield forked
    finally:
        _reset(_isolation_scope, isolation_token)
        _reset(_current_scope, current_token)


@contextmanager
def use_isolation_scope(isolation: Scope) -> Iterator[Scope]:
    current_token = _current_scope.set(Scope.get_current_scope().fork())
    isolation_token = _isolation_scope.set(isolation)
    try:
        yield isolation
    finally:
        _reset(_isolation_scope, isolation_token)
        _reset(_current_scope, current_token)


def _reset(var: ContextVar[Optional[Scope]], token: Any) -> None:
    try:
        var.reset(token)
    except ValueError:
        # The block was exited in another context (e.g. a generator finalised
        # elsewhere); fall back to leaving the var as it is rather than raising.
        pass
