"""RQ: jobs as ``queue.task.rq`` transactions continuing the enqueuer's trace, failures
reported once (after the last retry), Crons check-ins for scheduled jobs.

``Queue.enqueue_job`` stores the trace headers in the job's meta, also when no span is
running (sentry_sdk only does it inside a span, so such jobs start a trace of their
own). ``perform_job`` (rq 1.x ``Worker``, rq 2.7+ ``BaseWorker``, forking and simple
workers alike) runs each job in fresh scopes: the worker's own Redis breadcrumbs stay
out of the job's events, and rq's bookkeeping traffic runs quiet (only the job's own
code is recorded). A failed job sets its transaction's status, a work-horse flushes
before it exits, and with PII off the job's arguments stay out of ``rq-job``, its
``description`` included.
"""

from __future__ import annotations

import functools
import re
import time
import weakref
from contextvars import ContextVar
from datetime import timezone
from typing import Any, Dict, List, Optional, Tuple

from sentry_lite.consts import OP, SPANDATA
from sentry_lite.integration_api import (
    FILTERED,
    SPANSTATUS,
    MonitorStatus,
    StreamedSpanView,
    TransactionSource,
    active_integration,
    capture_caught,
    capture_checkin,
    enter_request_scopes,
    flush,
    interval_schedule,
    iter_trace_propagation_headers,
    leave_request_scopes,
    may_collect,
    start_request_transaction,
)
from sentry_lite.integrations import DidNotEnable, Integration
from sentry_lite.integrations.checkins import excluded
from sentry_lite.integrations.privacy import FILTER, SEND
from sentry_lite.integrations.quiet import set_quiet, unset_quiet
from sentry_lite.types import Event, Hint, MonitorConfig

try:
    from rq.job import Job, JobStatus
    from rq.queue import Queue
    from rq.timeouts import JobTimeoutException
    from rq.version import VERSION as RQ_VERSION
    from rq.worker import Worker
except ImportError as exc:  # pragma: no cover - exercised without rq installed
    raise DidNotEnable("RQ is not installed") from exc

__all__ = ["RqIntegration"]

ORIGIN = "auto.queue.rq"
META_KEY = "_sentry_trace_headers"
"""Where the enqueuer's trace headers travel in ``job.meta`` (sentry_sdk's key)."""
MIN_VERSION = (0, 6)

_GENERATED_JOB_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_CRONTAB_ITEM = re.compile(r"\*(?:/\d+)?|(\d+)(?:-(\d+)(?:/\d+)?|/\d+)?")


_running_job: ContextVar[Any] = ContextVar("sentry_lite_rq_job", default=None)
"""The running job's transaction (or streamed segment): where its failure status goes."""


def _version(text: str) -> Tuple[int, ...]:
    return tuple(int("".join(c for c in p if c.isdigit()) or 0) for p in text.split(".")[:2])


class RqIntegration(Integration):
    identifier = "rq"
    origin = ORIGIN

    def __init__(
        self, monitor_cron_jobs: bool = False, exclude_cron_jobs: Optional[List[str]] = None
    ) -> None:
        self.monitor_cron_jobs = monitor_cron_jobs
        self.exclude_cron_jobs = exclude_cron_jobs

    @staticmethod
    def setup_once() -> None:
        if _version(RQ_VERSION) < MIN_VERSION:
            raise DidNotEnable(f"RQ {RQ_VERSION} is older than 0.6")
        worker_cls: Any = Worker
        try:
            from rq.worker import BaseWorker

            if hasattr(BaseWorker, "perform_job"):
                worker_cls = BaseWorker
        except ImportError:
            pass
        if getattr(worker_cls.perform_job, "_sentry_lite", False):
            return
        worker_cls.perform_job = _wrap_perform_job(worker_cls.perform_job)
        worker_cls.handle_exception = _wrap_handle_exception(worker_cls.handle_exception)
        worker_cls.work = _wrap_quiet(worker_cls.work, True)
        # The job's code: ``_execute`` calls the function (``perform`` also does rq's
        # own bookkeeping on 1.x); ``perform`` where there is no ``_execute``.
        code = "_execute" if hasattr(Job, "_execute") else "perform"
        setattr(Job, code, _wrap_quiet(getattr(Job, code), False))
        Queue.enqueue_job = _wrap_enqueue_job(Queue.enqueue_job)  # type: ignore[method-assign]
        from sentry_lite.integrations.logging import ignore_logger

        ignore_logger("rq.worker")


def _job_arguments() -> str:
    """How a job's args/kwargs (and its call string) appear: the one place that decides.

    ``data_collection.queues`` through the privacy predicate: ``SEND``, ``FILTER``
    (``[Filtered]``, no ``send_default_pii``) or ``OMIT`` (keys left out).
    """
    return may_collect("queues")


def _timestamp(value: Any) -> Optional[str]:
    if value is None:
        return None
    try:
        return value.astimezone(timezone.utc).strftime(  # type: ignore[no-any-return]
            "%Y-%m-%dT%H:%M:%S.%fZ"
        )
    except Exception:
        return None


def _description(job: Any, values: str) -> Any:
    """The job's description; the generated call string only when arguments may go."""
    description = job.description
    if values == SEND:
        return description
    try:
        if description == job.get_call_string():
            return job.func_name
    except Exception:
        return job.func_name
    return description


def _job_data(job: Any) -> Dict[str, Any]:
    values = _job_arguments()
    data: Dict[str, Any] = {
        "job_id": job.id,
        "func": job.func_name,
        "description": _description(job, values),
    }
    if values == SEND:
        data["args"] = job.args
        data["kwargs"] = job.kwargs
    elif values == FILTER:
        data["args"] = FILTERED
        data["kwargs"] = FILTERED
    for key, value in (("enqueued_at", job.enqueued_at), ("started_at", job.started_at)):
        stamp = _timestamp(value)
        if stamp is not None:
            data[key] = stamp
    return data


def _event_processor(job_ref: Any) -> Any:
    def processor(event: Event, hint: Hint) -> Optional[Event]:
        job = job_ref()
        if job is None:
            return event
        try:
            event.setdefault("extra", {})["rq-job"] = _job_data(job)
        except Exception:
            pass
        exc_info = hint.get("exc_info")
        if exc_info is not None and isinstance(exc_info[1], JobTimeoutException):
            event["fingerprint"] = ["rq", "JobTimeoutException", job.func_name]
        return event

    return processor


def _wrap_perform_job(perform_job: Any) -> Any:
    @functools.wraps(perform_job)
    def sentry_lite_perform_job(self: Any, job: Any, queue: Any, *args: Any, **kwargs: Any) -> Any:
        integration = active_integration(RqIntegration.identifier)
        if integration is None:
            return perform_job(self, job, queue, *args, **kwargs)
        check_in = None
        try:
            check_in = _start_check_in(integration, job)
        except Exception:
            pass
        succeeded = False
        entered = enter_request_scopes(_event_processor(weakref.ref(job)))
        quiet = set_quiet(True)
        try:
            transaction = _start_transaction(job, queue)
            running = _running_job.set(transaction)
            try:
                rv = perform_job(self, job, queue, *args, **kwargs)
                succeeded = bool(rv)
            finally:
                if transaction is not None:
                    if not succeeded:
                        transaction.set_status(SPANSTATUS.INTERNAL_ERROR)
                    transaction.__exit__(None, None, None)
                _running_job.reset(running)
        finally:
            unset_quiet(quiet)
            leave_request_scopes(entered)
            if check_in is not None:
                _close_check_in(check_in, succeeded)
            if getattr(self, "is_horse", False):
                flush()  # rq ends the work-horse with os._exit
        return rv

    sentry_lite_perform_job._sentry_lite = True  # type: ignore[attr-defined]
    return sentry_lite_perform_job


def _start_transaction(job: Any, queue: Any) -> Any:
    try:
        headers = job.meta.get(META_KEY) or {}
    except Exception:
        headers = {}
    try:
        name = job.func_name or "unknown RQ task"
    except Exception:
        name = "unknown RQ task"
    transaction = start_request_transaction(
        headers, OP.QUEUE_TASK_RQ, name, TransactionSource.TASK, ORIGIN, {"rq_job": job}
    )
    if transaction is not None:
        try:
            transaction.set_data(SPANDATA.MESSAGING_DESTINATION_NAME, queue.name)
            if isinstance(transaction, StreamedSpanView):
                # The segment's attributes, as sentry_sdk's streamed job span has them.
                transaction.set_data(SPANDATA.MESSAGING_MESSAGE_ID, job.id)
                transaction.set_data(SPANDATA.CODE_FUNCTION_NAME, job.func_name)
        except Exception:
            pass
    return transaction


def _wrap_handle_exception(handle_exception: Any) -> Any:
    def sentry_lite_handle_exception(self: Any, job: Any, *exc_info: Any, **kwargs: Any) -> Any:
        try:
            if active_integration(RqIntegration.identifier) is not None:
                # Before the capture, so the event's trace context says it too.
                span = _running_job.get()
                if span is not None:
                    span.set_status(SPANSTATUS.INTERNAL_ERROR)
                if _final_failure(job):
                    capture_caught(exc_info, "rq", handled=False)
        except Exception:
            pass
        return handle_exception(self, job, *exc_info, **kwargs)

    return sentry_lite_handle_exception


def _final_failure(job: Any) -> bool:
    """Failed, with no retry left: reported once, after the last attempt."""
    retries_left = getattr(job, "retries_left", None)
    if retries_left and retries_left > 0:
        return False
    get_status = getattr(job, "get_status", None)
    try:
        status = get_status(refresh=False) if get_status is not None else None
    except TypeError:  # rq before get_status(refresh=...)
        status = None
    return status == JobStatus.FAILED or bool(job.is_failed)


def _wrap_quiet(method: Any, on: bool) -> Any:
    """The worker's loop runs quiet, the job's code loud."""

    @functools.wraps(method)
    def sentry_lite_quiet(*args: Any, **kwargs: Any) -> Any:
        token = set_quiet(on)
        try:
            return method(*args, **kwargs)
        finally:
            unset_quiet(token)

    return sentry_lite_quiet


def _wrap_enqueue_job(enqueue_job: Any) -> Any:
    @functools.wraps(enqueue_job)
    def sentry_lite_enqueue_job(self: Any, job: Any, *args: Any, **kwargs: Any) -> Any:
        if active_integration(RqIntegration.identifier) is not None:
            try:
                headers = dict(iter_trace_propagation_headers())
                if headers:
                    job.meta[META_KEY] = headers
            except Exception:
                pass
        return enqueue_job(self, job, *args, **kwargs)

    return sentry_lite_enqueue_job


# -- Crons for rq-scheduler's repeating jobs ----------------------------------------------


def _portable_crontab_field(field: str, is_weekday: bool) -> bool:
    for item in field.split(","):
        match = _CRONTAB_ITEM.fullmatch(item)
        if match is None:
            return False
        first, last = match.groups()
        if last is not None and int(last) <= int(first):
            return False  # rq-scheduler and Sentry read wrapping ranges differently
        if is_weekday and first is not None and last is None and "/" in item:
            return False
    return True


def _crontab_config(cron_string: str) -> Optional[MonitorConfig]:
    fields = cron_string.split()
    if len(fields) != 5 or not all(
        _portable_crontab_field(field, i == 4) for i, field in enumerate(fields)
    ):
        return None
    if fields[2] != "*" and fields[4] != "*":
        return None  # day of month and day of week together: parsers disagree
    if time.timezone != 0 or (time.daylight and time.altzone != 0):
        return None  # rq-scheduler evaluates crontabs in local time
    return {"schedule": {"type": "crontab", "value": " ".join(fields)}, "timezone": "UTC"}


def _monitor_config(job: Any) -> Optional[MonitorConfig]:
    if job.meta.get("repeat") is not None:
        return None  # stops after a number of runs: not a monitor
    cron_string = job.meta.get("cron_string")
    if isinstance(cron_string, str):
        return _crontab_config(cron_string)
    interval = job.meta.get("interval")
    if isinstance(interval, int):
        schedule = interval_schedule(interval)
        if schedule is not None:
            return {"schedule": schedule}
    return None


def _start_check_in(integration: Any, job: Any) -> Optional[Tuple[str, Any, Any, float]]:
    """``in_progress`` for jobs rq-scheduler re-enqueues (``cron()``, ``interval=``)."""
    if not integration.monitor_cron_jobs:
        return None
    if "cron_string" not in job.meta and "interval" not in job.meta:
        return None
    slug = job.func_name if _GENERATED_JOB_ID.fullmatch(job.id) else job.id
    if excluded(slug, integration.exclude_cron_jobs):
        return None
    config = _monitor_config(job)
    if config is None:
        return None
    check_in_id = capture_checkin(
        monitor_slug=slug, monitor_config=config, status=MonitorStatus.IN_PROGRESS
    )
    return slug, config, check_in_id, time.perf_counter()


def _close_check_in(check_in: Tuple[str, Any, Any, float], succeeded: bool) -> None:
    slug, config, check_in_id, started = check_in
    capture_checkin(
        monitor_slug=slug,
        monitor_config=config,
        check_in_id=check_in_id,
        duration=time.perf_counter() - started,
        status=MonitorStatus.OK if succeeded else MonitorStatus.ERROR,
    )
