"""One lazily started daemon thread per process that works through a bounded queue.

The app thread only ever appends to a deque under a short lock: a full queue is reported
to the caller at once (who decides what a drop means: a client report or a spill to the
outbox). When the queue is empty the thread calls ``idle()``, which does background work
(retries from the outbox, periodic client reports) and says when to call it again.

Fork safety: ``os.register_at_fork`` gives the child fresh locks and an empty queue (the
parent still owns and sends what was queued before the fork); the child's thread starts
on its first submit. No thread is started during interpreter shutdown.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import weakref
from collections import deque
from typing import Callable, Deque, Generic, List, Optional, TypeVar

__all__ = ["BackgroundWorker"]

T = TypeVar("T")

_workers: weakref.WeakSet[BackgroundWorker[object]] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for worker in list(_workers):
        try:
            worker._after_fork()
        except Exception:  # never break the child process
            pass


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


class BackgroundWorker(Generic[T]):
    def __init__(
        self,
        process: Callable[[T], None],
        idle: Optional[Callable[[], Optional[float]]] = None,
        queue_size: int = 100,
        name: str = "sentry_lite.worker",
        after_fork: Optional[Callable[[], None]] = None,
    ) -> None:
        self._process = process
        self._idle = idle
        self._queue_size = max(1, int(queue_size))
        self._name = name
        self._after_fork_hook = after_fork
        self._reset()
        self._stopped = False
        _workers.add(self)  # type: ignore[arg-type]

    def _reset(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._jobs: Deque[T] = deque()
        self._busy = False
        self._idle_delay: Optional[float] = None
        self._idle_due: Optional[float] = None
        """Monotonic time ``idle()`` asked to be called again (None: only on new work)."""
        self._idle_runs = 0
        self._thread: Optional[threading.Thread] = None
        self._pid = os.getpid()

    def _after_fork(self) -> None:
        self._reset()
        if self._after_fork_hook is not None:
            self._after_fork_hook()

    # -- state ------------------------------------------------------------
    @property
    def is_alive(self) -> bool:
        thread = self._thread
        return self._pid == os.getpid() and thread is not None and thread.is_alive()

    @property
    def stopped(self) -> bool:
        return self._stopped

    def full(self) -> bool:
        return len(self._jobs) >= self._queue_size

    def pending(self) -> int:
        return len(self._jobs) + (1 if self._busy else 0)

    def _ensure_thread(self) -> bool:
        if self._pid != os.getpid():
            self._after_fork()  # fork without register_at_fork (very old platforms)
        if self.is_alive:
            return True
        if self._stopped or sys.is_finalizing():
            return False
        thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        try:
            thread.start()
        except RuntimeError:
            # "can't create new thread at interpreter shutdown"
            return False
        self._thread = thread
        return True

    # -- app side -----------------------------------------------------------
    def submit(self, job: T) -> bool:
        """Queue ``job`` without blocking; False when full, stopped or no thread can run."""
        if not self.is_alive and not self._ensure_thread():
            return False
        with self._cond:
            if self._stopped or len(self._jobs) >= self._queue_size:
                return False
            self._jobs.append(job)
            self._cond.notify_all()
        return True

    def wake(self) -> None:
        """Make the thread call ``idle()`` soon (new work outside the queue)."""
        if not self.is_alive and not self._ensure_thread():
            return
        with self._cond:
            self._idle_delay = 0.0
            self._idle_due = time.monotonic()
            self._cond.notify_all()

    def flush(self, timeout: float) -> bool:
        """Wait until the queue is empty and ``idle()`` has nothing due before the deadline.

        Work ``idle()`` scheduled for after the deadline (a retry in backoff, a rate-limit
        window) does not hold the caller: it stays queued (or on disk) for later.
        """
        deadline = time.monotonic() + max(0.0, timeout)
        if not self.is_alive:
            # Never start a thread just to flush (it may be interpreter shutdown).
            return not self._jobs
        with self._cond:
            self._idle_delay = 0.0
            self._idle_due = time.monotonic()
            start = self._idle_runs
            self._cond.notify_all()
            while (
                self._jobs
                or self._busy
                or self._idle_runs <= start
                or (self._idle_due is not None and self._idle_due <= deadline)
            ):
                if not self.is_alive:
                    return False
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
        return True

    def kill(self) -> List[T]:
        """Stop the thread after its current job; return the jobs it will not run."""
        with self._cond:
            self._stopped = True
            left = list(self._jobs)
            self._jobs.clear()
            self._cond.notify_all()
        return left

    # -- worker side ----------------------------------------------------------
    def _run(self) -> None:
        cond = self._cond
        while True:
            job: Optional[T] = None
            has_job = False
            with cond:
                while not self._jobs and not self._stopped:
                    delay = self._idle_delay
                    if delay == 0.0 and self._idle is not None:
                        break
                    if self._idle is None and self._idle_delay == 0.0:
                        self._idle_runs += 1
                        self._idle_delay = self._idle_due = None
                        cond.notify_all()
                        continue
                    cond.wait(delay)
                    if delay is not None and not self._jobs:
                        self._idle_delay = 0.0
                        self._idle_due = time.monotonic()
                        break
                if self._stopped:
                    return
                if self._jobs:
                    job = self._jobs.popleft()
                    has_job = True
                self._busy = True
            next_delay: Optional[float] = 0.0
            try:
                if has_job:
                    self._process(job)  # type: ignore[arg-type]
                elif self._idle is not None:
                    next_delay = self._idle()
            except Exception:  # a failing job must never kill the worker
                next_delay = 1.0 if not has_job else 0.0
            finally:
                with cond:
                    self._busy = False
                    if has_job:
                        # New items may have changed what idle() has to do.
                        self._idle_delay = 0.0
                        self._idle_due = time.monotonic()
                    else:
                        self._idle_runs += 1
                        self._idle_delay = next_delay
                        self._idle_due = (
                            None if next_delay is None else time.monotonic() + next_delay
                        )
                    cond.notify_all()
