"""Celery: producer spans and trace headers, worker transactions, failures, beat crons.

On the producer, ``delay()``/``apply_async()``/``send_task()`` make one
``queue.submit.celery`` span and kombu's publish a ``queue.publish`` span; the message
carries ``sentry-trace``/``baggage`` (unless ``propagate_traces=False`` or the call's
``sentry-propagate-traces`` header says no). On the worker, each task runs in its own
scopes as a ``queue.task.celery`` transaction that continues the producer's trace, with
a ``queue.process`` child (``messaging.*`` data, receive latency). A failure is
reported with mechanism ``celery`` and the task name; ``Retry``/``Ignore``/``Reject`` and
exceptions in ``task.throws`` are not. A prefork worker process flushes before it ends.

Differences from sentry_sdk, on purpose: one submit span per call, not two; the
transaction's ``status`` tag matches its status on failure; the broker's and result
backend's Redis traffic is not recorded in the task (see ``integrations.quiet``).
"""

from __future__ import annotations

from typing import Any, List, Optional

from sentry_lite.integration_api import active_integration, flush
from sentry_lite.integrations import DidNotEnable, Integration
from sentry_lite.integrations.celery.beat import connect_signals, patch_scheduler
from sentry_lite.integrations.celery.names import CELERY_VERSION, IDENTIFIER, ORIGIN
from sentry_lite.integrations.celery.producer import wrap_publish, wrap_submit
from sentry_lite.integrations.celery.worker import wrap_task_call, wrap_tracer

try:
    from celery import Celery
    from celery.app.task import Task
    from kombu.messaging import Producer
except ImportError as exc:  # pragma: no cover - exercised without celery installed
    raise DidNotEnable("Celery is not installed") from exc

__all__ = ["CeleryIntegration"]

MIN_VERSION = (4, 4, 7)


def _version(text: str) -> tuple:  # type: ignore[type-arg]
    out = []
    for piece in text.split(".")[:3]:
        digits = "".join(c for c in piece if c.isdigit())
        out.append(int(digits or 0))
    return tuple(out)


class CeleryIntegration(Integration):
    identifier = IDENTIFIER
    origin = ORIGIN

    def __init__(
        self,
        propagate_traces: bool = True,
        monitor_beat_tasks: bool = False,
        exclude_beat_tasks: Optional[List[str]] = None,
    ) -> None:
        self.propagate_traces = propagate_traces
        self.monitor_beat_tasks = monitor_beat_tasks
        self.exclude_beat_tasks = exclude_beat_tasks

    @staticmethod
    def setup_once() -> None:
        if _version(CELERY_VERSION) < MIN_VERSION:
            raise DidNotEnable(f"Celery {CELERY_VERSION} is older than 4.4.7")
        _patch_build_tracer()
        Task.apply_async = wrap_submit(Task.apply_async, Task)
        Celery.send_task = wrap_submit(Celery.send_task, Task)
        Producer.publish = wrap_publish(Producer.publish)  # type: ignore[method-assign]
        _patch_worker_exit()
        _patch_beat()
        connect_signals()
        from sentry_lite.integrations.logging import ignore_logger

        # Every task status as a log line, and redirected stdout: noise in breadcrumbs.
        for name in ("celery.worker.job", "celery.app.trace", "celery.redirected"):
            ignore_logger(name)


def _patch_build_tracer() -> None:
    import celery.app.trace as trace
    from celery.app.trace import task_has_custom

    original = trace.build_tracer

    def build_tracer(name: Any, task: Any, *args: Any, **kwargs: Any) -> Any:
        if not getattr(task, "_sentry_is_patched", False):
            try:
                if _custom_call(task, task_has_custom):
                    type(task).__call__ = wrap_task_call(task, type(task).__call__)
                else:
                    task.run = wrap_task_call(task, task.run)
                task._sentry_is_patched = True  # the name sentry_sdk's tests look for
            except Exception:
                pass
        return wrap_tracer(task, original(name, task, *args, **kwargs))

    trace.build_tracer = build_tracer


def _custom_call(task: Any, task_has_custom: Any) -> bool:
    """Does the task's class define ``__call__`` itself? A worker puts Celery's own
    ``__protected_call__`` there: that one calls ``run``, which is where we wrap (the
    request in its frame would carry the task's arguments into the event)."""
    if not task_has_custom(task, "__call__"):
        return False
    return getattr(type(task).__call__, "__name__", "") != "__protected_call__"


def _patch_worker_exit() -> None:
    """A prefork child may end with ``os._exit``: deliver its events before."""
    from billiard.pool import Worker

    original = Worker.workloop

    def workloop(*args: Any, **kwargs: Any) -> Any:
        try:
            return original(*args, **kwargs)
        finally:
            if active_integration(IDENTIFIER) is not None:
                flush()

    Worker.workloop = workloop


def _patch_beat() -> None:
    from celery.beat import Scheduler

    patch_scheduler(Scheduler, "apply_entry")
    try:
        from redbeat.schedulers import RedBeatScheduler
    except ImportError:
        return
    patch_scheduler(RedBeatScheduler, "apply_async")
