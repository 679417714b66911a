"""arq: ``queue.submit.arq`` spans on enqueue, each job a ``queue.task.arq`` transaction
in its own scopes, failures reported with mechanism ``arq``, cron jobs as Crons monitors.

As sentry_sdk: arq jobs carry no trace headers, so a job starts a trace of its own; the
transaction is named by the job's function (``cron:<name>`` for cron jobs) once it
starts, and events get ``arq_task_id``/``arq_task_retry`` tags and an ``arq-job`` extra
(task, retry, and the arguments as ``data_collection.queues`` allows). ``Retry``,
``RetryJob`` and ``JobExecutionFailed`` are arq's control flow: the transaction is
``aborted``, nothing is reported.

Differences on purpose: arq's own Redis traffic (fetching the job, storing its result,
the enqueue's pipeline) is not recorded (see ``integrations.quiet``), only the job's;
a failed job's streamed segment has status ``error`` (sentry_sdk leaves it ``ok``).
"""

from __future__ import annotations

import functools
import sys
from contextvars import ContextVar
from typing import Any, Dict, List, Optional

from sentry_lite.consts import OP, SPANDATA
from sentry_lite.integration_api import (
    SPANSTATUS,
    Scope,
    StreamedSpanView,
    TransactionSource,
    active_integration,
    capture_caught,
    child_span,
    enter_request_scopes,
    leave_request_scopes,
    start_request_transaction,
)
from sentry_lite.integrations import DidNotEnable, Integration
from sentry_lite.integrations.privacy import add_task_arguments
from sentry_lite.integrations.quiet import set_quiet, unset_quiet
from sentry_lite.types import Event, Hint

try:
    from arq.connections import ArqRedis
    from arq.version import VERSION as ARQ_VERSION
    from arq.worker import JobExecutionFailed, Retry, RetryJob, Worker
except ImportError as exc:  # pragma: no cover - exercised without arq installed
    raise DidNotEnable("Arq is not installed") from exc

from sentry_lite.integrations.arq.crons import monitor_config, monitor_cron_jobs

__all__ = ["ArqIntegration"]

IDENTIFIER = "arq"
ORIGIN = "auto.queue.arq"
MIN_VERSION = (0, 23)
CONTROL_FLOW = (JobExecutionFailed, Retry, RetryJob)
_UNKNOWN = "unknown arq task"

_get_monitor_config = monitor_config
"""sentry_sdk's name for it (its tests import it)."""


class _RunningJob:
    """The job a worker runs: what its events and its transaction get."""

    __slots__ = ("args", "ctx", "kwargs", "name", "transaction")

    def __init__(self, transaction: Any) -> None:
        self.transaction = transaction
        self.name: Optional[str] = None
        self.ctx: Dict[str, Any] = {}
        self.args: Any = ()
        self.kwargs: Any = {}


_running_job: ContextVar[Optional[_RunningJob]] = ContextVar("sentry_lite_arq_job", default=None)


def _version(value: Any) -> Optional[tuple]:  # type: ignore[type-arg]
    try:
        if isinstance(value, str):
            return tuple(int(p) for p in value.split(".")[:2])
        return tuple(value.version[:2])
    except (TypeError, ValueError, AttributeError):
        return None


class ArqIntegration(Integration):
    identifier = IDENTIFIER
    origin = ORIGIN

    def __init__(
        self, monitor_cron_jobs: bool = False, exclude_cron_jobs: Optional[List[str]] = None
    ) -> None:
        self.monitor_cron_jobs = monitor_cron_jobs
        self.exclude_cron_jobs = exclude_cron_jobs

    @staticmethod
    def setup_once() -> None:
        version = _version(ARQ_VERSION)
        if version is not None and version < MIN_VERSION:
            raise DidNotEnable(f"arq {ARQ_VERSION} is older than 0.23")
        if getattr(Worker.run_job, "_sentry_lite", False):
            return
        ArqRedis.enqueue_job = _wrap_enqueue_job(ArqRedis.enqueue_job)  # type: ignore[method-assign,unused-ignore]
        Worker.run_job = _wrap_run_job(Worker.run_job)  # type: ignore[method-assign,unused-ignore]
        Worker.__init__ = _wrap_worker_init(Worker.__init__)  # type: ignore[method-assign,unused-ignore]
        from sentry_lite.integrations.logging import ignore_logger

        ignore_logger("arq.worker")  # arq logs every failure: the job's event says it


# -- producer --------------------------------------------------------------------------


def _wrap_enqueue_job(enqueue_job: Any) -> Any:
    @functools.wraps(enqueue_job)
    async def sentry_lite_enqueue_job(self: Any, function: str, *args: Any, **kwargs: Any) -> Any:
        if active_integration(IDENTIFIER) is None:
            return await enqueue_job(self, function, *args, **kwargs)
        span = child_span(OP.QUEUE_SUBMIT_ARQ, function, ORIGIN)
        quiet = set_quiet(True)
        try:
            if span is None:
                return await enqueue_job(self, function, *args, **kwargs)
            with span:
                return await enqueue_job(self, function, *args, **kwargs)
        finally:
            unset_quiet(quiet)

    # ``_job_id``, ``_queue_name``...: keyword-only defaults arq reads from the function.
    sentry_lite_enqueue_job.__kwdefaults__ = enqueue_job.__kwdefaults__  # type: ignore[attr-defined,unused-ignore]
    return sentry_lite_enqueue_job


# -- worker ----------------------------------------------------------------------------


def _event_processor(job: _RunningJob) -> Any:
    def processor(event: Event, hint: Hint) -> Optional[Event]:
        if job.name is None:
            return event  # the job's function never started
        try:
            event["transaction"] = job.name
            tags = event.setdefault("tags", {})
            tags["arq_task_id"] = job.ctx.get("job_id")
            tags["arq_task_retry"] = job.ctx.get("job_try", 1) > 1
            extra: Dict[str, Any] = {"task": job.name, "retry": job.ctx.get("job_try")}
            add_task_arguments(extra, job.args, job.kwargs)
            event.setdefault("extra", {})["arq-job"] = extra
        except Exception:
            pass
        return event

    return processor


def _start_transaction(worker: Any, job_id: str) -> Any:
    transaction = start_request_transaction(
        {}, OP.QUEUE_TASK_ARQ, _UNKNOWN, TransactionSource.TASK, ORIGIN, {}
    )
    if transaction is None:
        return None
    try:
        transaction.set_status(SPANSTATUS.OK)
        if isinstance(transaction, StreamedSpanView):
            transaction.set_data(SPANDATA.MESSAGING_MESSAGE_ID, job_id)
        if worker.queue_name is not None:
            transaction.set_data(SPANDATA.MESSAGING_DESTINATION_NAME, worker.queue_name)
    except Exception:
        pass
    return transaction


def _wrap_run_job(run_job: Any) -> Any:
    @functools.wraps(run_job)
    async def sentry_lite_run_job(self: Any, job_id: str, score: int) -> Any:
        if active_integration(IDENTIFIER) is None:
            return await run_job(self, job_id, score)
        entered = None
        quiet = set_quiet(True)
        try:
            job = _RunningJob(None)
            entered = enter_request_scopes(_event_processor(job))
            job.transaction = _start_transaction(self, job_id)
            running = _running_job.set(job)
            failure: Any = (None, None, None)
            try:
                return await run_job(self, job_id, score)
            except BaseException:
                failure = sys.exc_info()
                raise
            finally:
                _running_job.reset(running)
                if job.transaction is not None:
                    job.transaction.__exit__(*failure)
        finally:
            unset_quiet(quiet)
            if entered is not None:
                leave_request_scopes(entered)

    sentry_lite_run_job._sentry_lite = True  # type: ignore[attr-defined]
    return sentry_lite_run_job


def _report(job: _RunningJob, exc_info: Any) -> None:
    control = exc_info[0] in CONTROL_FLOW
    transaction = job.transaction
    if transaction is not None:
        if isinstance(transaction, StreamedSpanView):
            if not control:
                transaction.set_status(SPANSTATUS.INTERNAL_ERROR)
        else:
            transaction.set_status(SPANSTATUS.ABORTED if control else SPANSTATUS.INTERNAL_ERROR)
    if not control:
        capture_caught(exc_info, IDENTIFIER, handled=False)


def _wrap_coroutine(name: str, coroutine: Any) -> Any:
    """The job's function: names the transaction, runs loud, reports its failure."""
    if getattr(coroutine, "_sentry_lite_arq", False):
        return coroutine

    @functools.wraps(coroutine)
    async def sentry_lite_job(ctx: Dict[Any, Any], *args: Any, **kwargs: Any) -> Any:
        job = _running_job.get()
        if job is None or active_integration(IDENTIFIER) is None:
            return await coroutine(ctx, *args, **kwargs)
        try:
            job.name, job.ctx, job.args, job.kwargs = name, ctx, args, kwargs
            Scope.get_current_scope().set_transaction_name(name)
        except Exception:
            pass
        loud = set_quiet(False)
        try:
            return await coroutine(ctx, *args, **kwargs)
        except Exception:
            exc_info = sys.exc_info()
            try:
                _report(job, exc_info)
            except Exception:
                pass
            raise
        finally:
            unset_quiet(loud)

    sentry_lite_job._sentry_lite_arq = True  # type: ignore[attr-defined]
    return sentry_lite_job


def _wrap_worker_init(init: Any) -> Any:
    """Every function and cron job of a new worker gets the job wrapper (however the
    worker was made: ``create_worker``, ``run_worker``, ``Worker(...)``)."""

    @functools.wraps(init)
    def sentry_lite_worker_init(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        integration = active_integration(IDENTIFIER)
        if integration is None:
            return
        try:
            for function in self.functions.values():
                function.coroutine = _wrap_coroutine(function.name, function.coroutine)
            if integration.monitor_cron_jobs:
                monitor_cron_jobs(integration, self.cron_jobs, self)
        except Exception:
            pass

    return sentry_lite_worker_init
