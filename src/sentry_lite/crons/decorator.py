"""``sentry_lite.monitor``: a decorator and context manager (sync and async) that wraps a
run of a job in an ``in_progress`` check-in and an ``ok``/``error`` one."""

from __future__ import annotations

import functools
import time
from types import TracebackType
from typing import TYPE_CHECKING, Any, Callable, Optional, Type, TypeVar, cast

from sentry_lite.crons.api import capture_checkin
from sentry_lite.crons.consts import MonitorStatus

if TYPE_CHECKING:
    from sentry_lite.types import MonitorConfig

__all__ = ["monitor"]

F = TypeVar("F", bound=Callable[..., Any])


class monitor:  # noqa: N801 - sentry_sdk's name
    """Report each run of a job to a Sentry Crons monitor.

    As a decorator (``@sentry_lite.monitor(monitor_slug="nightly")``, below Celery's
    ``@app.task``) or a context manager (``with sentry_lite.monitor("nightly"):``). The
    closing check-in carries the duration and ``error`` when the block raised.
    """

    def __init__(
        self, monitor_slug: Optional[str] = None, monitor_config: Optional[MonitorConfig] = None
    ) -> None:
        self.monitor_slug = monitor_slug
        self.monitor_config = monitor_config
        self.check_in_id: Optional[str] = None
        self.start_timestamp = 0.0

    def __enter__(self) -> None:
        self.start_timestamp = time.perf_counter()
        self.check_in_id = capture_checkin(
            monitor_slug=self.monitor_slug,
            status=MonitorStatus.IN_PROGRESS,
            monitor_config=self.monitor_config,
        )

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc_value: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        failed = exc_type is not None or exc_value is not None or traceback is not None
        capture_checkin(
            monitor_slug=self.monitor_slug,
            check_in_id=self.check_in_id,
            status=MonitorStatus.ERROR if failed else MonitorStatus.OK,
            duration=time.perf_counter() - self.start_timestamp,
            monitor_config=self.monitor_config,
        )

    def __call__(self, fn: F) -> F:
        import inspect  # ~5 ms of `import sentry_lite` otherwise; only decorating needs it

        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def async_inner(*args: Any, **kwargs: Any) -> Any:
                with self:
                    return await fn(*args, **kwargs)

            async_inner._sentry_monitored = True  # type: ignore[attr-defined]
            return cast(F, async_inner)

        @functools.wraps(fn)
        def inner(*args: Any, **kwargs: Any) -> Any:
            with self:
                return fn(*args, **kwargs)

        inner._sentry_monitored = True  # type: ignore[attr-defined]
        return cast(F, inner)
