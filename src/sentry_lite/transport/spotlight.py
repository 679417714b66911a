"""The ``spotlight`` option: a copy of every envelope to a local viewer.

Spotlight's sidecar (and ``sentry-lite serve``) take raw envelopes on ``POST /stream``.
The copy is best effort by design: it goes through its own small background queue so the
app thread never waits, and when nothing listens it backs off (1 s doubling to 60 s) and
says so once per back-off instead of once per envelope.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from typing import Any, Callable, Dict, Optional

import urllib3

from sentry_lite.consts import USER_AGENT
from sentry_lite.limits import (
    SPOTLIGHT_CONNECT_TIMEOUT,
    SPOTLIGHT_INITIAL_BACKOFF,
    SPOTLIGHT_MAX_BACKOFF,
    SPOTLIGHT_QUEUE_SIZE,
    SPOTLIGHT_READ_TIMEOUT,
)
from sentry_lite.own_threads import own_thread
from sentry_lite.sdk_loggers import internal_logger as logger
from sentry_lite.transport.base import Transport
from sentry_lite.transport.wire import Envelope

__all__ = [
    "DEFAULT_SPOTLIGHT_URL",
    "SpotlightTransport",
    "resolve_spotlight_url",
    "setup_spotlight",
]

DEFAULT_SPOTLIGHT_URL = "http://localhost:8969/stream"

_TRUE = {"1", "true", "t", "yes", "y", "on"}
_FALSE = {"0", "false", "f", "no", "n", "off"}


def resolve_spotlight_url(
    value: Any, env: Optional[str] = None, *, use_env: bool = True
) -> Optional[str]:
    """The URL to send to, or None when Spotlight is off.

    Precedence as in sentry_sdk: ``spotlight=False`` wins; ``True`` uses the URL from
    ``SENTRY_SPOTLIGHT`` if it holds one, else the default; a string is the URL; unset
    falls back to ``SENTRY_SPOTLIGHT`` ("1"/"true" or a URL).
    """
    if use_env and env is None:
        env = os.environ.get("SENTRY_SPOTLIGHT")
    env_text = (env or "").strip()
    env_flag: Optional[bool] = None
    env_url: Optional[str] = None
    if env_text:
        lowered = env_text.lower()
        if lowered in _TRUE:
            env_flag = True
        elif lowered in _FALSE:
            env_flag = False
        else:
            env_flag, env_url = True, env_text
    if value is False:
        return None
    if value is True:
        return env_url or DEFAULT_SPOTLIGHT_URL
    if isinstance(value, str) and value.strip():
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return env_url or DEFAULT_SPOTLIGHT_URL
        if lowered in _FALSE:
            return None
        return value.strip()
    if value is None:
        if env_url:
            return env_url
        if env_flag:
            return DEFAULT_SPOTLIGHT_URL
    return None


def setup_spotlight(options: Dict[str, Any]) -> Optional[SpotlightTransport]:
    """The client's ``spotlight`` sender, or None when Spotlight is off.

    Resolves the option against ``SENTRY_SPOTLIGHT`` as sentry_sdk does, warns (as it
    does) when the option overrides the variable, and stores the URL in the options.
    """
    value = options.get("spotlight")
    env = os.environ.get("SENTRY_SPOTLIGHT")
    if env:
        _warn_on_override(value, env)
    url = resolve_spotlight_url(value, env)
    if url is None:
        return None
    options["spotlight"] = url
    return SpotlightTransport(options)


def _warn_on_override(value: Any, env: str) -> None:
    """Tell the user their ``SENTRY_SPOTLIGHT`` is ignored, in sentry_sdk's words."""
    if value is False and resolve_spotlight_url(None, env) is not None:
        logger.warning(
            "Spotlight is disabled via spotlight=False config option, "
            "ignoring SENTRY_SPOTLIGHT environment variable."
        )
    elif isinstance(value, str) and value != env:
        logger.warning(
            "Spotlight URL from config (%s) takes precedence over "
            "SENTRY_SPOTLIGHT environment variable (%s).",
            value,
            env,
        )


class SpotlightTransport(Transport):
    """Posts envelopes to ``options["spotlight"]`` (True means the default URL)."""

    def __init__(self, options: Optional[Dict[str, Any]] = None) -> None:
        super().__init__(options)
        setting = self.options.get("spotlight")
        self.url = (
            resolve_spotlight_url(True if setting is None else setting, use_env=False)
            or DEFAULT_SPOTLIGHT_URL
        )
        self._queue: queue.Queue[Optional[Envelope]] = queue.Queue(SPOTLIGHT_QUEUE_SIZE)
        self._thread: Optional[threading.Thread] = None
        self._pid = 0
        self._pool: Optional[urllib3.PoolManager] = None
        self._lock = threading.Lock()
        self._killed = False
        self._backoff = SPOTLIGHT_INITIAL_BACKOFF
        self._retry_at = 0.0
        self.sent = 0
        self.dropped = 0

    def _get_pool(self) -> urllib3.PoolManager:
        if self._pool is None:
            self._pool = urllib3.PoolManager(
                num_pools=1,
                timeout=urllib3.Timeout(
                    connect=SPOTLIGHT_CONNECT_TIMEOUT, read=SPOTLIGHT_READ_TIMEOUT
                ),
                retries=False,
            )
        return self._pool

    def _ensure_thread(self) -> bool:
        if self._pid == os.getpid() and self._thread is not None and self._thread.is_alive():
            return True
        with self._lock:
            if self._killed:
                return False
            if self._pid != os.getpid():  # first use, or a forked child: start afresh
                self._queue = queue.Queue(SPOTLIGHT_QUEUE_SIZE)
                self._pool = None
            thread = own_thread(self._run, "sentry_lite.spotlight")
            try:
                thread.start()
            except RuntimeError:  # interpreter shutting down
                return False
            self._thread = thread
            self._pid = os.getpid()
        return True

    def capture_envelope(self, envelope: Envelope) -> None:
        """Queue a copy without waiting; dropped while backing off or when the queue is full."""
        try:
            if time.monotonic() < self._retry_at or not self._ensure_thread():
                self.dropped += 1
                return
            self._queue.put_nowait(envelope)
        except queue.Full:
            self.dropped += 1
        except Exception:
            self.dropped += 1  # a local viewer copy must never hurt the app

    def _run(self) -> None:
        work = self._queue
        while True:
            envelope = work.get()
            try:
                if envelope is None:
                    return
                self._send(envelope)
            except Exception:
                self.dropped += 1
            finally:
                work.task_done()

    def _send(self, envelope: Envelope) -> None:
        if time.monotonic() < self._retry_at:
            self.dropped += 1
            return
        try:
            body = envelope.serialize()
            response = self._get_pool().request(
                "POST",
                self.url,
                body=body,
                headers={"Content-Type": "application/x-sentry-envelope", "User-Agent": USER_AGENT},
            )
            status = response.status
        except Exception as exc:
            self._failed(str(exc))
            return
        if status >= 400:
            self._failed(f"HTTP {status}")
            return
        with self._lock:
            self.sent += 1
            self._backoff = SPOTLIGHT_INITIAL_BACKOFF
            self._retry_at = 0.0

    def _failed(self, reason: str) -> None:
        with self._lock:
            self.dropped += 1
            self._retry_at = time.monotonic() + self._backoff
            wait = self._backoff
            self._backoff = min(self._backoff * 2, SPOTLIGHT_MAX_BACKOFF)
        logger.warning(
            "sentry_lite: cannot send to Spotlight at %s (%s); retrying in %.0fs",
            self.url,
            reason,
            wait,
        )

    def flush(
        self, timeout: float, callback: Optional[Callable[[int, float], None]] = None
    ) -> None:
        """Wait (at most ``timeout`` s) until queued copies were sent or given up on."""
        deadline = time.monotonic() + max(0.0, timeout)
        work = self._queue
        with work.all_tasks_done:
            while work.unfinished_tasks:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                work.all_tasks_done.wait(remaining)

    def kill(self) -> None:
        with self._lock:
            self._killed = True
        try:
            self._queue.put_nowait(None)
        except queue.Full:
            pass
