"""Job functions for the RQ tests (a worker imports them by their module path)."""

from __future__ import annotations

from typing import Any


def ok_job(x: Any) -> Any:
    return x


def crashing_job(x: Any, password: Any = None) -> Any:
    return x / 0


def sleepy_job(seconds: float) -> None:
    import time

    time.sleep(seconds)


def redis_job(port: int) -> None:
    """A job that uses Redis itself: its commands are the job's, and are recorded."""
    import redis

    redis.Redis(host="127.0.0.1", port=port).set("job-key", "job-value")
