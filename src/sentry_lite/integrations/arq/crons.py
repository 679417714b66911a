"""Crons monitors for arq cron jobs (``ArqIntegration(monitor_cron_jobs=True)``).

A cron job whose schedule Sentry can express (whole minutes, a crontab, a named
timezone) gets a check-in pair around each run; the slug is the job's name without
arq's ``cron:`` prefix. Jobs the user already decorated with ``monitor`` are left alone.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Iterable, Optional

from sentry_lite.integration_api import timezone_name
from sentry_lite.integrations.checkins import excluded, monitored_async
from sentry_lite.types import MonitorConfig

__all__ = ["monitor_config", "monitor_cron_jobs"]

logger = logging.getLogger("sentry_lite")

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""arq's weekday names, Monday = 0."""


def _field(value: Any, offset: int = 0) -> Optional[str]:
    """One crontab field from arq's ``None`` / int / set of ints, else None."""
    if value is None:
        return "*"
    if isinstance(value, int) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, (set, list, tuple)) or not value:
        return None
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return None
    values = sorted({(v + offset) % 7 for v in value} if offset else set(value))
    return ",".join(str(v) for v in values)


def _crontab(cron_job: Any) -> Optional[str]:
    if cron_job.second not in (0, {0}, [0], (0,)):
        return None  # Sentry schedules have minute resolution
    weekday = cron_job.weekday
    if isinstance(weekday, str):
        weekday = _WEEKDAYS.index(weekday.lower())
    if cron_job.day is not None and weekday is not None:
        return None  # arq wants both to match, cron either
    fields = [
        _field(cron_job.minute),
        _field(cron_job.hour),
        _field(cron_job.day),
        _field(cron_job.month),
        _field(weekday, offset=1),  # arq: Monday = 0, cron: Sunday = 0
    ]
    if any(f is None for f in fields):
        return None
    return " ".join(fields)  # type: ignore[arg-type]


def _worker_timezone(worker: Any) -> Optional[str]:
    tz = getattr(worker, "timezone", None)
    if tz is None:  # arq before 0.25 runs cron jobs in naive local time
        if time.timezone == 0 and (not time.daylight or time.altzone == 0):
            return "UTC"
        return None
    return timezone_name(tz)


def monitor_config(cron_job: Any, worker: Any) -> Optional[MonitorConfig]:
    """The job's schedule as a monitor config, None when Sentry cannot express it."""
    crontab = _crontab(cron_job)
    tz = _worker_timezone(worker)
    if crontab is None or tz is None:
        return None
    return {"schedule": {"type": "crontab", "value": crontab}, "timezone": tz}


def monitor_cron_jobs(integration: Any, cron_jobs: Iterable[Any], worker: Any) -> None:
    for cron_job in cron_jobs:
        try:
            _monitor(integration, cron_job, worker)
        except Exception:  # noqa: BLE001 - a cron job we cannot read runs unmonitored
            logger.debug("sentry_lite: could not monitor arq cron job", exc_info=True)


def _monitor(integration: Any, cron_job: Any, worker: Any) -> None:
    if getattr(cron_job, "_sentry_monitored", False):
        return  # monitored by an earlier worker
    cron_job._sentry_monitored = True
    if getattr(cron_job.coroutine, "_sentry_monitored", False):
        return  # the user's own ``monitor`` decorator reports it
    slug = cron_job.name
    if slug.startswith("cron:"):
        slug = slug[len("cron:") :]
    if excluded(slug, integration.exclude_cron_jobs):
        return
    config = monitor_config(cron_job, worker)
    if config is None:
        logger.debug("sentry_lite: arq cron job %r has no Sentry Crons schedule", cron_job.name)
        return
    cron_job.coroutine = monitored_async(slug, config, cron_job.coroutine)
