"""huey: ``queue.submit.huey`` spans and trace headers on enqueue, each task a
``queue.task.huey`` transaction continuing the enqueuer's trace, failures reported with
mechanism ``huey``, periodic tasks as Crons monitors.

The trace travels as sentry_sdk sends it, in the task's kwargs (``sentry_headers``),
popped again before the task runs; groups, chords and periodic tasks carry none (each
member of a group or chord gets its own). Events get ``huey_task_id``/``huey_task_retry``
tags and a ``huey-job`` extra (task, retry count, and the arguments as
``data_collection.queues`` allows). ``RetryTask``, ``CancelExecution`` and
``TaskLockedException`` are huey's control flow: the transaction is ``aborted``
(a streamed segment ``ok``), nothing is reported.

Differences on purpose: the storage's own traffic around a task (a Redis or SQLite
huey's results, locks, revocations, the enqueue itself) is not recorded (see
``integrations.quiet``), only the task's; ``sentry_headers`` are popped even when the
worker's client does not enable the integration, so the task never sees them.
"""

from __future__ import annotations

import functools
import sys
from contextvars import ContextVar
from typing import Any, Dict, List, Optional

from sentry_lite.consts import OP, SPANDATA
from sentry_lite.integration_api import (
    SPANSTATUS,
    StreamedSpanView,
    TransactionSource,
    active_integration,
    capture_caught,
    child_span,
    enter_request_scopes,
    iter_trace_propagation_headers,
    leave_request_scopes,
    start_request_transaction,
)
from sentry_lite.integrations import DidNotEnable, Integration
from sentry_lite.integrations.privacy import add_task_arguments
from sentry_lite.integrations.quiet import set_quiet, unset_quiet
from sentry_lite.types import Event, Hint

try:
    from huey.api import Huey, PeriodicTask
    from huey.exceptions import CancelExecution, RetryTask, TaskLockedException
except ImportError as exc:  # pragma: no cover - exercised without huey installed
    raise DidNotEnable("Huey is not installed") from exc

try:
    from huey.api import chord as HueyChord  # noqa: N812 - sentry_sdk's names
    from huey.api import group as HueyGroup  # noqa: N812
except ImportError:  # huey before 3.0
    HueyChord = HueyGroup = None

from sentry_lite.integrations.huey.crons import monitor_config, monitored_execute

__all__ = ["HueyIntegration"]

IDENTIFIER = "huey"
ORIGIN = "auto.queue.huey"
HEADERS_KWARG = "sentry_headers"
"""The task kwarg the trace travels in (sentry_sdk's: both SDKs read each other's)."""
CONTROL_FLOW = (CancelExecution, RetryTask, TaskLockedException)
_NO_HEADERS = tuple(t for t in (PeriodicTask, HueyGroup, HueyChord) if t is not None)

_get_monitor_config = monitor_config
"""sentry_sdk's name for it (its tests import it)."""

_running: ContextVar[Any] = ContextVar("sentry_lite_huey_task", default=None)
"""The running task's transaction (or streamed segment): where its status goes."""


class HueyIntegration(Integration):
    identifier = IDENTIFIER
    origin = ORIGIN

    def __init__(
        self,
        monitor_periodic_tasks: bool = False,
        exclude_periodic_tasks: Optional[List[str]] = None,
    ) -> None:
        self.monitor_periodic_tasks = monitor_periodic_tasks
        self.exclude_periodic_tasks = exclude_periodic_tasks

    @staticmethod
    def setup_once() -> None:
        if getattr(Huey._execute, "_sentry_lite", False):
            return
        Huey.enqueue = _wrap_enqueue(Huey.enqueue)
        Huey._execute = _wrap_execute(Huey._execute)


# -- producer --------------------------------------------------------------------------


def _submit_name(item: Any) -> str:
    if HueyChord is not None and isinstance(item, HueyChord):
        return "Huey Chord"
    if HueyGroup is not None and isinstance(item, HueyGroup):
        return "Huey Task Group"
    return str(item.name)


def _attach_headers(item: Any, span: Any) -> None:
    """The trace into the task's kwargs (not for groups and chords: huey enqueues each
    member through ``enqueue`` again, and each gets its own)."""
    if isinstance(item, _NO_HEADERS):
        return
    try:
        headers = dict(iter_trace_propagation_headers(span))
        item.kwargs[HEADERS_KWARG] = {
            "baggage": headers.get("baggage"),
            "sentry-trace": headers.get("sentry-trace"),
        }
    except Exception:
        pass


def _wrap_enqueue(enqueue: Any) -> Any:
    @functools.wraps(enqueue)
    def sentry_lite_enqueue(self: Any, item: Any) -> Any:
        if active_integration(IDENTIFIER) is None:
            return enqueue(self, item)
        span = None
        try:
            span = child_span(OP.QUEUE_SUBMIT_HUEY, _submit_name(item), ORIGIN)
        except Exception:
            pass
        quiet = set_quiet(True)
        try:
            if span is None:
                _attach_headers(item, None)
                return enqueue(self, item)
            with span:
                span.set_data(SPANDATA.MESSAGING_DESTINATION_NAME, self.name)
                _attach_headers(item, span)
                return enqueue(self, item)
        finally:
            unset_quiet(quiet)

    return sentry_lite_enqueue


# -- worker ----------------------------------------------------------------------------


def _retry_count(task: Any) -> int:
    return (task.default_retries or 0) - task.retries  # type: ignore[no-any-return]


def _event_processor(task: Any) -> Any:
    def processor(event: Event, hint: Hint) -> Optional[Event]:
        try:
            tags = event.setdefault("tags", {})
            tags["huey_task_id"] = task.id
            tags["huey_task_retry"] = task.default_retries > task.retries
            job: Dict[str, Any] = {"task": task.name, "retry": _retry_count(task)}
            add_task_arguments(job, task.args, task.kwargs)
            event.setdefault("extra", {})["huey-job"] = job
        except Exception:
            pass
        return event

    return processor


def _start_transaction(huey: Any, task: Any, headers: Dict[str, Any]) -> Any:
    transaction = start_request_transaction(
        headers, OP.QUEUE_TASK_HUEY, task.name, TransactionSource.TASK, ORIGIN, {}
    )
    if transaction is None:
        return None
    try:
        transaction.set_status(SPANSTATUS.OK)
        transaction.set_data(SPANDATA.MESSAGING_DESTINATION_NAME, huey.name)
        if isinstance(transaction, StreamedSpanView):
            transaction.set_data(SPANDATA.MESSAGING_MESSAGE_ID, task.id)
            transaction.set_data("messaging.message.system", "huey")
            transaction.set_data(SPANDATA.MESSAGING_MESSAGE_RETRY_COUNT, _retry_count(task))
    except Exception:
        pass
    return transaction


def _incoming_headers(task: Any) -> Dict[str, Any]:
    try:
        headers = task.kwargs.pop(HEADERS_KWARG, None)
    except Exception:
        return {}
    if not isinstance(headers, dict):
        return {}
    return {k: v for k, v in headers.items() if isinstance(v, str)}


def _wrap_execute(execute: Any) -> Any:
    @functools.wraps(execute)
    def sentry_lite_execute(self: Any, task: Any, timestamp: Any = None) -> Any:
        headers = _incoming_headers(task)
        integration = active_integration(IDENTIFIER)
        if integration is None:
            return execute(self, task, timestamp)
        entered = enter_request_scopes(_event_processor(task))
        quiet = set_quiet(True)
        try:
            transaction = _start_transaction(self, task, headers)
            _wrap_task(integration, self, task)
            running = _running.set(transaction)
            failure: Any = (None, None, None)
            try:
                return execute(self, task, timestamp)
            except BaseException:
                failure = sys.exc_info()
                if isinstance(failure[1], CONTROL_FLOW):
                    failure = (None, None, None)
                raise
            finally:
                _running.reset(running)
                if transaction is not None:
                    transaction.__exit__(*failure)
        finally:
            unset_quiet(quiet)
            leave_request_scopes(entered)

    sentry_lite_execute._sentry_lite = True  # type: ignore[attr-defined]
    return sentry_lite_execute


def _report(exc_info: Any) -> None:
    transaction = _running.get()
    control = exc_info[0] in CONTROL_FLOW
    if transaction is not None:
        if isinstance(transaction, StreamedSpanView):
            transaction.set_status(SPANSTATUS.OK if control else SPANSTATUS.INTERNAL_ERROR)
        else:
            transaction.set_status(SPANSTATUS.ABORTED if control else SPANSTATUS.INTERNAL_ERROR)
    if not control:
        capture_caught(exc_info, IDENTIFIER, handled=False)


def _wrap_task(integration: Any, huey: Any, task: Any) -> None:
    """The task's own code (``task.execute``, per task object): loud for the data
    integrations, its failure reported; a monitored periodic task's check-ins around it."""
    if getattr(task, "_sentry_is_patched", False):
        return
    execute = task.execute

    @functools.wraps(execute)
    def sentry_lite_task_execute(*args: Any, **kwargs: Any) -> Any:
        if active_integration(IDENTIFIER) is None:
            return execute(*args, **kwargs)
        loud = set_quiet(False)
        try:
            return execute(*args, **kwargs)
        except Exception:
            try:
                _report(sys.exc_info())
            except Exception:
                pass
            raise
        finally:
            unset_quiet(loud)

    try:
        task.execute = monitored_execute(integration, huey, task, sentry_lite_task_execute)
        task._sentry_is_patched = True
    except Exception:
        task.execute = sentry_lite_task_execute
