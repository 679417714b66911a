"""Continuous profiling: ``profile_chunk`` items (format "2") sent while the profiler runs.

Whether this process profiles at all is decided once, from
``profile_session_sample_rate``, when the client sets profiling up. Then, by
``profile_lifecycle``:

* ``"manual"``: samples from ``start_profiler()`` to ``stop_profiler()``; each start
  begins a new profiler id, each stop sends what was sampled at once.
* ``"trace"``: samples while a sampled root span (transaction) is open; the profiler id
  lasts as long as the client, and the transaction gets ``contexts.profile.profiler_id``.

The samples go out as a chunk every ``PROFILE_CHUNK_SECONDS`` (from the profiler thread,
even when sampling has paused in between) and when the client closes or the profiler
stops, so nothing sampled is lost at exit (sentry_sdk loses the last chunk in trace
mode). Chunks are built on the profiler thread or the closing thread, never on the
thread of a request.
"""

from __future__ import annotations

import os
import random
import threading
import time
from typing import Any, Callable, Dict, List, Mapping, Optional

from sentry_lite.consts import VERSION
from sentry_lite.limits import PROFILE_CHUNK_SECONDS
from sentry_lite.profiler.engine import Engine, Tick
from sentry_lite.profiler.formats import build_profile
from sentry_lite.sdk_loggers import logger
from sentry_lite.tracing.ids import new_trace_id

__all__ = ["ContinuousSession", "ProfiledRoot", "session_sampled"]


_CHUNK_NS = int(PROFILE_CHUNK_SECONDS * 1e9)


def session_sampled(rate: Any) -> bool:
    """The once-per-process decision; no rate (None or 0) means no continuous profiling."""
    if not rate:
        return False
    try:
        return random.random() < float(rate)
    except (TypeError, ValueError):
        return False


class ContinuousSession:
    """The continuous profile of one client: lifecycle, profiler id and the open chunk."""

    def __init__(
        self,
        engine: Engine,
        options: Mapping[str, Any],
        send_chunk: Callable[[Dict[str, Any]], None],
        sdk_name: Callable[[], str],
        sampled: bool,
    ) -> None:
        self._engine = engine
        self._options = options
        self._send_chunk = send_chunk
        self._sdk_name = sdk_name
        self.sampled = sampled
        lifecycle = options.get("profile_lifecycle") or "manual"
        if lifecycle not in ("manual", "trace"):
            logger.warning(
                "sentry_lite: profile_lifecycle=%r is neither 'manual' nor 'trace'; using 'manual'",
                lifecycle,
            )
            lifecycle = "manual"
        self.lifecycle: str = lifecycle
        experiments = options.get("_experiments") or {}
        self.auto_start = bool(experiments.get("continuous_profiling_auto_start"))
        self.started_pid: Optional[int] = None
        self.profiler_id: Optional[str] = None
        self._manual_on = False
        self._roots = 0
        self._lock = threading.Lock()
        self._chunk: List[Tick] = []
        self._wall_offset = time.time() - time.perf_counter()

    # -- state ------------------------------------------------------------------------------
    @property
    def sampling(self) -> bool:
        return self._manual_on or self._roots > 0

    # -- manual lifecycle (app thread) -----------------------------------------------------
    def start_manual(self) -> None:
        if not self.sampled or self.lifecycle != "manual":
            return
        pid = os.getpid()
        with self._lock:
            if self._manual_on and self.started_pid == pid:
                return
            self.started_pid = pid
            self._manual_on = True
            if self.profiler_id is None:
                self.profiler_id = new_trace_id()
        self._engine.ensure_running()

    def stop_manual(self) -> None:
        if self.lifecycle != "manual":
            return
        with self._lock:
            if not self._manual_on:
                return
            self._manual_on = False
        self.flush()
        self.profiler_id = None

    # -- trace lifecycle (app thread) ------------------------------------------------------
    def root_started(self) -> Optional[str]:
        """A sampled root span started: sample until it ends. Returns the profiler id."""
        if not self.sampled or self.lifecycle != "trace":
            return None
        with self._lock:
            self._roots += 1
            if self.profiler_id is None:
                self.profiler_id = new_trace_id()
            profiler_id = self.profiler_id
        self._engine.ensure_running()
        return profiler_id

    def root_finished(self) -> None:
        with self._lock:
            if self._roots > 0:
                self._roots -= 1

    # -- profiler thread -------------------------------------------------------------------
    def add(self, tick: Tick) -> None:
        with self._lock:
            if not self.sampling:
                return  # stopped while this tick was being taken
            chunk = self._chunk
            chunk.append(tick)
            due = tick[0] - chunk[0][0] >= _CHUNK_NS
        if due:
            self.flush()

    def seconds_to_flush(self) -> Optional[float]:
        chunk = self._chunk
        if not chunk:
            return None
        left = (chunk[0][0] + _CHUNK_NS - time.perf_counter_ns()) / 1e9
        return max(left, 0.0)

    def flush_if_due(self) -> None:
        left = self.seconds_to_flush()
        if left is not None and left <= 0:
            self.flush()

    # -- any thread ------------------------------------------------------------------------
    def flush(self) -> None:
        """Send what was sampled since the last chunk (nothing if nothing was)."""
        with self._lock:
            ticks, self._chunk = self._chunk, []
            profiler_id = self.profiler_id
        if not ticks or profiler_id is None:
            return
        try:
            payload = self._payload(ticks, profiler_id)
        except Exception:  # noqa: BLE001
            logger.debug("sentry_lite: could not build a profile chunk", exc_info=True)
            return
        self._send_chunk(payload)

    def after_fork(self) -> None:
        """In a forked child: the parent's samples are the parent's to send."""
        self._lock = threading.Lock()
        self._chunk = []
        self._manual_on = False
        self._roots = 0
        self.profiler_id = None
        self.started_pid = None

    def _payload(self, ticks: List[Tick], profiler_id: str) -> Dict[str, Any]:
        offset = self._wall_offset
        profile = build_profile(
            ticks,
            "timestamp",
            lambda ns: offset + ns / 1e9,
            self._engine.sampler.thread_names,
        )
        payload: Dict[str, Any] = {
            "chunk_id": new_trace_id(),
            "client_sdk": {"name": self._sdk_name(), "version": VERSION},
            "platform": "python",
            "profile": profile,
            "profiler_id": profiler_id,
            "version": "2",
        }
        options = self._options
        for key in ("release", "environment", "dist"):
            value = options.get(key)
            if value is not None:
                payload[key] = str(value).strip()
        return payload


class ProfiledRoot:
    """What a transaction holds while the continuous profiler samples it: on finish it
    links the transaction to the chunks (``contexts.profile.profiler_id`` and each
    span's ``profiler_id``) and, in trace mode, lets sampling stop."""

    __slots__ = ("_counted", "_session", "profiler_id")

    def __init__(self, session: ContinuousSession, profiler_id: str, counted: bool) -> None:
        self._session = session
        self._counted = counted
        self.profiler_id: Optional[str] = profiler_id

    def finish(self, event: Optional[Dict[str, Any]], lost_reason: str = "sample_rate") -> None:
        if self._counted:
            self._counted = False
            self._session.root_finished()
        if event is None:
            return  # the chunks are sent anyway; only this link is not
        profiler_id = self.profiler_id
        contexts = event.get("contexts")
        if isinstance(contexts, dict):
            contexts["profile"] = {"profiler_id": profiler_id}
        for span in event.get("spans") or ():
            data = span.get("data")
            if isinstance(data, dict):
                data.setdefault("profiler_id", profiler_id)
