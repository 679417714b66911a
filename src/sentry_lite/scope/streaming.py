"""A scope's side of span streaming: the active streamed span, starting spans (segment
or child, sampled or not), scope attributes, and the conversation id of AI spans.

Attributes set on the global, isolation and current scope apply to every streamed span
(and log and metric) captured while those scopes are active, the span's own winning.
"""

from __future__ import annotations

import sys
import warnings
from typing import TYPE_CHECKING, Any, Dict, Optional, Tuple, Type, Union

from sentry_lite import shortcuts
from sentry_lite.events.contexts import sdk_name
from sentry_lite.scope.spans import ScopeTracing, start_transaction_on
from sentry_lite.sdk_identity import VERSION
from sentry_lite.tracing.attributes import Attributes, AttributeValue, format_attribute
from sentry_lite.tracing.noop import NoOpSpan
from sentry_lite.tracing.span import Span
from sentry_lite.tracing.stream_sampling import (
    is_ignored_span,
    streaming_sampling_decision,
)
from sentry_lite.tracing.transaction import Transaction

if TYPE_CHECKING:
    from sentry_lite.tracing.streamed import StreamedSpan
    from sentry_lite.tracing.streamed_noop import NoOpStreamedSpan

__all__ = ["DEFAULT_PARENT_SPAN", "ScopeStreaming", "telemetry_attributes"]

DEFAULT_PARENT_SPAN: Any = object()
"""``parent_span`` not given: the active span is the parent (``None`` means no parent)."""

_SOURCE = "sentry.segment.name.source"
_USER_ATTRIBUTES = (
    ("user.id", "id"),
    ("user.name", "username"),
    ("user.email", "email"),
    ("user.ip_address", "ip_address"),
)


def _streamed_class() -> Any:
    """StreamedSpan if its module is loaded, else None: until span streaming is used no
    such span exists, so ``import sentry_lite`` does not load it."""
    module = sys.modules.get("sentry_lite.tracing.streamed")
    return None if module is None else module.StreamedSpan


_CLASSES: Optional[Tuple[Type[StreamedSpan], Type[NoOpStreamedSpan]]] = None


def _span_classes() -> Tuple[Type[StreamedSpan], Type[NoOpStreamedSpan]]:
    """(StreamedSpan, NoOpStreamedSpan), imported on the first streamed span."""
    global _CLASSES
    if _CLASSES is None:
        from sentry_lite.tracing.streamed import StreamedSpan as streamed
        from sentry_lite.tracing.streamed_noop import NoOpStreamedSpan as noop

        _CLASSES = (streamed, noop)
    return _CLASSES


def _is_streamed(span: Any) -> bool:
    classes = _CLASSES
    if classes is not None:  # streamed spans were made: their class is at hand
        return isinstance(span, classes[0])
    cls = _streamed_class()
    return cls is not None and isinstance(span, cls)


class ScopeStreaming(ScopeTracing):
    __slots__ = ()

    # -- the active streamed span -------------------------------------------------------
    @property
    def streamed_span(self) -> Optional[StreamedSpan]:
        span = self._span
        return span if _is_streamed(span) else None

    @streamed_span.setter
    def streamed_span(self, span: Optional[StreamedSpan]) -> None:
        self._span = span
        # A segment names the scope, so events link to it (as transactions do).
        if span is None or not _is_streamed(span) or span._segment is not span:
            return
        if type(span) is _streamed_class() or span._name is not None:
            self._transaction = span.name
        source = span._attributes.get(_SOURCE)
        if source:
            self._transaction_info["source"] = str(source)

    def set_transaction_name(self, name: str, source: Optional[str] = None) -> None:
        """In streaming mode the name (and source) go to the active segment too."""
        super().set_transaction_name(name, source)
        span = self._span
        if _is_streamed(span):
            span._segment.name = name
            if source:
                span._segment.set_attribute(_SOURCE, getattr(source, "value", source))

    @classmethod
    def set_custom_sampling_context(cls, custom_sampling_context: Dict[str, Any]) -> None:
        """Extra keys for ``traces_sampler``'s sampling context of the next segment of
        the active trace (the WSGI environ, say), as sentry_sdk's classmethod."""
        context = cls.get_current_scope().get_active_propagation_context()
        context.custom_sampling_context = custom_sampling_context

    # -- starting spans -----------------------------------------------------------------
    def start_streamed_span(
        self,
        name: str,
        attributes: Optional[Attributes],
        parent_span: Optional[StreamedSpan],
        active: bool,
        client: Any = None,
    ) -> StreamedSpan:
        """A child of ``parent_span`` (default: the active span) or a new segment;
        ``client``: the active client when the caller has it in hand."""
        StreamedSpan, NoOpStreamedSpan = _span_classes()

        options = (client or self.get_client()).options
        if parent_span is DEFAULT_PARENT_SPAN or isinstance(parent_span, NoOpStreamedSpan):
            parent_span = self._span
            if (
                type(parent_span) is NoOpStreamedSpan
                and shortcuts.enabled
                and not is_ignored_span(options, name, attributes)
            ):
                return NoOpStreamedSpan.child_of(parent_span, name, attributes)
            if not _is_streamed(parent_span):
                parent_span = None
        if parent_span is None:
            return self._start_segment(options, name, attributes, active)
        if is_ignored_span(options, name, attributes):
            reason: Any = "ignored"
        elif isinstance(parent_span, NoOpStreamedSpan):
            reason = parent_span._unsampled_reason  # a child of an unsampled span
        else:
            return StreamedSpan(
                name=name,
                attributes=attributes,
                active=active,
                scope=self,
                segment=parent_span._segment,
                trace_id=parent_span.trace_id,
                parent_span_id=parent_span.span_id,
                parent_sampled=parent_span.sampled,
            )
        return NoOpStreamedSpan(
            name=name,
            attributes=attributes,
            segment=parent_span._segment,
            trace_id=parent_span.trace_id,
            parent_span_id=parent_span.span_id,
            parent_sampled=parent_span.sampled,
            unsampled_reason=reason,
        )

    def _start_segment(
        self, options: Any, name: str, attributes: Optional[Attributes], active: bool
    ) -> StreamedSpan:
        StreamedSpan, NoOpStreamedSpan = _span_classes()

        context = self.get_active_propagation_context()
        if is_ignored_span(options, name, attributes):
            return NoOpStreamedSpan(
                name=name,
                attributes=attributes,
                scope=self,
                trace_id=context.trace_id,
                parent_span_id=context.parent_span_id,
                parent_sampled=context.parent_sampled,
                baggage=context.baggage,
                unsampled_reason="ignored",
            )
        sampled, rate, rand, reason = streaming_sampling_decision(
            options, name, attributes, context
        )
        keep_incoming_rate = context.parent_sampled is not None and not callable(
            options.get("traces_sampler")
        )
        if rate is not None and not keep_incoming_rate:
            baggage = context.baggage
            if baggage is not None and baggage.sentry_items.get("sample_rate"):
                baggage.sentry_items["sample_rate"] = str(rate)
        if not sampled:
            return NoOpStreamedSpan.unsampled_segment(
                self, name, attributes, context, sampled, reason, rand, rate
            )
        return StreamedSpan(
            name=name,
            attributes=attributes,
            active=active,
            scope=self,
            trace_id=context.trace_id,
            parent_span_id=context.parent_span_id,
            parent_sampled=context.parent_sampled,
            baggage=context.baggage,
            sample_rand=rand,
            sample_rate=rate,
        )

    # -- the legacy API is off in streaming mode ----------------------------------------
    def start_transaction(
        self,
        transaction: Optional[Transaction] = None,
        instrumenter: str = "sentry",
        custom_sampling_context: Optional[Dict[str, Any]] = None,
        **kwargs: Any,
    ) -> Union[Transaction, NoOpSpan]:
        client = self.get_client()
        if client.span_streaming:
            warnings.warn(
                "Scope.start_transaction is not available in streaming mode.",
                DeprecationWarning,
                stacklevel=2,
            )
            return NoOpSpan()
        return start_transaction_on(
            self, transaction, instrumenter, custom_sampling_context, kwargs, client.options
        )

    def start_span(self, **kwargs: Any) -> Span:
        fast = self.unsampled_child(kwargs)  # a legacy unsampled transaction's child
        if fast is not None:
            return fast
        if self.get_client().span_streaming:
            warnings.warn(
                "Scope.start_span is not available in streaming mode.",
                DeprecationWarning,
                stacklevel=2,
            )
            return NoOpSpan()
        return super().start_span(**kwargs)

    # -- attributes -----------------------------------------------------------------------
    def set_attribute(self, attribute: str, value: AttributeValue) -> None:
        """Applies to the logs, metrics and streamed spans captured under this scope."""
        self._attributes[attribute] = format_attribute(value)

    def set_attributes(self, attributes: Dict[str, AttributeValue]) -> None:
        for attribute, value in attributes.items():
            self._attributes[attribute] = format_attribute(value)

    def remove_attribute(self, attribute: str) -> None:
        self._attributes.pop(attribute, None)

    def set_global_attributes(self) -> None:
        """What every span (log, metric) says about the SDK and the process."""
        client = self.get_client()
        options = client.options
        self.set_attribute("sentry.sdk.name", sdk_name(sorted(client.integrations or ())))
        self.set_attribute("sentry.sdk.version", VERSION)
        import platform  # the first streamed span's attributes, not ``import sentry_lite``

        self.set_attribute("process.runtime.name", platform.python_implementation())
        version = sys.version_info
        self.set_attribute(
            "process.runtime.version", f"{version.major}.{version.minor}.{version.micro}"
        )
        for key, option in (
            ("server.address", "server_name"),
            ("sentry.environment", "environment"),
            ("sentry.release", "release"),
        ):
            value = options.get(option)
            if value:
                self.set_attribute(key, value)

    # -- the conversation id of AI spans --------------------------------------------------
    def set_conversation_id(self, conversation_id: str) -> None:
        self._gen_ai_conversation_id = conversation_id

    def get_conversation_id(self) -> Optional[str]:
        return self._gen_ai_conversation_id

    def remove_conversation_id(self) -> None:
        self._gen_ai_conversation_id = None


def telemetry_attributes(
    layers: Any, own: Dict[str, Any], send_user: bool, user_layer: Any = None
) -> None:
    """Add the scopes' attributes (and, with ``send_user``, the user's) to ``own``
    where it has none of its own; later layers win over earlier ones. ``user_layer``: a
    scope below ``layers`` whose user (only) counts too."""
    merged: Dict[str, Any] = {}
    user: Optional[Dict[str, Any]] = None if user_layer is None else user_layer._user
    for layer in layers:
        if layer._attributes:
            merged.update(layer._attributes)
        if layer._user is not None:
            user = layer._user
    for key, value in merged.items():
        if key not in own:
            own[key] = value
    if send_user and user:
        for key, field in _USER_ATTRIBUTES:
            value = user.get(field)
            if value is not None and key not in own:
                own[key] = value
