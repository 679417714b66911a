"""Crons monitors for huey periodic tasks (``HueyIntegration(monitor_periodic_tasks=True)``).

A periodic task scheduled with huey's ``crontab()`` in UTC (huey's default) gets a
check-in pair around each run, under the task's name; other schedules (a custom
function, local time, day-of-month and day-of-week together) cannot be expressed as a
Sentry schedule and are not monitored.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, List, Optional

from sentry_lite.integrations.checkins import excluded, monitored
from sentry_lite.types import MonitorConfig

try:
    from huey.api import PeriodicTask, crontab
except ImportError as exc:  # pragma: no cover - the package imports huey first
    from sentry_lite.integrations import DidNotEnable

    raise DidNotEnable("huey is not installed") from exc

__all__ = ["monitor_config", "monitored_execute"]

logger = logging.getLogger("sentry_lite")

_CRONTAB_CODE = crontab().__code__
"""The code of the validator ``crontab()`` returns: how a crontab schedule is recognised."""


def _closure_value(func: Any, name: str) -> Any:
    code = getattr(func, "__code__", None)
    closure = getattr(func, "__closure__", None)
    if code is None or closure is None or name not in code.co_freevars:
        return None
    return closure[code.co_freevars.index(name)].cell_contents


def _field(values: List[int], first: int, last: int) -> str:
    """huey's expanded values as a crontab field: ``*``, a range or step, or a list."""
    every = list(range(first, last + 1))
    if values == every:
        return "*"
    if len(values) > 2:
        step = values[1] - values[0]
        if values == list(range(values[0], values[-1] + 1, step)):
            if step == 1:
                return f"{values[0]}-{values[-1]}"
            if values == every[::step]:
                return f"*/{step}"
            return f"{values[0]}-{values[-1]}/{step}"
    return ",".join(str(v) for v in values)


def monitor_config(huey: Any, task: Any) -> Optional[MonitorConfig]:
    """The periodic task's crontab as a monitor config, None when not expressible."""
    if not huey.utc:
        return None  # huey evaluates the crontab in local time
    # ``periodic_task`` wraps the validator in a method; ``crontab()`` made the inner one.
    validate = _closure_value(type(task).validate_datetime, "validate_datetime")
    if getattr(validate, "__code__", None) is not _CRONTAB_CODE:
        return None
    settings = _closure_value(validate, "cron_settings")
    if not settings or len(settings) != 5 or not all(settings):
        return None
    months, days, weekdays, hours, minutes = settings
    day = _field(days, 1, 31)
    weekday = _field(sorted({v % 7 for v in weekdays}), 0, 6)  # 7 is Sunday too
    if day != "*" and weekday != "*":
        return None  # huey wants both to match, cron either
    fields = (_field(minutes, 0, 59), _field(hours, 0, 23), day, _field(months, 1, 12), weekday)
    return {"schedule": {"type": "crontab", "value": " ".join(fields)}, "timezone": "UTC"}


def monitored_execute(
    integration: Any, huey: Any, task: Any, execute: Callable[..., Any]
) -> Callable[..., Any]:
    """``execute`` with check-ins when the task is a periodic task to monitor."""
    if (
        not integration.monitor_periodic_tasks
        or not isinstance(task, PeriodicTask)
        or excluded(task.name, integration.exclude_periodic_tasks)
    ):
        return execute
    config = monitor_config(huey, task)
    if config is None:
        logger.debug("sentry_lite: huey periodic task %r has no Sentry Crons schedule", task.name)
        return execute
    return monitored(task.name, config, execute)
