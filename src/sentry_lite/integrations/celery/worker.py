"""The worker side: each task in its own scopes, as a ``queue.task.celery`` transaction
continuing the producer's trace, with a ``queue.process`` child around the task's code.

``build_tracer`` is wrapped so every run (worker or eager) goes through
:func:`wrap_tracer`; the task's ``run`` (or custom ``__call__``) is wrapped once per task
by :func:`wrap_task_call`, because Celery's tracer catches the task's exception before
anything else can see it. Celery's own machinery around the task (result backend,
acknowledgements) runs quiet: its Redis traffic is not recorded in the task.
"""

from __future__ import annotations

import functools
import sys
import time
from typing import Any, Callable, Dict, Optional

from sentry_lite.consts import OP, SPANDATA
from sentry_lite.integration_api import (
    FILTERED,
    SPANSTATUS,
    StreamedSpan,
    TransactionSource,
    active_integration,
    active_span,
    capture_caught,
    child_span,
    enter_request_scopes,
    leave_request_scopes,
    may_collect,
    start_request_transaction,
)
from sentry_lite.integrations.celery.names import (
    CONTROL_FLOW,
    ENQUEUED_TIME_HEADER,
    IDENTIFIER,
    ORIGIN,
    SoftTimeLimitExceeded,
)
from sentry_lite.integrations.privacy import FILTER, SEND
from sentry_lite.integrations.quiet import set_quiet, unset_quiet
from sentry_lite.types import Event, Hint

__all__ = ["wrap_task_call", "wrap_tracer"]

_UNKNOWN = "<unknown Celery task>"


def _task_arguments() -> str:
    """How a task's args/kwargs appear on its events: the one place that decides.

    ``data_collection.queues`` through the privacy predicate: ``SEND``, ``FILTER``
    (``[Filtered]``, no ``send_default_pii``) or ``OMIT`` (keys left out).
    """
    return may_collect("queues")


def _event_processor(task: Any, task_id: Any, args: Any, kwargs: Any) -> Callable[..., Any]:
    def processor(event: Event, hint: Hint) -> Optional[Event]:
        try:
            event.setdefault("tags", {})["celery_task_id"] = task_id
            job: Dict[str, Any] = {"task_name": getattr(task, "name", _UNKNOWN)}
            values = _task_arguments()
            if values == SEND:
                job["args"] = args
                job["kwargs"] = kwargs
            elif values == FILTER:
                job["args"] = FILTERED
                job["kwargs"] = FILTERED
            event.setdefault("extra", {})["celery-job"] = job
        except Exception:
            pass
        exc_info = hint.get("exc_info")
        if exc_info is not None and isinstance(exc_info[1], SoftTimeLimitExceeded):
            event["fingerprint"] = [
                "celery",
                "SoftTimeLimitExceeded",
                getattr(task, "name", task),
            ]
        return event

    return processor


def wrap_tracer(task: Any, trace_task: Callable[..., Any]) -> Callable[..., Any]:
    """``trace_task(uuid, args, kwargs, request)`` in the task's scopes and transaction."""

    @functools.wraps(trace_task)
    def sentry_lite_trace_task(*args: Any, **kwargs: Any) -> Any:
        if active_integration(IDENTIFIER) is None:
            return trace_task(*args, **kwargs)
        task_id = args[0] if args else None
        task_args = args[1] if len(args) > 1 else ()
        task_kwargs = args[2] if len(args) > 2 else {}
        request = (args[3] if len(args) > 3 else None) or {}
        entered = enter_request_scopes(_event_processor(task, task_id, task_args, task_kwargs))
        quiet = set_quiet(True)
        try:
            transaction = _start_transaction(task, task_args, task_kwargs, request)
            try:
                return trace_task(*args, **kwargs)
            finally:
                if transaction is not None:
                    _finish(transaction)
        finally:
            unset_quiet(quiet)
            leave_request_scopes(entered)

    return sentry_lite_trace_task


def _start_transaction(task: Any, args: Any, kwargs: Any, request: Any) -> Any:
    name = getattr(task, "name", None) or _UNKNOWN
    try:
        headers = request.get("headers") or {}
        if not isinstance(headers, dict):
            headers = {}
        sampling_context = {"celery_job": {"task": name, "args": list(args), "kwargs": kwargs}}
    except Exception:
        headers, sampling_context = {}, {}
    transaction = start_request_transaction(
        headers, OP.QUEUE_TASK_CELERY, name, TransactionSource.TASK, ORIGIN, sampling_context
    )
    if transaction is not None:
        transaction.set_status(SPANSTATUS.OK)
    return transaction


def _finish(transaction: Any) -> None:
    """Close the transaction; its ``status`` tag says what its trace context says
    (sentry_sdk leaves it at the ``ok`` of the start)."""
    try:
        if transaction.sampled:
            transaction.set_tag("status", transaction.status)
    finally:
        transaction.__exit__(None, None, None)


def _set_running_status(status: str) -> None:
    span = active_span()
    if isinstance(span, StreamedSpan):  # streaming mode: the segment has ok/error only
        span.status = "ok" if status == SPANSTATUS.OK else "error"
    elif span is not None:
        span.set_status(status)


def _report(task: Any, exc_info: Any) -> None:
    if active_integration(IDENTIFIER) is None:
        return
    if isinstance(exc_info[1], CONTROL_FLOW):
        _set_running_status(SPANSTATUS.ABORTED)
        return
    _set_running_status(SPANSTATUS.INTERNAL_ERROR)
    throws = getattr(task, "throws", None)
    if throws and isinstance(exc_info[1], throws):
        return
    capture_caught(exc_info, "celery", handled=False)


def _messaging_system(task: Any) -> Optional[str]:
    """The broker transport's driver type (``redis``, ``amqp``...), once per app."""
    app = task.app
    cached = getattr(app, "_sentry_lite_driver", None)
    if cached is None:
        with app.connection() as conn:
            cached = conn.transport.driver_type
        try:
            app._sentry_lite_driver = cached
        except Exception:
            pass
    return cached  # type: ignore[no-any-return]


def _process_data(task: Any, span: Any) -> None:
    request = task.request
    try:
        info = request.delivery_info
        if info and info.get("exchange") == "" and info.get("routing_key") is not None:
            span.set_data(SPANDATA.MESSAGING_DESTINATION_NAME, info["routing_key"])
    except Exception:
        pass
    try:
        headers = request.headers
        if headers is not None and ENQUEUED_TIME_HEADER in headers:
            latency = time.time() - float(headers.pop(ENQUEUED_TIME_HEADER))
            span.set_data(SPANDATA.MESSAGING_MESSAGE_RECEIVE_LATENCY, latency * 1000)
    except Exception:
        pass
    for key, read in (
        (SPANDATA.MESSAGING_MESSAGE_ID, lambda: request.id),
        (SPANDATA.MESSAGING_MESSAGE_RETRY_COUNT, lambda: request.retries),
        (SPANDATA.MESSAGING_SYSTEM, lambda: _messaging_system(task)),
    ):
        try:
            span.set_data(key, read())
        except Exception:
            pass


def wrap_task_call(task: Any, call: Callable[..., Any]) -> Callable[..., Any]:
    """The task's own code: a ``queue.process`` span, loud for data integrations, and
    its failure reported (mechanism ``celery``) before Celery's tracer swallows it."""

    @functools.wraps(call)
    def sentry_lite_task_call(*args: Any, **kwargs: Any) -> Any:
        if active_integration(IDENTIFIER) is None:
            return call(*args, **kwargs)
        loud = set_quiet(False)
        try:
            span = child_span(OP.QUEUE_PROCESS, task.name, ORIGIN)
            if span is None:
                return call(*args, **kwargs)
            with span:
                _process_data(task, span)
                return call(*args, **kwargs)
        except Exception:
            exc_info = sys.exc_info()
            try:
                _report(task, exc_info)
            except Exception:
                pass
            raise
        finally:
            unset_quiet(loud)

    return sentry_lite_task_call
