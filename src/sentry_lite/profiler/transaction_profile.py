"""Transaction-based profiling: a ``profile`` item (format "1") with each sampled
transaction that ``profiles_sample_rate``/``profiles_sampler`` picks.

The decision is made when the transaction starts, among sampled transactions only, with
the sampler given the same sampling context as ``traces_sampler``. Sampling for the
profile stops when the transaction finishes or after ``MAX_PROFILE_DURATION`` seconds;
the item rides in the transaction's envelope. A profile with fewer than
``PROFILE_MINIMUM_SAMPLES`` ticks, one not picked by the rate, or one whose transaction
is not sent, is counted as lost (category ``profile``), as sentry_sdk does.
"""

from __future__ import annotations

import math
import platform
import random
import time
from typing import Any, Callable, Dict, List, Mapping, Optional

from sentry_lite.limits import MAX_PROFILE_DURATION, PROFILE_MINIMUM_SAMPLES
from sentry_lite.profiler.engine import Engine, Tick
from sentry_lite.profiler.formats import build_profile
from sentry_lite.sdk_loggers import logger
from sentry_lite.tracing.ids import new_trace_id

__all__ = [
    "MAX_PROFILE_DURATION_NS",
    "TransactionProfile",
    "device_metadata",
    "profile_sample_rate",
]


MAX_PROFILE_DURATION_NS = int(MAX_PROFILE_DURATION * 1e9)

RecordLost = Callable[[str, str, int], None]

_device: Optional[Dict[str, Any]] = None


def device_metadata() -> Dict[str, Any]:
    """``device``, ``os`` and ``runtime`` of a profile (computed once per process)."""
    global _device
    if _device is None:
        _device = {
            "device": {"architecture": platform.machine()},
            "os": {"name": platform.system(), "version": platform.release()},
            "runtime": {
                "name": platform.python_implementation(),
                "version": platform.python_version(),
            },
        }
    return _device


def _valid_rate(rate: Any) -> bool:
    if isinstance(rate, bool):
        return True
    if not isinstance(rate, (int, float)) or math.isnan(rate):
        return False
    return 0 <= rate <= 1


def profile_sample_rate(
    options: Mapping[str, Any], sampling_context: Callable[[], Dict[str, Any]]
) -> Optional[float]:
    """The rate for one sampled transaction, by sentry_sdk's precedence: the
    ``profiles_sampler``, else ``profiles_sample_rate``, else the experimental option.
    None when the sampler raised or gave no valid rate (the profile is not taken)."""
    sampler = options.get("profiles_sampler")
    if callable(sampler):
        try:
            rate = sampler(sampling_context())
        except Exception:  # noqa: BLE001 - a user hook must not break the transaction
            logger.warning("sentry_lite: profiles_sampler raised; not profiling", exc_info=True)
            return None
    elif options.get("profiles_sample_rate") is not None:
        rate = options.get("profiles_sample_rate")
    else:
        rate = (options.get("_experiments") or {}).get("profiles_sample_rate")
    if rate is None:
        return None
    if not _valid_rate(rate):
        logger.warning("sentry_lite: invalid profiles sample rate %r; not profiling", rate)
        return None
    return float(rate)


def fixed_rate(options: Mapping[str, Any]) -> Optional[float]:
    """The rate when no ``profiles_sampler`` decides and the option is valid (then a
    transaction's decision is one comparison); None: ask :func:`decide` each time."""
    if options.get("profiles_sampler") is not None:
        return None
    rate = options.get("profiles_sample_rate")
    if rate is None:
        rate = (options.get("_experiments") or {}).get("profiles_sample_rate")
    return float(rate) if rate is not None and _valid_rate(rate) else None


def decide(options: Mapping[str, Any], sampling_context: Callable[[], Dict[str, Any]]) -> bool:
    rate = profile_sample_rate(options, sampling_context)
    return rate is not None and random.random() < rate


class TransactionProfile:
    """The samples of one transaction; receives ticks on the profiler thread."""

    __slots__ = (
        "_engine",
        "_event_id",
        "_options",
        "_record_lost",
        "active",
        "active_thread_id",
        "profiler_id",
        "start_ns",
        "stop_ns",
        "ticks",
    )

    def __init__(
        self,
        engine: Engine,
        options: Mapping[str, Any],
        record_lost: RecordLost,
        thread_ident: Optional[int],
    ) -> None:
        self._engine = engine
        self._options = options
        self._record_lost = record_lost
        self._event_id: Optional[str] = None
        self.profiler_id: Optional[str] = None
        """Transaction profiles have none (that is for continuous profiling)."""
        self.active_thread_id = str(thread_ident or 0)
        self.start_ns = time.perf_counter_ns()
        self.stop_ns = 0
        self.ticks: List[Tick] = []
        self.active = True

    @property
    def event_id(self) -> str:
        """The profile's id, made when first asked (most profiles are never sent)."""
        if self._event_id is None:
            self._event_id = new_trace_id()
        return self._event_id

    def update_active_thread_id(self, thread_ident: Optional[int]) -> None:
        """The thread that handles the transaction, if not the one that started it."""
        if thread_ident is not None:
            self.active_thread_id = str(thread_ident)

    # -- profiler thread -------------------------------------------------------------------
    def add(self, tick: Tick) -> bool:
        if not self.active:
            return False
        offset = tick[0] - self.start_ns
        if offset < 0:
            return True
        if offset > MAX_PROFILE_DURATION_NS:
            self.stop_ns = tick[0]
            self.active = False
            return False
        self.ticks.append(tick)
        return True

    # -- app thread ------------------------------------------------------------------------
    def finish(self, event: Optional[Dict[str, Any]], lost_reason: str = "sample_rate") -> None:
        """The transaction finished: stop sampling; with its ``event`` about to be sent,
        ride along with it (``event["profile"]``), else count the profile as lost."""
        if self.active:
            self.active = False
            self.stop_ns = time.perf_counter_ns()
        if event is None:
            if lost_reason:  # empty: the client is gone, there is nobody to tell
                self._record_lost(lost_reason, "profile", 1)
            return
        if (
            len(self.ticks) < PROFILE_MINIMUM_SAMPLES
            or self._ticks_before_stop() < PROFILE_MINIMUM_SAMPLES
        ):
            self._record_lost("insufficient_data", "profile", 1)
            logger.debug("sentry_lite: profile dropped: too few samples")
            return
        event["profile"] = self

    def lost(self, reason: str) -> None:
        """The transaction event carrying this profile was dropped."""
        self._record_lost(reason, "profile", 1)

    def _ticks_before_stop(self) -> int:
        """How many ticks were taken up to the stop, counted without a copy (app thread)."""
        ticks, stop = self.ticks, self.stop_ns
        count = len(ticks)
        while count and ticks[count - 1][0] > stop:
            count -= 1
        return count

    def _ticks_in_range(self) -> List[Tick]:
        # A copy: the profiler thread may still append one (after the stop, so not kept).
        return self.ticks[: self._ticks_before_stop()]

    def payload(self, event: Mapping[str, Any]) -> Dict[str, Any]:
        """The ``profile`` item for the transaction ``event`` as it is sent."""
        start = self.start_ns
        profile = build_profile(
            self._ticks_in_range(),
            "elapsed_since_start_ns",
            lambda ns: str(ns - start),
            self._engine.sampler.thread_names,
        )
        trace = (event.get("contexts") or {}).get("trace") or {}
        rv: Dict[str, Any] = {
            "environment": event.get("environment"),
            "event_id": self.event_id,
            "platform": "python",
            "profile": profile,
            "release": event.get("release", ""),
            "timestamp": event.get("start_timestamp"),
            "version": "1",
        }
        rv.update(device_metadata())
        rv["transactions"] = [
            {
                "id": event.get("event_id"),
                "name": event.get("transaction"),
                "relative_start_ns": "0",
                "relative_end_ns": str(max(self.stop_ns - start, 1)),
                "trace_id": trace.get("trace_id"),
                "active_thread_id": self.active_thread_id,
            }
        ]
        return rv
