"""``sentry_lite.profiler``: sentry_sdk's profiler API, on a cheaper sampler.

Continuous profiling with ``profile_lifecycle="manual"`` is driven by
:func:`start_profiler` and :func:`stop_profiler`; ``start_profile_session`` and
``stop_profile_session`` are their deprecated names. Transaction-based profiling
(``profiles_sample_rate``/``profiles_sampler``) and ``profile_lifecycle="trace"`` need no
calls. See docs/profiling.md.
"""

from __future__ import annotations

import warnings
from typing import Any, Mapping

from sentry_lite.limits import (
    MAX_PROFILE_DURATION,
    MAX_PROFILE_STACK_DEPTH,
    PROFILE_MINIMUM_SAMPLES,
    PROFILER_FREQUENCY,
)
from sentry_lite.profiler import control

__all__ = [
    "DEFAULT_SAMPLING_FREQUENCY",
    "MAX_PROFILE_DURATION_NS",
    "MAX_STACK_DEPTH",
    "PROFILE_MINIMUM_SAMPLES",
    "has_profiling_enabled",
    "start_profile_session",
    "start_profiler",
    "stop_profile_session",
    "stop_profiler",
    "teardown_profiler",
]

DEFAULT_SAMPLING_FREQUENCY = PROFILER_FREQUENCY
MAX_STACK_DEPTH = MAX_PROFILE_STACK_DEPTH
MAX_PROFILE_DURATION_NS = int(MAX_PROFILE_DURATION * 1e9)


def start_profiler() -> None:
    """Start the continuous profiler (``profile_lifecycle="manual"``; a no-op when this
    process was not sampled by ``profile_session_sample_rate``)."""
    control.start_profiler()


def stop_profiler() -> None:
    """Stop the continuous profiler and send what it sampled."""
    control.stop_profiler()


def start_profile_session() -> None:
    """Deprecated name of :func:`start_profiler`."""
    warnings.warn(
        "The `start_profile_session` function is deprecated. Please use `start_profile` instead.",
        DeprecationWarning,
        stacklevel=2,
    )
    control.start_profiler()


def stop_profile_session() -> None:
    """Deprecated name of :func:`stop_profiler`."""
    warnings.warn(
        "The `stop_profile_session` function is deprecated. Please use `stop_profile` instead.",
        DeprecationWarning,
        stacklevel=2,
    )
    control.stop_profiler()


def teardown_profiler() -> None:
    """Stop the running profiler and send what it sampled (sentry_sdk keeps this name for
    code, often test fixtures, that resets profiling between runs)."""
    control.teardown()


def has_profiling_enabled(options: Mapping[str, Any]) -> bool:
    """Do these options turn transaction-based profiling on?"""
    # Imported here: the profiler's modules stay off ``import sentry_lite``.
    from sentry_lite.profiler.profiling import has_profiling_enabled as enabled

    return enabled(options)
