"""sentry_sdk's ``profiler.transaction_profiler`` module path, for code (and test
fixtures) that import the transaction profiler's names from there."""

from __future__ import annotations

from sentry_lite.profiler import (
    MAX_PROFILE_DURATION_NS,
    PROFILE_MINIMUM_SAMPLES,
    has_profiling_enabled,
    teardown_profiler,
)

__all__ = [
    "MAX_PROFILE_DURATION_NS",
    "PROFILE_MINIMUM_SAMPLES",
    "has_profiling_enabled",
    "teardown_profiler",
]
