"""Celery beat and Sentry Crons (``CeleryIntegration(monitor_beat_tasks=True)``).

When beat applies a schedule entry it starts a new trace, sends an ``in_progress``
check-in for the entry (unless ``exclude_beat_tasks`` matches its name or its schedule
has no Crons form) and puts the monitor slug, config and check-in id in the task's
headers. The worker's ``task_success``/``task_failure``/``task_retry`` signals send the
closing ``ok``/``error`` check-in with the same id and the duration since beat.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any, Dict, List, Optional

from sentry_lite.integration_api import (
    MonitorStatus,
    Scope,
    active_integration,
    capture_checkin,
    interval_schedule,
    timezone_name,
)
from sentry_lite.integrations.celery.names import (
    IDENTIFIER,
    MONITOR_CHECK_IN_HEADER,
    MONITOR_CONFIG_HEADER,
    MONITOR_SLUG_HEADER,
    MONITOR_START_HEADER,
)
from sentry_lite.integrations.celery.producer import from_beat
from sentry_lite.types import MonitorConfig

__all__ = ["connect_signals", "monitor_config", "patch_scheduler", "task_headers"]

logger = logging.getLogger("sentry_lite")


def _excluded(name: str, patterns: Optional[List[str]]) -> bool:
    """sentry_sdk's rule: each pattern is a regex anchored at the end, searched."""
    for pattern in patterns or ():
        if not pattern.endswith("$"):
            pattern += "$"
        if re.search(pattern, name):
            return True
    return False


def _timezone(schedule: Any, app: Any) -> str:
    for tz in (getattr(schedule, "tz", None), getattr(app, "timezone", None)):
        if tz is None:
            continue
        name = tz if isinstance(tz, str) else timezone_name(tz)
        if name:
            return name
    return "UTC"


def monitor_config(schedule: Any, app: Any, name: str) -> MonitorConfig:
    """A beat schedule as ``monitor_config`` (empty when Crons cannot express it)."""
    from celery.schedules import crontab
    from celery.schedules import schedule as interval

    config: Dict[str, Any]
    if isinstance(schedule, crontab):
        value = (
            f"{schedule._orig_minute} {schedule._orig_hour} {schedule._orig_day_of_month} "
            f"{schedule._orig_month_of_year} {schedule._orig_day_of_week}"
        )
        config = {"schedule": {"type": "crontab", "value": value}}
    elif isinstance(schedule, interval):
        seconds = schedule.seconds
        every = interval_schedule(seconds)
        if every is None:
            logger.warning(
                "sentry_lite: Sentry Crons needs whole minutes; monitor %r runs every %s "
                "seconds. Exclude it with exclude_beat_tasks.",
                name,
                int(seconds),
            )
            return {}
        config = {"schedule": every}
    else:
        logger.warning("sentry_lite: Celery schedule type %r has no Crons form", type(schedule))
        return {}
    config["timezone"] = _timezone(schedule, app)
    return config


def _prepare_entry(scheduler: Any, entry: Any, integration: Any) -> None:
    if not integration.monitor_beat_tasks or _excluded(entry.name, integration.exclude_beat_tasks):
        return
    config = monitor_config(entry.schedule, scheduler.app, entry.name)
    if not config:
        return
    headers = entry.options.pop("headers", None) or {}
    headers[MONITOR_SLUG_HEADER] = entry.name
    headers[MONITOR_CONFIG_HEADER] = config
    headers[MONITOR_CHECK_IN_HEADER] = capture_checkin(
        monitor_slug=entry.name, monitor_config=config, status=MonitorStatus.IN_PROGRESS
    )
    entry.options["headers"] = headers


def patch_scheduler(cls: Any, method: str) -> None:
    original = getattr(cls, method)
    if getattr(original, "_sentry_lite", False):
        return

    def apply_entry(*args: Any, **kwargs: Any) -> Any:
        integration = active_integration(IDENTIFIER)
        if integration is None:
            return original(*args, **kwargs)
        Scope.get_isolation_scope().set_new_propagation_context()
        token = from_beat.set(True)
        try:
            try:
                _prepare_entry(args[0], args[1], integration)
            except Exception:
                logger.debug("sentry_lite: could not prepare the beat entry", exc_info=True)
            return original(*args, **kwargs)
        finally:
            from_beat.reset(token)

    apply_entry._sentry_lite = True  # type: ignore[attr-defined]
    setattr(cls, method, apply_entry)


def task_headers(task: Any) -> Dict[str, Any]:
    """The task's headers, nested ``headers`` and message properties flattened."""
    headers = dict(task.request.get("headers") or {})
    inner = headers.pop("headers", None)
    if isinstance(inner, dict):
        headers.update(inner)
    headers.update(task.request.get("properties") or {})
    return headers


def _close_check_in(sender: Any, status: str) -> None:
    integration = active_integration(IDENTIFIER)
    if integration is None or not integration.monitor_beat_tasks:
        return
    try:
        headers = task_headers(sender)
        if MONITOR_SLUG_HEADER not in headers:
            return
        started = headers.get(MONITOR_START_HEADER)
        capture_checkin(
            monitor_slug=headers[MONITOR_SLUG_HEADER],
            monitor_config=headers.get(MONITOR_CONFIG_HEADER) or {},
            check_in_id=headers.get(MONITOR_CHECK_IN_HEADER),
            duration=time.time() - float(started) if started else None,
            status=status,
        )
    except Exception:
        logger.debug("sentry_lite: could not send the closing check-in", exc_info=True)


def _on_success(sender: Any, **kwargs: Any) -> None:
    _close_check_in(sender, MonitorStatus.OK)


def _on_failure(sender: Any, **kwargs: Any) -> None:
    _close_check_in(sender, MonitorStatus.ERROR)


def connect_signals() -> None:
    from celery.signals import task_failure, task_retry, task_success

    task_success.connect(_on_success, weak=False)
    task_failure.connect(_on_failure, weak=False)
    task_retry.connect(_on_failure, weak=False)
