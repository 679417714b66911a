"""The profiler thread: one tick ``PROFILER_FREQUENCY`` times a second while a profile
wants samples, asleep otherwise.

Each tick takes one :class:`~sentry_lite.profiler.sampler.Sample` of the app's threads and
hands the same ``(time, sample)`` to every profile that is open (transaction profiles
and the continuous session): a tick costs the same with one open profile or a hundred.
All the stack walking happens here, never on an app thread; an app thread that starts a
profile only appends it to a queue (and wakes the thread when it sleeps).

Under gevent (``threading`` monkey-patched) a greenlet could not sample the other
greenlets' threads, so the thread is a real one from gevent's thread pool and sleeps
with the unpatched ``time.sleep``, as sentry_sdk's ``GeventScheduler`` does.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections import deque
from typing import Any, Callable, Deque, List, Optional, Protocol, Tuple

from sentry_lite.limits import MAX_PENDING_PROFILES, PROFILER_FREQUENCY, PROFILER_IDLE_GRACE
from sentry_lite.own_threads import own_thread
from sentry_lite.profiler.sampler import OWN_THREAD_PREFIX, Sample, Sampler
from sentry_lite.sdk_loggers import logger

__all__ = ["Engine", "Tick", "TickSink", "gevent_patched"]


Tick = Tuple[int, Sample]
"""(``time.perf_counter_ns()`` when the tick started, the sample)."""

THREAD_NAME = OWN_THREAD_PREFIX + "profiler"


class TickSink(Protocol):
    """A profile that receives ticks on the profiler thread."""

    def add(self, tick: Tick) -> bool:
        """Take a tick; False once the profile wants no more (it is then dropped)."""
        ...


class Session(Protocol):
    """The continuous profile, as the engine drives it (see ``continuous.py``)."""

    @property
    def sampling(self) -> bool: ...

    def add(self, tick: Tick) -> None: ...

    def seconds_to_flush(self) -> Optional[float]:
        """How long until the open chunk is due (None: no open chunk)."""
        ...

    def flush_if_due(self) -> None: ...


def gevent_patched() -> bool:
    """Has gevent monkey-patched threading? (Never imports gevent itself.)"""
    if "gevent" not in sys.modules:
        return False
    try:
        from gevent import monkey  # type: ignore[import-untyped, import-not-found, unused-ignore]
    except ImportError:
        return False
    return bool(monkey.is_module_patched("threading") or monkey.is_module_patched("_thread"))


def _native(module: str, name: str, fallback: Any) -> Any:
    try:
        from gevent.monkey import get_original  # type: ignore[import-untyped, import-not-found, unused-ignore]

        return get_original(module, name)
    except Exception:  # noqa: BLE001
        return fallback


class Engine:
    """Runs the :class:`Sampler` on its own thread for the open profiles."""

    def __init__(self, sampler: Sampler, gevent: bool = False) -> None:
        self.sampler = sampler
        self.session: Optional[Session] = None
        self.gevent = gevent
        self.interval = 1.0 / PROFILER_FREQUENCY
        self._pending: Deque[TickSink] = deque()
        self._active: List[TickSink] = []
        self._lock = threading.Lock()
        self._wake: Optional[threading.Event] = None if gevent else threading.Event()
        self._sleep: Callable[[float], None] = (
            _native("time", "sleep", time.sleep) if gevent else time.sleep
        )
        self._get_ident: Callable[[], int] = (
            _native("_thread", "get_ident", threading.get_ident) if gevent else threading.get_ident
        )
        self.ticks = 0
        """Ticks taken so far (tests and benchmarks wait on it)."""
        self._running = False
        self._idle = True
        self._pid: Optional[int] = None
        self._thread: Any = None

    # -- app side -------------------------------------------------------------------------
    def add(self, sink: TickSink) -> bool:
        """Start giving ticks to ``sink``; False when too many wait to be picked up."""
        if len(self._pending) >= MAX_PENDING_PROFILES:
            return False
        self._pending.append(sink)
        if self._running and not self._idle and self._pid == os.getpid():
            return True  # sampling already: it picks the sink up on its next tick
        return self.ensure_running()

    def wake(self) -> None:
        """Something may want samples now (or a chunk is due): end the thread's sleep."""
        wake = self._wake
        if self._idle and wake is not None:
            wake.set()

    def ensure_running(self) -> bool:
        pid = os.getpid()
        if self._running and self._pid == pid:
            self.wake()
            return True
        with self._lock:
            if self._running and self._pid == pid:
                self.wake()
                return True
            self._pid = pid
            self._running = True
            self._idle = False
            try:
                self._thread = self._start_thread()
            except RuntimeError:  # interpreter shutting down: no new threads
                self._running = False
                self._thread = None
                return False
        return True

    def _start_thread(self) -> Any:
        if self.gevent:
            from gevent.threadpool import ThreadPool  # type: ignore[import-untyped, import-not-found, unused-ignore]

            pool = ThreadPool(1)
            pool.spawn(self._run)
            return pool
        thread = own_thread(self._run, THREAD_NAME)
        thread.start()
        return thread

    def stop(self, timeout: float) -> None:
        """Stop the thread and wait up to ``timeout`` for its current tick to end."""
        with self._lock:
            self._running = False
            thread, self._thread = self._thread, None
            if self._wake is not None:
                self._wake.set()
        if thread is None or self._pid != os.getpid():
            return
        try:
            if self.gevent:
                thread.join(timeout=timeout)
            elif thread is not threading.current_thread():
                thread.join(timeout)
        except Exception:  # noqa: BLE001
            logger.debug("sentry_lite: profiler thread did not stop", exc_info=True)

    def after_fork(self) -> None:
        """In a forked child: the thread did not come along; the next profile starts one."""
        self._running = False
        self._thread = None
        self._idle = True
        self._lock = threading.Lock()
        if self._wake is not None:
            self._wake = threading.Event()

    # -- the profiler thread -------------------------------------------------------------
    def _has_work(self) -> bool:
        session = self.session
        return bool(self._pending or self._active or (session is not None and session.sampling))

    def _run(self) -> None:
        self.sampler.set_own_ident(self._get_ident())
        interval = self.interval
        clock = time.perf_counter
        next_tick = last_work = clock()
        while self._running:
            if not self._has_work():
                if clock() - last_work < PROFILER_IDLE_GRACE:
                    # Keep the rhythm without sampling: work that comes back soon (the
                    # next request) then costs the app no wake-up call.
                    self._sleep(interval)
                    self._flush_if_due()
                else:
                    self._rest()
                next_tick = clock()
                continue
            last_work = clock()
            self._idle = False
            try:
                self.tick()
            except Exception:  # noqa: BLE001 - a bad tick must not end profiling
                logger.debug("sentry_lite: profiler tick failed", exc_info=True)
            next_tick += interval
            delay = next_tick - clock()
            if delay > 0:
                self._sleep(delay)
            else:  # fell behind (a long GIL hold): do not try to catch up
                next_tick = clock()
        self._idle = True
        self.sampler.reset()

    def _rest(self) -> None:
        """Nothing wants samples: sleep until woken or until the open chunk is due."""
        self.sampler.reset()
        self._idle = True
        session = self.session
        timeout = session.seconds_to_flush() if session is not None else None
        wake = self._wake
        if wake is None:  # gevent: no cross-thread event; poll at the tick rate
            self._sleep(self.interval)
        else:
            wake.clear()
            if not self._has_work() and self._running:
                wake.wait(timeout)
        self._flush_if_due()

    def _flush_if_due(self) -> None:
        session = self.session
        if session is not None:
            try:
                session.flush_if_due()
            except Exception:  # noqa: BLE001
                logger.debug("sentry_lite: profile chunk flush failed", exc_info=True)

    def tick(self) -> None:
        """Take one sample and hand it to every open profile."""
        pending = self._pending
        active = self._active
        while pending:
            active.append(pending.popleft())
        tick: Tick = (time.perf_counter_ns(), self.sampler.sample())
        self.ticks += 1
        for index, sink in enumerate(active):
            if not sink.add(tick):  # it has ended: keep those that still want ticks
                later = [other for other in active[index + 1 :] if other.add(tick)]
                self._active = active[:index] + later
                break
        session = self.session
        if session is not None and session.sampling:
            session.add(tick)
