"""What a scope holds (tags, user, breadcrumbs, contexts, the active span...) and how it
is copied; nothing here knows which scopes are active or how events are captured.

Split from ``model.py`` so that the rules that apply scopes to an event (``layers.py``)
and the tracing methods (``spans.py``) can name the data without importing the class
that ties everything together.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any, Callable, Deque, Dict, List, Optional, Tuple, Union

from sentry_lite import shortcuts
from sentry_lite.client_base import BaseClient, warn_once
from sentry_lite.limits import DEFAULT_FLAG_CAPACITY
from sentry_lite.scope.flags import FlagBuffer
from sentry_lite.tracing.context import PropagationContext

if TYPE_CHECKING:  # annotations only: building typing aliases costs import time
    from sentry_lite.types import Breadcrumb, Event, EventProcessor

    ErrorProcessor = Callable[[Event, Any], Optional[Event]]

__all__ = ["ScopeData", "ScopeType"]


class ScopeType:
    CURRENT = "current"
    ISOLATION = "isolation"
    GLOBAL = "global"
    MERGED = "merged"


class ScopeData:
    """The data that enriches events captured while a scope is active."""

    __slots__ = (  # noqa: RUF005 - i13's fields apart, to ease merging
        "_attachments",
        "_attributes",
        "_breadcrumbs",
        "_contexts",
        "_error_processors",
        "_event_processors",
        "_extras",
        "_fingerprint",
        "_flags",
        "_gen_ai_conversation_id",
        "_last_event_id",
        "_level",
        "_n_breadcrumbs_truncated",
        "_propagation_context",
        "_span",
        "_tags",
        "_transaction",
        "_transaction_info",
        "_type",
        "_user",
        "client",
    ) + ("_force_auto_session_tracking", "_session")  # i13: sessions

    def __init__(self, ty: Optional[str] = None, client: Optional[BaseClient] = None) -> None:
        self._type = ty
        self.client: Optional[BaseClient] = client
        self._last_event_id: Optional[str] = None
        self._propagation_context: Optional[PropagationContext] = None
        self.clear()

    def clear(self) -> None:
        self._last_event_id = None  # sentry_sdk: clearing forgets the last event too
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
        self._n_breadcrumbs_truncated = 0  # c-core: crumbs max_breadcrumbs pushed out
        self._event_processors: List[EventProcessor] = []
        self._error_processors: List[Tuple[ErrorProcessor, Any]] = []
        self._span: Any = None
        self._propagation_context = None
        self._flags: Optional[FlagBuffer] = None
        # -- i13: sessions --
        self._session: Any = None
        self._force_auto_session_tracking: Optional[bool] = None
        self._attributes: Dict[str, Any] = {}
        self._gen_ai_conversation_id: Optional[str] = None

    # -- copies ---------------------------------------------------------------------------
    def fork(self) -> Any:
        """A copy whose changes do not affect this scope (same class as this one)."""
        rv = self._copy_fields()
        rv._breadcrumbs = deque(self._breadcrumbs)
        rv._n_breadcrumbs_truncated = self._n_breadcrumbs_truncated
        rv._propagation_context = self._propagation_context
        return rv

    __copy__ = fork

    def fork_for_request(self, processor: Optional[EventProcessor]) -> Any:
        """The isolation scope of a new web request or task: a fork without this scope's
        breadcrumbs and trace (the request starts its own), plus the request's event
        processor. Saves copying up to ``max_breadcrumbs`` crumbs only to drop them
        (``shortcuts.disabled()``: a full fork, then emptied)."""
        rv = self._copy_fields() if shortcuts.enabled else self.fork()
        rv._breadcrumbs = deque()
        rv._n_breadcrumbs_truncated = 0
        rv._propagation_context = None
        if processor is not None:
            rv._event_processors.append(processor)
        return rv

    def _copy_fields(self) -> Any:
        """A new scope with this one's data, except breadcrumbs and propagation context."""
        cls = type(self)
        rv = cls.__new__(cls)
        rv._type = self._type
        rv.client = self.client
        rv._last_event_id = self._last_event_id
        rv._level = self._level
        rv._fingerprint = self._fingerprint
        rv._transaction = self._transaction
        # Most of these are empty (a request forks scopes that hold nothing of their
        # own): a literal is cheaper than copying an empty container.
        rv._transaction_info = dict(d) if (d := self._transaction_info) else {}
        rv._user = self._user
        rv._tags = dict(d) if (d := self._tags) else {}
        rv._contexts = dict(d) if (d := self._contexts) else {}
        rv._extras = dict(d) if (d := self._extras) else {}
        rv._attachments = list(x) if (x := self._attachments) else []
        rv._event_processors = list(x) if (x := self._event_processors) else []
        rv._error_processors = list(e) if (e := self._error_processors) else []
        rv._span = self._span
        rv._flags = self._flags.__deepcopy__({}) if self._flags is not None else None
        rv._session = self._session  # -- i13: sessions --
        rv._force_auto_session_tracking = self._force_auto_session_tracking
        rv._attributes = dict(d) if (d := self._attributes) else {}
        rv._gen_ai_conversation_id = self._gen_ai_conversation_id
        return rv

    # -- fields ---------------------------------------------------------------------------
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

    def swap_span(self, span: Any) -> Any:
        """Make ``span`` the active span without naming the scope; the previous span.

        What ``with span:`` uses (tracing's ``SpanScope`` interface): entering a child
        span must not rename anything, and costs one call.
        """
        old = self._span
        self._span = span
        return old

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
        self._n_breadcrumbs_truncated = 0

    def add_attachment(
        self,
        bytes: Optional[Union[bytes, Callable[[], bytes]]] = None,  # noqa: A002
        filename: Optional[str] = None,
        path: Optional[str] = None,
        content_type: Optional[str] = None,
        add_to_transactions: bool = False,
    ) -> None:
        # Here, not at module level: attachments bring the envelope module (json) into
        # ``import sentry_lite``; few apps attach files.
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

    def add_event_processor(self, func: EventProcessor) -> None:
        self._event_processors.append(func)

    def add_error_processor(
        self,
        func: ErrorProcessor,
        cls: Optional[Union[type, Tuple[type, ...]]] = None,
    ) -> None:
        self._error_processors.append((func, cls))

    def update_from_scope(self, scope: ScopeData) -> None:
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
        self._n_breadcrumbs_truncated += scope._n_breadcrumbs_truncated
        self._event_processors.extend(scope._event_processors)
        self._error_processors.extend(scope._error_processors)
        self._attachments.extend(scope._attachments)
        if scope._span is not None:
            self._span = scope._span
        if scope._propagation_context is not None:
            self._propagation_context = scope._propagation_context
        if scope._flags is not None:
            if self._flags is None:
                self._flags = scope._flags.__deepcopy__({})
            else:
                for flag in scope._flags.get():
                    self._flags.set(flag["flag"], flag["result"])
        if scope._session is not None:  # -- i13: sessions --
            self._session = scope._session
        if scope._attributes:
            self._attributes.update(scope._attributes)
        if scope._gen_ai_conversation_id:
            self._gen_ai_conversation_id = scope._gen_ai_conversation_id

    def update_from_kwargs(
        self,
        user: Optional[Dict[str, Any]] = None,
        level: Optional[str] = None,
        extras: Optional[Dict[str, Any]] = None,
        contexts: Optional[Dict[str, Dict[str, Any]]] = None,
        tags: Optional[Dict[str, str]] = None,
        fingerprint: Optional[List[str]] = None,
        attributes: Optional[Dict[str, Any]] = None,
        **unknown: Any,
    ) -> None:
        """Apply the keyword scope arguments of ``capture_*`` (``tags=``, ``user=``, ...)."""
        if unknown:
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
        if attributes is not None:
            self._attributes.update(attributes)

    # -- the trace this scope belongs to ----------------------------------------------------
    def get_propagation_context(self) -> PropagationContext:
        """This scope's propagation context, created on first use."""
        if self._propagation_context is None:
            self._propagation_context = PropagationContext()
        return self._propagation_context

    def set_new_propagation_context(self) -> None:
        self._propagation_context = PropagationContext()

    @property
    def flags(self) -> FlagBuffer:
        """The feature-flag evaluations recorded on this scope (``add_feature_flag``)."""
        if self._flags is None:
            get_client = getattr(self, "get_client", None)  # a Scope: the active client
            client = get_client() if get_client is not None else self.client
            self._flags = FlagBuffer(_flag_capacity(client))
        return self._flags

    def __repr__(self) -> str:
        return f"<Scope id={id(self):#x} type={self._type}>"


def _flag_capacity(client: Optional[BaseClient]) -> int:
    try:
        experiments = client.options.get("_experiments") if client is not None else None
        capacity = experiments.get("max_flags") if isinstance(experiments, dict) else None
    except Exception:  # noqa: BLE001
        capacity = None
    return capacity if isinstance(capacity, int) and capacity > 0 else DEFAULT_FLAG_CAPACITY
