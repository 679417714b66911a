"""The producer side: ``apply_async``/``delay``/``send_task`` get one
``queue.submit.celery`` span and carry the trace in the message headers; kombu's
``Producer.publish`` gets a ``queue.publish`` span.

``Task.apply_async`` calls ``Celery.send_task``: both are wrapped (an app may call
either) and the inner call only passes through, so one ``delay()`` is one submit span
(sentry_sdk records two). The broker traffic of the submit runs quiet.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any, Callable, Dict, List, Optional, Tuple

from sentry_lite.consts import OP, SPANDATA
from sentry_lite.integration_api import (
    active_integration,
    active_span,
    child_span,
    iter_trace_propagation_headers,
)
from sentry_lite.integrations.celery.names import (
    ENQUEUED_TIME_HEADER,
    IDENTIFIER,
    MONITOR_START_HEADER,
    ORIGIN,
    PROPAGATE_HEADER,
)
from sentry_lite.integrations.quiet import set_quiet, unset_quiet

__all__ = ["from_beat", "update_headers", "wrap_publish", "wrap_submit"]

BAGGAGE = "baggage"
_UNKNOWN = "<unknown Celery task>"

_submitting: ContextVar[bool] = ContextVar("sentry_lite_celery_submitting", default=False)
from_beat: ContextVar[bool] = ContextVar("sentry_lite_celery_beat", default=False)
"""True while beat applies a schedule entry: its task starts a trace of its own."""


def _split_baggage(value: str) -> Tuple[Dict[str, str], List[str]]:
    sentry: Dict[str, str] = {}
    others: List[str] = []
    for member in value.split(","):
        member = member.strip()
        if not member:
            continue
        if member.startswith("sentry-"):
            sentry[member.partition("=")[0]] = member
        else:
            others.append(member)
    return sentry, others


def _merge_baggage(existing: str, ours: str) -> str:
    """Our sentry members, then the existing header's (which win), then the third-party
    members of both: the user's baggage survives, as sentry_sdk merges it."""
    sentry, others = _split_baggage(ours)
    theirs_sentry, theirs_others = _split_baggage(existing)
    sentry.update(theirs_sentry)
    return ",".join([*sentry.values(), *others, *theirs_others])


def update_headers(
    original: Mapping[str, Any], span: Any, monitor_beat_tasks: bool
) -> Dict[str, Any]:
    """The task's headers with trace, enqueue time and (for beat) monitor start added.

    They are copied into the inner ``headers`` too (celery#4875: only those reach
    ``task.request.headers``), with the user's own headers kept there.
    """
    updated = dict(original)
    try:
        trace = dict(iter_trace_propagation_headers(span))
        if monitor_beat_tasks:
            trace[MONITOR_START_HEADER] = f"{time.time():.9f}"
        updated[ENQUEUED_TIME_HEADER] = time.time()
        if not trace:
            return updated
        existing = updated.get(BAGGAGE)
        baggage = trace.get(BAGGAGE) or existing
        if trace.get(BAGGAGE) and existing:
            baggage = _merge_baggage(existing, trace[BAGGAGE])
        updated.update(trace)
        if baggage:
            updated[BAGGAGE] = baggage
        inner = updated.get("headers")
        inner = dict(inner) if isinstance(inner, dict) else {}
        inner.update(trace)
        if baggage:
            inner[BAGGAGE] = baggage
        for key, value in updated.items():
            if key.startswith("sentry-"):
                inner[key] = value
        for key, value in original.items():
            if key != "headers" and key not in inner:
                inner[key] = value
        updated["headers"] = inner
    except Exception:
        pass
    return updated


def _task_name(args: Tuple[Any, ...], task_cls: Any) -> str:
    if args and isinstance(args[0], task_cls):
        return str(args[0].name)
    if len(args) > 1 and isinstance(args[1], str):
        return args[1]
    return _UNKNOWN


def wrap_submit(submit: Callable[..., Any], task_cls: Any) -> Callable[..., Any]:
    """``Task.apply_async`` or ``Celery.send_task``, wrapped."""

    @functools.wraps(submit)
    def sentry_lite_submit(*args: Any, **kwargs: Any) -> Any:
        integration = active_integration(IDENTIFIER)
        if integration is None or _submitting.get():
            return submit(*args, **kwargs)
        headers = kwargs.get("headers") or {}
        propagate = headers.pop(PROPAGATE_HEADER, integration.propagate_traces)
        if not propagate:
            return submit(*args, **kwargs)
        span = None
        if not from_beat.get():
            span = child_span(OP.QUEUE_SUBMIT_CELERY, _task_name(args, task_cls), ORIGIN)
        token = _submitting.set(True)
        quiet = set_quiet(True)
        try:
            if span is None:
                kwargs["headers"] = update_headers(headers, None, integration.monitor_beat_tasks)
                return submit(*args, **kwargs)
            with span:
                kwargs["headers"] = update_headers(headers, span, integration.monitor_beat_tasks)
                return submit(*args, **kwargs)
        finally:
            unset_quiet(quiet)
            _submitting.reset(token)

    return sentry_lite_submit


def _driver(producer: Any) -> Optional[str]:
    try:
        return producer.connection.transport.driver_type  # type: ignore[no-any-return]
    except Exception:
        return None


def wrap_publish(publish: Callable[..., Any]) -> Callable[..., Any]:
    """kombu ``Producer.publish``: a ``queue.publish`` span with the message's data."""

    @functools.wraps(publish)
    def sentry_lite_publish(self: Any, *args: Any, **kwargs: Any) -> Any:
        if active_integration(IDENTIFIER) is None or active_span() is None:
            return publish(self, *args, **kwargs)
        headers = kwargs.get("headers")
        if not isinstance(headers, Mapping):
            headers = {}
        span = child_span(OP.QUEUE_PUBLISH, headers.get("task") or _UNKNOWN, ORIGIN)
        if span is None:
            return publish(self, *args, **kwargs)
        with span:
            try:
                if headers.get("id") is not None:
                    span.set_data(SPANDATA.MESSAGING_MESSAGE_ID, headers["id"])
                routing_key = kwargs.get("routing_key")
                if kwargs.get("exchange") == "" and routing_key is not None:
                    span.set_data(SPANDATA.MESSAGING_DESTINATION_NAME, routing_key)
                if headers.get("retries") is not None:
                    span.set_data(SPANDATA.MESSAGING_MESSAGE_RETRY_COUNT, headers["retries"])
                driver = _driver(self)
                if driver is not None:
                    span.set_data(SPANDATA.MESSAGING_SYSTEM, driver)
            except Exception:
                pass
            return publish(self, *args, **kwargs)

    return sentry_lite_publish
