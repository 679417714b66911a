"""Lazily started daemon threads (one per process by default) working through a bounded queue.

The app thread only ever appends to a deque under a short lock: a full queue is reported
to the caller at once (who decides what a drop means: a client report or a spill to the
outbox). When the queue is empty a thread calls ``idle()``, which does background work
(retries from the outbox, periodic client reports) and says when to call it again.

Jobs are handed to ``process`` in batches. With ``linger`` set, a thread that finds new
work waits up to that long for more before it starts, unless a job is ``urgent``, the
queue holds ``batch_size`` jobs, or someone flushes. Why: on a busy server every wake-up
of a sending thread costs the app far more than the sending itself (a contended GIL,
caches that the app's own work has evicted); a thread that wakes once for twenty
transactions and works through them in a tight loop costs a fraction of twenty wake-ups.

``threads > 1`` runs that many threads on the same queue, so that several requests are
in flight at once: the ingest's latency overlaps instead of adding up. A thread takes its
share of the queue (split between itself and the threads not busy, when ``spread()`` says
that pays: several connections help a slow ingest, not a fast one; with ``spread`` the
other threads are only started then, so a fast ingest never wakes them). ``idle()`` runs on
thread 0 only, unless ``idle_on_all_threads`` (the outbox sender, whose idle work is the
sending itself and is safe to run concurrently).

Fork safety: ``os.register_at_fork`` gives the child fresh locks and an empty queue (the
parent still owns and sends what was queued before the fork); the child's threads start
on its first submit. No thread is started during interpreter shutdown.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import weakref
from _thread import allocate_lock as _allocate_lock
from collections import deque
from typing import Any, Callable, Deque, Generic, List, Optional, TypeVar

from sentry_lite.limits import POOL_IDLE_EXIT
from sentry_lite.own_threads import own_thread
from sentry_lite.transport.reentry import held_here, new_lock

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


def _shutting_down() -> bool:
    """True once the interpreter is exiting: atexit hooks run after the main thread ended."""
    return sys.is_finalizing() or not threading.main_thread().is_alive()


class _Signal:
    """A condition variable over C-level locks, for the app thread's side of the queue.

    Why not ``threading.Condition``: waking a sleeping thread is on the app thread's path
    for every urgent capture, and ``Condition.notify_all`` runs a dozen lines of Python
    (ownership check, deque walk). After the app was idle even for milliseconds, that code
    runs with cold caches: tens of µs per capture on the benchmark VM, against a few µs
    here. Same contract: call :meth:`wait` and :meth:`notify_all` with ``lock`` held.
    """

    __slots__ = ("_lock", "_waiters")

    def __init__(self, lock: Any) -> None:
        self._lock = lock
        self._waiters: List[threading.Lock] = []

    def wait(self, timeout: Optional[float] = None) -> None:
        waiter = _allocate_lock()
        waiter.acquire()
        self._waiters.append(waiter)
        self._lock.release()
        try:
            if timeout is None:
                waiter.acquire()
            elif timeout > 0:
                waiter.acquire(True, timeout)
        finally:
            self._lock.acquire()
            try:
                self._waiters.remove(waiter)  # timed out: nobody released it
            except ValueError:
                pass

    def notify_all(self) -> None:
        for waiter in self.take():
            waiter.release()

    def take(self) -> List[threading.Lock]:
        """Remove the waiters (lock held); releasing them may then happen after unlocking."""
        waiters = self._waiters
        if waiters:
            self._waiters = []
        return waiters


class BackgroundWorker(Generic[T]):
    def __init__(
        self,
        process: Callable[[List[T]], None],
        idle: Optional[Callable[[], Optional[float]]] = None,
        queue_size: int = 100,
        name: str = "sentry_lite.worker",
        after_fork: Optional[Callable[[], None]] = None,
        threads: int = 1,
        idle_on_all_threads: bool = False,
        linger: float = 0.0,
        urgent: Optional[Callable[[T], bool]] = None,
        batch_size: Optional[int] = None,
        spread: Optional[Callable[[], bool]] = None,
    ) -> None:
        self._process = process
        self._linger = max(0.0, float(linger))
        self._urgent = urgent
        self._batch_size = max(1, int(batch_size or queue_size))
        self._spread = spread
        self._idle = idle
        self._queue_size = max(1, int(queue_size))
        self._name = name
        self._after_fork_hook = after_fork
        self._thread_count = max(1, int(threads))
        self._idle_on_all = idle_on_all_threads
        self._reset()
        self._stopped = False
        _workers.add(self)  # type: ignore[arg-type]

    def _reset(self) -> None:
        self._lock = new_lock()
        self._cond = _Signal(self._lock)
        self._jobs: Deque[T] = deque()
        self._busy = 0
        self._working = 0
        """Threads inside process() or idle() right now."""
        self._flushers = 0
        """Callers waiting in flush(): a lingering thread starts at once for them."""
        self._hurry = False
        """No lingering until the queue is empty: an urgent job is queued, or a batch was
        started and the other threads should take the rest of the queue."""
        self._idle_delay: Optional[float] = None
        self._idle_due: Optional[float] = None
        """Monotonic time ``idle()`` asked to be called again (None: only on new work)."""
        self._idle_runs = 0
        self._threads: List[threading.Thread] = []
        self._running = False
        """Threads were started in this process and the first has not exited: what the app
        thread checks per submit instead of ``Thread.is_alive()`` (a fork resets it)."""
        self._pid = os.getpid()

    def _after_fork(self) -> None:
        self._reset()
        if self._after_fork_hook is not None:
            self._after_fork_hook()

    # -- state ------------------------------------------------------------
    @property
    def is_alive(self) -> bool:
        threads = self._threads
        return self._pid == os.getpid() and bool(threads) and threads[0].is_alive()

    @property
    def stopped(self) -> bool:
        return self._stopped

    def full(self) -> bool:
        return len(self._jobs) >= self._queue_size

    def pending(self) -> int:
        return len(self._jobs) + self._busy

    def _ensure_thread(self) -> bool:
        if self._pid != os.getpid():
            self._after_fork()  # fork without register_at_fork (very old platforms)
        if self.is_alive:
            self._running = True
            return True
        if self._stopped or _shutting_down():
            return False
        with self._lock:
            if self._threads and self._threads[0].is_alive():
                return True
            self._threads = []
            # With spread(), the other threads start only once it says they would help.
            self._grow(1 if self._spread is not None else self._thread_count)
            started = self._threads
            self._running = bool(started)
        return bool(started)

    def _grow(self, count: int) -> None:
        """With the lock held: start threads until ``count`` run (or none can start)."""
        while len(self._threads) < min(count, self._thread_count):
            index = len(self._threads)
            name = self._name if index == 0 else f"{self._name}-{index}"
            thread = own_thread(self._run, name, (index,))
            try:
                thread.start()
            except RuntimeError:
                return  # "can't create new thread at interpreter shutdown"
            self._threads.append(thread)

    # -- app side -----------------------------------------------------------
    def submit(self, job: T) -> bool:
        """Queue ``job`` without blocking; False when full, stopped or no thread can run.

        Also False when this thread already holds the lock: a signal handler, ``__del__``
        or weakref callback interrupted this worker's own code (see reentry.py).
        """
        if held_here(self._lock):
            return False
        if not self._running and not self._ensure_thread():
            return False
        wake: List[threading.Lock] = []
        with self._lock:
            jobs = self._jobs
            if self._stopped or len(jobs) >= self._queue_size:
                return False
            jobs.append(job)
            queued = len(jobs)
            if self._linger and not self._hurry and self._is_urgent(job):
                self._hurry = True  # ends a linger: this one should not wait
                wake = self._cond.take()
            elif queued == 1 or queued == self._batch_size:
                # Only an empty queue can have sleeping workers (they drain it before
                # waiting again), and a full batch ends a linger. Skipping the wake-up
                # otherwise saves the app thread a syscall per waiter.
                wake = self._cond.take()
        for waiter in wake:  # after unlocking: a woken thread does not wait for our lock
            waiter.release()
        return True

    def _is_urgent(self, job: T) -> bool:
        urgent = self._urgent
        if urgent is None:
            return False
        try:
            return bool(urgent(job))
        except Exception:
            return True

    def wake(self) -> None:
        """Make a thread call ``idle()`` soon (new work outside the queue)."""
        if held_here(self._lock):
            return  # the interrupted code on this thread is waking or working already
        if not self._running and not self._ensure_thread():
            return
        with self._lock:
            self._idle_delay = 0.0
            self._idle_due = time.monotonic()
            self._cond.notify_all()

    def share_idle_work(self) -> None:
        """From ``idle()``: more idle work waits than this thread is doing (the outbox
        holds more files): pass the idle turn on, to a new thread if all are busy and
        ``spread()`` says another connection helps. Only with ``idle_on_all_threads``."""
        if not self._idle_on_all or held_here(self._lock):
            return
        with self._lock:
            self._idle_delay = 0.0
            self._idle_due = time.monotonic()
            if self._working >= len(self._threads):
                self._grow_for_idle_work()
            self._cond.notify_all()

    def flush(self, timeout: float) -> bool:
        """Wait until the queue is empty and ``idle()`` has nothing due before the deadline.

        Work ``idle()`` scheduled for after the deadline (a retry in backoff, a rate-limit
        window) does not hold the caller: it stays queued (or on disk) for later.
        """
        deadline = time.monotonic() + max(0.0, timeout)
        if held_here(self._lock):
            return False  # waiting would keep the lock from the threads we wait for
        if not self.is_alive:
            # Never start a thread just to flush (it may be interpreter shutdown).
            return not self._jobs
        with self._lock:
            self._idle_delay = 0.0
            self._idle_due = time.monotonic()
            start = self._idle_runs
            self._flushers += 1
            self._cond.notify_all()
            try:
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
            finally:
                self._flushers -= 1
        return True

    def kill(self) -> List[T]:
        """Stop the threads after their current job; return the jobs they will not run."""
        with self._lock:
            self._stopped = True
            left = list(self._jobs)
            self._jobs.clear()
            self._cond.notify_all()
        return left

    # -- worker side ----------------------------------------------------------
    def _wait_for_work(self, may_idle: bool, extra: bool = False) -> bool:
        """With the lock held: wait for a job or idle work. False when stopped, or when
        an ``extra`` thread (not the first) waited :data:`POOL_IDLE_EXIT` for nothing."""
        cond = self._cond
        idle_since = time.monotonic()
        while not self._jobs and not self._stopped:
            if extra and time.monotonic() - idle_since >= POOL_IDLE_EXIT:
                return False
            if self._idle_delay == 0.0:
                if may_idle:
                    return True
                if self._idle is None:
                    # Nothing to do when idle: acknowledge a flush at once.
                    self._idle_runs += 1
                    self._idle_delay = self._idle_due = None
                    cond.notify_all()
                    continue
            delay = self._idle_delay if may_idle else None
            if extra and (delay is None or delay > POOL_IDLE_EXIT):
                cond.wait(POOL_IDLE_EXIT)
                continue
            cond.wait(delay)
            if may_idle and delay is not None and not self._jobs:
                self._idle_delay = 0.0  # timed out: idle() asked to run now
                self._idle_due = time.monotonic()
                return True
        return not self._stopped

    def _linger_for_more(self) -> None:
        """With the lock held and jobs queued: give more jobs a moment to join the batch."""
        if not self._linger:
            return
        deadline = time.monotonic() + self._linger
        while (
            not self._hurry
            and not self._flushers
            and not self._stopped
            and len(self._jobs) < self._batch_size
        ):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            self._cond.wait(remaining)

    def _grow_for_idle_work(self) -> None:
        """With the lock held: the idle work (the outbox) has more: one more thread, if
        ``spread()`` says the ingest is slow enough for it to help."""
        if len(self._threads) >= self._thread_count or _shutting_down():
            return
        spread = self._spread
        try:
            if spread is None or spread():
                self._grow(len(self._threads) + 1)
        except Exception:
            pass

    def _take_batch(self) -> List[T]:
        """With the lock held: this thread's share of the queue."""
        jobs = self._jobs
        free = 1
        if self._spread is None or self._spread():
            if len(self._threads) < self._thread_count and not _shutting_down():
                # One more thread per job waiting beyond those the free threads take.
                self._grow(len(self._threads) + len(jobs) - 1)
            free = max(1, len(self._threads) - self._working)  # this one and those waiting
        count = min(self._batch_size, -(-len(jobs) // free))
        batch = [jobs.popleft() for _ in range(max(1, count))]
        self._hurry = bool(jobs)
        if jobs:
            self._cond.notify_all()
        return batch

    def _run(self, index: int) -> None:
        try:
            self._serve(index)
        finally:
            if index == 0:
                self._running = False  # the next submit starts a thread again
            else:
                with self._lock:  # the pool shrinks back (see _wait_for_work)
                    current = threading.current_thread()
                    if current in self._threads:
                        self._threads.remove(current)

    def _serve(self, index: int) -> None:
        cond = self._cond
        lock = self._lock
        may_idle = self._idle is not None and (index == 0 or self._idle_on_all)
        extra = index > 0 and self._spread is not None  # a pool that grows also shrinks
        while True:
            batch: List[T] = []
            with lock:
                if not self._wait_for_work(may_idle, extra):
                    return
                if self._jobs:
                    self._linger_for_more()
                    if self._stopped:
                        return
                if self._jobs:
                    batch = self._take_batch()
                else:
                    self._idle_delay = None  # this thread takes the idle turn
                self._busy += len(batch) or 1
                self._working += 1
            has_job = bool(batch)
            next_delay: Optional[float] = 0.0
            try:
                if has_job:
                    self._process(batch)
                elif self._idle is not None:
                    next_delay = self._idle()
            except Exception:  # a failing job must never kill the worker
                next_delay = 1.0 if not has_job else 0.0
            finally:
                with lock:
                    self._busy -= len(batch) or 1
                    self._working -= 1
                    if has_job:
                        # New items may have changed what idle() has to do.
                        self._idle_delay = 0.0
                        self._idle_due = time.monotonic()
                    else:
                        self._idle_runs += 1
                        if next_delay == 0.0 or self._idle_delay != 0.0:
                            self._idle_delay = next_delay
                            self._idle_due = (
                                None if next_delay is None else time.monotonic() + next_delay
                            )
                    cond.notify_all()
