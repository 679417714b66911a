"""Applying the scopes of one capture to its event, as named per-field rules.

The scopes that apply (global, isolation, current, and the call's own ``scope=``/kwargs
layer) are kept as a tuple of *layers* and merged only here, when an event exists.
sentry_sdk merges them into a copy first, which costs a dict copy per field per event;
walking the layers costs nothing for a layer that is empty.

Each rule below is a plain function ``(layers, event, hint)`` for one field, applied in
the order of :data:`ERROR_RULES` / :data:`TRANSACTION_RULES`; then the trace context,
the error processors and the event processors (which may drop the event).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from sentry_lite.events.meta import annotate
from sentry_lite.lean_stdlib import datetime
from sentry_lite.options import tracing_enabled
from sentry_lite.scope.data import ScopeData
from sentry_lite.sdk_loggers import internal_logger as logger
from sentry_lite.tracing.context import PropagationContext

if TYPE_CHECKING:  # annotations only: building typing aliases costs import time
    from sentry_lite.types import Breadcrumb, Event, EventProcessor, Hint

    Layers = Sequence[ScopeData]
    Rule = Callable[[Layers, Event, Hint], None]

__all__ = [
    "ERROR_RULES",
    "TRANSACTION_RULES",
    "LayeredScope",
    "add_global_event_processor",
    "global_event_processors",
    "run_processors",
]

global_event_processors: List[EventProcessor] = []
"""Processors that run for every event of every scope, before the scopes' own."""


def add_global_event_processor(processor: EventProcessor) -> EventProcessor:
    """Register a processor for every event (usable as a decorator)."""
    global_event_processors.append(processor)
    return processor


# -- per-field rules ----------------------------------------------------------------------


def collect_attachments(layers: Layers, event: Event, hint: Hint) -> None:
    """Attachments of every layer join the hint (transactions: only those that ask)."""
    attachments = hint.get("attachments") or []
    for layer in layers:
        if layer._attachments:
            is_transaction = event.get("type") == "transaction"
            for attachment in layer._attachments:
                if not is_transaction or attachment.add_to_transactions:
                    attachments.append(attachment)
    hint["attachments"] = attachments


def merge_contexts(layers: Layers, event: Event, hint: Hint) -> None:
    """Contexts of all layers, inner layers winning per key."""
    for layer in layers:
        if layer._contexts:
            event.setdefault("contexts", {}).update(layer._contexts)


def merge_tags(layers: Layers, event: Event, hint: Hint) -> None:
    for layer in layers:
        if layer._tags:
            event.setdefault("tags", {}).update(layer._tags)


def merge_extra(layers: Layers, event: Event, hint: Hint) -> None:
    for layer in layers:
        if layer._extras:
            event.setdefault("extra", {}).update(layer._extras)


def scope_level(layers: Layers, event: Event, hint: Hint) -> None:
    """A level set on a scope overrides the event's (as in sentry_sdk)."""
    for layer in layers:
        if layer._level is not None:
            event["level"] = layer._level


def first_set_user(layers: Layers, event: Event, hint: Hint) -> None:
    """``user``: the event's own, else the innermost scope's."""
    if event.get("user") is None:
        for layer in reversed(layers):
            if layer._user is not None:
                event["user"] = layer._user
                return


def first_set_fingerprint(layers: Layers, event: Event, hint: Hint) -> None:
    """``fingerprint``: the event's own, else the innermost scope's."""
    if event.get("fingerprint") is None:
        for layer in reversed(layers):
            if layer._fingerprint is not None:
                event["fingerprint"] = layer._fingerprint
                return


def first_set_transaction(layers: Layers, event: Event, hint: Hint) -> None:
    """``transaction`` (the name): the event's own, else the innermost scope's."""
    if event.get("transaction") is None:
        for layer in reversed(layers):
            if layer._transaction is not None:
                event["transaction"] = layer._transaction
                return


def first_set_transaction_info(layers: Layers, event: Event, hint: Hint) -> None:
    """``transaction_info``: the event's own, else the innermost non-empty scope's."""
    if event.get("transaction_info") is None:
        for layer in reversed(layers):
            if layer._transaction_info:
                event["transaction_info"] = layer._transaction_info
                return


def error_transaction_info(layers: Layers, event: Event, hint: Hint) -> None:
    """Error events always carry ``transaction_info`` (empty when no scope named one)."""
    if event.get("transaction_info") is None:
        event["transaction_info"] = {}


def _crumb_time(crumb: Breadcrumb) -> float:
    ts = crumb.get("timestamp")
    if isinstance(ts, datetime):
        return ts.timestamp()
    if isinstance(ts, (int, float)):
        return float(ts)
    if isinstance(ts, str):
        try:
            return datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return 0.0
    return 0.0


def merge_breadcrumbs(layers: Layers, event: Event, hint: Hint) -> None:
    """The event's own crumbs and every layer's, in time order (errors only)."""
    crumbs: List[Breadcrumb] = []
    sources = 0
    existing = event.get("breadcrumbs")
    if isinstance(existing, dict) and existing.get("values"):
        crumbs.extend(existing["values"])
        sources += 1
    truncated = 0
    for layer in layers:
        if layer._breadcrumbs:
            crumbs.extend(layer._breadcrumbs)
            sources += 1
        truncated += layer._n_breadcrumbs_truncated
    if len(crumbs) > 1:  # crumbs given their own (past) timestamps are in order too
        crumbs.sort(key=_crumb_time)
    event["breadcrumbs"] = {"values": crumbs}
    if truncated:  # as sentry_sdk: how many there were before max_breadcrumbs cut them
        annotate(event, ["breadcrumbs"], len=len(crumbs) + truncated)


def merge_flags(layers: Layers, event: Event, hint: Hint) -> None:
    """The feature flags every layer saw, latest result per flag (errors only).

    As sentry_sdk's merged scope: the first layer with a buffer gives the capacity, and
    each later layer's evaluations go in after it, the oldest dropped past that capacity.
    """
    merged: Optional[Dict[str, Any]] = None
    capacity = 0
    for layer in layers:
        buffer = layer._flags
        if buffer is None:
            continue
        if merged is None:
            merged, capacity = {}, buffer.capacity
        for flag in buffer.get():
            merged.pop(flag["flag"], None)
            merged[flag["flag"]] = flag["result"]
            if len(merged) > capacity:
                del merged[next(iter(merged))]
    if merged:
        values = [{"flag": name, "result": result} for name, result in merged.items()]
        event.setdefault("contexts", {}).setdefault("flags", {})["values"] = values


ERROR_RULES: Tuple[Rule, ...] = (
    collect_attachments,
    merge_contexts,
    scope_level,
    merge_tags,
    merge_extra,
    first_set_user,
    first_set_fingerprint,
    first_set_transaction,
    first_set_transaction_info,
    error_transaction_info,
    merge_breadcrumbs,
    merge_flags,
)
TRANSACTION_RULES: Tuple[Rule, ...] = (
    collect_attachments,
    merge_contexts,
    scope_level,
    merge_tags,
    merge_extra,
    first_set_user,
    first_set_fingerprint,
    first_set_transaction,
    first_set_transaction_info,
)


# -- processors ---------------------------------------------------------------------------


def run_processors(processors: List[EventProcessor], event: Event, hint: Hint) -> Optional[Event]:
    """Run ``processors`` in order; None as soon as one drops the event.

    A processor that raises is logged and skipped: the event goes on as it was.
    """
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


def _run_error_processors(layers: Layers, event: Event, exc_info: Any) -> Optional[Event]:
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
    return event


def _log_processor_error(processor: Any) -> None:
    logger.warning(
        "sentry_lite: event processor %r raised; the event is kept as it was",
        processor,
        exc_info=True,
    )


class LayeredScope:
    """The scopes that apply to one capture, merged lazily at ``apply_to_event``."""

    __slots__ = ("fallback", "layers")

    def __init__(self, layers: Tuple[ScopeData, ...], fallback: Optional[ScopeData] = None) -> None:
        self.layers = layers
        self.fallback = fallback if fallback is not None else layers[0]
        """Whose propagation context applies when no layer has one (the isolation scope)."""

    def span(self) -> Any:
        for layer in reversed(self.layers):
            if layer._span is not None:
                return layer._span
        return None

    def propagation_context(self) -> PropagationContext:
        for layer in reversed(self.layers):
            if layer._propagation_context is not None:
                return layer._propagation_context
        return self.fallback.get_propagation_context()

    def trace_context(self, tracing_on: bool) -> Dict[str, Any]:
        """The active span's trace context when tracing is on, else the propagation
        context's, so errors link to the trace either way. Carries the DSC, which the
        client moves to the envelope header."""
        span = self.span()
        if span is not None and tracing_on:
            get = getattr(span, "get_trace_context", None)
            if get is not None:
                context = get()
                if context:
                    return context  # type: ignore[no-any-return]
        return self.propagation_context().trace_context()

    def apply_to_event(
        self, event: Event, hint: Hint, options: Mapping[str, Any]
    ) -> Optional[Event]:
        layers = self.layers
        rules = TRANSACTION_RULES if event.get("type") == "transaction" else ERROR_RULES
        for rule in rules:
            rule(layers, event, hint)
        contexts = event.setdefault("contexts", {})
        if contexts.get("trace") is None:
            contexts["trace"] = self.trace_context(tracing_enabled(options))
        exc_info = hint.get("exc_info")
        if exc_info is not None:
            processed = _run_error_processors(layers, event, exc_info)
            if processed is None:
                return None
            event = processed
        result = run_processors(global_event_processors, event, hint)
        for layer in layers:
            if result is None:
                return None
            if layer._event_processors:
                result = run_processors(layer._event_processors, result, hint)
        return result
