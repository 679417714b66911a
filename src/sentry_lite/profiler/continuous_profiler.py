"""sentry_sdk's ``profiler.continuous_profiler`` module path, for code (and test fixtures)
that import the continuous profiler's functions from there. The profiler itself is
``profiler.control``."""

from __future__ import annotations

from typing import Optional

from sentry_lite.profiler import (
    control,
    start_profile_session,
    start_profiler,
    stop_profile_session,
    stop_profiler,
)

__all__ = [
    "get_profiler_id",
    "start_profile_session",
    "start_profiler",
    "stop_profile_session",
    "stop_profiler",
    "teardown_continuous_profiler",
]


def teardown_continuous_profiler() -> None:
    """Stop the continuous profiler and send what it sampled."""
    control.teardown()


def get_profiler_id() -> Optional[str]:
    """The continuous profiler's id while it samples, else None."""
    return control.profiler_id()
