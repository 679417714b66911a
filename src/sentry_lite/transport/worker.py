"""A lazily started background thread that runs jobs from a bounded queue.

The app thread only ever does a non-blocking ``put``; a full queue is reported to the
caller, which decides what a drop means (client report, outbox).
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from typing import Callable, Deque, Optional

__all__ = ["BackgroundWorker"]

Job = Callable[[], None]


class BackgroundWorker:
    def __init__(self, queue_size: int = 100, name: str = "sentry_lite.worker") -> None:
        self._queue_size = max(1, int(queue_size))
        self._name = name
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._jobs: Deque[Job] = deque()
        self._busy = 0
        self._thread: Optional[threading.Thread] = None
        self._pid = os.getpid()
        self._stopped = False

    @property
    def is_alive(self) -> bool:
        return self._pid == os.getpid() and self._thread is not None and self._thread.is_alive()

    def _ensure_thread(self) -> bool:
        if self._pid != os.getpid():
            # Forked child: the parent's thread does not exist here; start afresh.
            self._lock = threading.Lock()
            self._cond = threading.Condition(self._lock)
            self._jobs = deque()
            self._busy = 0
            self._thread = None
            self._pid = os.getpid()
        if self._thread is not None and self._thread.is_alive():
            return True
        if self._stopped:
            return False
        thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        try:
            thread.start()
        except RuntimeError:
            # "can't create new thread at interpreter shutdown"
            return False
        self._thread = thread
        return True

    def submit(self, job: Job) -> bool:
        """Queue ``job``; returns False (without blocking) if the queue is full or stopped."""
        if self._pid != os.getpid() or self._thread is None or not self._thread.is_alive():
            if not self._ensure_thread():
                return False
        with self._cond:
            if len(self._jobs) >= self._queue_size:
                return False
            self._jobs.append(job)
            self._cond.notify_all()
        return True

    def pending(self) -> int:
        with self._lock:
            return len(self._jobs) + self._busy

    def flush(self, timeout: float) -> bool:
        """Wait until every queued job ran, at most ``timeout`` seconds. True if drained."""
        deadline = time.monotonic() + max(0.0, timeout)
        with self._cond:
            while self._jobs or self._busy:
                if self._thread is None or not self._thread.is_alive():
                    return False
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
        return True

    def kill(self) -> None:
        with self._cond:
            self._stopped = True
            self._jobs.clear()
            self._cond.notify_all()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._jobs and not self._stopped:
                    self._cond.wait()
                if self._stopped and not self._jobs:
                    return
                job = self._jobs.popleft()
                self._busy += 1
            try:
                job()
            except Exception:  # noqa: BLE001 - a failing job must never kill the worker
                pass
            finally:
                with self._cond:
                    self._busy -= 1
                    self._cond.notify_all()
