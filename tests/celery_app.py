"""The Celery app of the tests: tasks, the Redis broker and backend, a beat schedule.

``make_app(port)`` for an in-process producer/worker. As a worker or beat process
(``celery -A tests.celery_app worker|beat``) it reads ``CELERY_TEST_REDIS_PORT``, and
``CELERY_TEST_SDK``/``CELERY_TEST_DSN`` to init sentry_sdk or sentry_lite first.
"""

from __future__ import annotations

import importlib
import os
from datetime import timedelta
from typing import Any, Tuple

from celery import Celery
from celery.schedules import schedule


class AlwaysDue(schedule):  # type: ignore[misc]
    """A one-minute interval for Crons that beat runs every second (tests only)."""

    def is_due(self, last_run_at: Any) -> Tuple[bool, float]:
        elapsed = (self.now() - self.maybe_make_aware(last_run_at)).total_seconds()
        if elapsed >= 1.0:
            return True, 1.0
        return False, max(0.05, 1.0 - elapsed)


def make_app(port: int, beat: bool = False) -> Celery:
    url = f"redis://127.0.0.1:{port}/0"
    app = Celery("tests.celery_app", broker=url, backend=url, set_as_current=False)
    app.conf.update(
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        task_default_queue="sentry-lite-tests",
        result_expires=60,
    )

    @app.task(name="tests.celery_app.add")
    def add(x: int, y: int) -> int:
        return x + y

    @app.task(name="tests.celery_app.fail")
    def fail(x: int, password: Any = None) -> float:
        return x / 0

    @app.task(name="tests.celery_app.flaky", bind=True, max_retries=2, default_retry_delay=0)
    def flaky(self: Any) -> None:
        try:
            raise ConnectionError("upstream down")
        except ConnectionError as exc:
            raise self.retry(exc=exc, countdown=0) from exc

    @app.task(name="tests.celery_app.beat_ok")
    def beat_ok() -> str:
        return "ok"

    @app.task(name="tests.celery_app.beat_fail")
    def beat_fail() -> None:
        raise RuntimeError("beat task failed")

    if beat:
        every = AlwaysDue(timedelta(minutes=1))
        app.conf.beat_schedule = {
            "beat-ok": {"task": "tests.celery_app.beat_ok", "schedule": every},
            "beat-fail": {"task": "tests.celery_app.beat_fail", "schedule": every},
            "beat-excluded": {"task": "tests.celery_app.beat_ok", "schedule": every},
        }
    return app


def _from_environment() -> Celery:
    sdk_name = os.environ.get("CELERY_TEST_SDK")
    if sdk_name:
        sdk = importlib.import_module(sdk_name)
        integrations = importlib.import_module(f"{sdk_name}.integrations.celery")
        redis_integration = importlib.import_module(f"{sdk_name}.integrations.redis")
        sdk.init(
            dsn=os.environ["CELERY_TEST_DSN"],
            traces_sample_rate=1.0,
            release="celery@1",
            integrations=[
                integrations.CeleryIntegration(
                    monitor_beat_tasks=True, exclude_beat_tasks=["beat-exc.*"]
                ),
                redis_integration.RedisIntegration(),
            ],
        )
    return make_app(int(os.environ["CELERY_TEST_REDIS_PORT"]), beat=True)


if "CELERY_TEST_REDIS_PORT" in os.environ:
    app = _from_environment()
