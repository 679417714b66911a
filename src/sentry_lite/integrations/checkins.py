"""Crons check-ins around a scheduled job's run, for the queue integrations that
monitor their scheduler's jobs (arq cron jobs, huey periodic tasks).

``in_progress`` before the run, ``ok``/``error`` with the duration after it, as
``sentry_lite.monitor`` sends them; ``excluded`` reads the ``exclude_*`` option's
patterns as sentry_sdk does (anchored at the end, searched from the start).
"""

from __future__ import annotations

import functools
import re
import time
from typing import Any, Callable, List, Optional

from sentry_lite.integration_api import MonitorStatus, capture_checkin
from sentry_lite.types import MonitorConfig

__all__ = ["excluded", "monitored", "monitored_async"]


def excluded(slug: str, patterns: Optional[List[str]]) -> bool:
    """Does the slug match one of the user's exclusion patterns?"""
    for pattern in patterns or ():
        if not pattern.endswith("$"):
            pattern += "$"
        if re.search(pattern, slug):
            return True
    return False


class _Run:
    __slots__ = ("check_in_id", "config", "slug", "started")

    def __init__(self, slug: str, config: MonitorConfig) -> None:
        self.slug = slug
        self.config = config
        self.started = time.perf_counter()
        self.check_in_id = capture_checkin(
            monitor_slug=slug, monitor_config=config, status=MonitorStatus.IN_PROGRESS
        )

    def close(self, failed: bool) -> None:
        capture_checkin(
            monitor_slug=self.slug,
            monitor_config=self.config,
            check_in_id=self.check_in_id,
            duration=time.perf_counter() - self.started,
            status=MonitorStatus.ERROR if failed else MonitorStatus.OK,
        )


def monitored(slug: str, config: MonitorConfig, func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` with a check-in pair around each call."""

    @functools.wraps(func)
    def sentry_lite_monitored(*args: Any, **kwargs: Any) -> Any:
        run = _Run(slug, config)
        try:
            result = func(*args, **kwargs)
        except BaseException:
            run.close(True)
            raise
        run.close(False)
        return result

    return sentry_lite_monitored


def monitored_async(
    slug: str, config: MonitorConfig, func: Callable[..., Any]
) -> Callable[..., Any]:
    """The coroutine function ``func`` with a check-in pair around each run."""

    @functools.wraps(func)
    async def sentry_lite_monitored(*args: Any, **kwargs: Any) -> Any:
        run = _Run(slug, config)
        try:
            result = await func(*args, **kwargs)
        except BaseException:
            run.close(True)
            raise
        run.close(False)
        return result

    return sentry_lite_monitored
