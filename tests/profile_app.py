"""A CPU-bound app profiled by sentry_sdk or sentry_lite (the same code; only the import
differs). Usage: python -m tests.profile_app <sdk module> <dsn> <seconds>

Phase 1: one transaction with transaction-based profiling; phase 2: the same work under
the continuous profiler (manual lifecycle). The work splits its time 6:3:1 between
``hot_a``, ``hot_b`` and ``cold`` (in expectation).
"""

from __future__ import annotations

import importlib
import random
import sys
import time
import warnings

SHARES = {"hot_a": 0.6, "hot_b": 0.3, "cold": 0.1}
MEAN_RUN = 0.002
"""Mean seconds of one run of a function. Which function runs next and for how long are
random (fixed seed), so no tick rhythm can line up with the work and bias the shares."""


def spin(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        sum(range(100))


def hot_a(seconds: float) -> None:
    spin(seconds)


def hot_b(seconds: float) -> None:
    spin(seconds)


def cold(seconds: float) -> None:
    spin(seconds)


def work(seconds: float) -> None:
    rng = random.Random(42)
    functions = [hot_a, hot_b, cold]
    weights = [SHARES[f.__name__] for f in functions]
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        rng.choices(functions, weights)[0](rng.expovariate(1 / MEAN_RUN))


def main() -> None:
    module, dsn, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    sdk = importlib.import_module(module)
    warnings.simplefilter("ignore", DeprecationWarning)
    sdk.init(dsn=dsn, traces_sample_rate=1.0, profiles_sample_rate=1.0, release="app@1")
    with sdk.start_transaction(name="transaction-profile", op="task"):
        work(seconds)
    sdk.flush(10)
    sdk.init(dsn=dsn, traces_sample_rate=1.0, profile_session_sample_rate=1.0, release="app@1")
    sdk.profiler.start_profiler()
    with sdk.start_transaction(name="continuous-profile", op="task"):
        work(seconds)
    sdk.profiler.stop_profiler()
    sdk.flush(10)


if __name__ == "__main__":
    main()
