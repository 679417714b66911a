"""One client's profiling: which kind (transaction or continuous), the profiler thread,
and what happens when a transaction starts.

As with sentry_sdk, transaction-based profiling (``profiles_sample_rate`` /
``profiles_sampler``) takes precedence: with it on, continuous profiling is not set up.
Built by the client at ``init`` (see ``control.setup``); what it needs of the client
(its options, a way to send a chunk, a way to count a loss, the SDK's name) is handed
to it, so the profiler never imports the client or the scopes.
"""

from __future__ import annotations

import importlib.util
import os
import warnings
from random import random
from typing import Any, Callable, Dict, Mapping, Optional

from sentry_lite.limits import PROFILER_JOIN_TIMEOUT
from sentry_lite.profiler.continuous import ContinuousSession, ProfiledRoot, session_sampled
from sentry_lite.profiler.engine import Engine, gevent_patched
from sentry_lite.profiler.sampler import Sampler
from sentry_lite.profiler.stacks import StackWalker
from sentry_lite.profiler.transaction_profile import (
    RecordLost,
    TransactionProfile,
    decide,
    fixed_rate,
)
from sentry_lite.sdk_loggers import logger

__all__ = ["Profiling", "has_profiling_enabled", "profiler_mode"]


MODES = ("thread", "sleep", "gevent")
"""``profiler_mode`` values (``sleep`` is sentry_sdk's legacy name for ``thread``)."""


def has_profiling_enabled(options: Mapping[str, Any]) -> bool:
    """Is transaction-based profiling on? (sentry_sdk's definition.)"""
    if options.get("profiles_sampler") is not None:
        return True
    rate = options.get("profiles_sample_rate")
    if rate is not None and rate > 0:
        return True
    rate = (options.get("_experiments") or {}).get("profiles_sample_rate")
    if rate is not None:
        logger.warning(
            "sentry_lite: _experiments['profiles_sample_rate'] is deprecated; "
            "use the profiles_sample_rate option"
        )
        return bool(rate > 0)
    return False


def profiler_mode(options: Mapping[str, Any], continuous: bool) -> str:
    """``thread`` or ``gevent``; raises ValueError for an unknown mode (as sentry_sdk)."""
    mode = options.get("profiler_mode")
    if mode is None:
        experiments = options.get("_experiments") or {}
        key = "continuous_profiling_mode" if continuous else "profiler_mode"
        mode = experiments.get(key)
    if mode is None:
        return "gevent" if gevent_patched() else "thread"
    if mode not in MODES:
        raise ValueError(f"unknown profiler mode: {mode!r}")
    mode = str(mode)
    if mode == "gevent":
        if importlib.util.find_spec("gevent") is None:
            raise ValueError("profiler mode 'gevent' needs gevent installed")
        return mode
    return "thread"


class Profiling:
    """The profiling of one client (at most one is installed at a time)."""

    def __init__(
        self,
        options: Mapping[str, Any],
        send_chunk: Callable[[Dict[str, Any]], None],
        record_lost: RecordLost,
        sdk_name: Callable[[], str],
    ) -> None:
        self.options = options
        self._record_lost = record_lost
        self.transaction_profiles = has_profiling_enabled(options)
        if self.transaction_profiles:
            warnings.warn(
                "Transaction-based profiling is deprecated and will be removed in the next "
                "major version of the SDK. Please use continuous profiling instead: "
                "https://docs.sentry.io/platforms/python/profiling/",
                DeprecationWarning,
                stacklevel=5,
            )
        self._fixed_rate = fixed_rate(options)
        mode = profiler_mode(options, continuous=not self.transaction_profiles)
        self.engine = Engine(Sampler(StackWalker(options)), gevent=mode == "gevent")
        self.session: Optional[ContinuousSession] = None
        if not self.transaction_profiles:
            self.session = ContinuousSession(
                self.engine,
                options,
                send_chunk,
                sdk_name,
                session_sampled(options.get("profile_session_sample_rate")),
            )
            self.engine.session = self.session

    def on_transaction_start(
        self, txn: Any, sampling_context: Callable[[], Dict[str, Any]], thread_ident: int
    ) -> Any:
        """The profile handle for a transaction that just started (None: not profiled)."""
        session = self.session
        if session is not None:
            if session.auto_start and session.started_pid != os.getpid():
                session.start_manual()
            if not txn.sampled:
                return None
            if session.lifecycle == "trace":
                profiler_id = session.root_started()
                counted = profiler_id is not None
            else:
                profiler_id = session.profiler_id if session.sampling else None
                counted = False
            if profiler_id is None:
                return None
            txn.set_data("profiler_id", profiler_id)
            return ProfiledRoot(session, profiler_id, counted)
        if not txn.sampled:
            return None
        rate = self._fixed_rate
        picked = random() < rate if rate is not None else decide(self.options, sampling_context)
        if not picked:
            self._record_lost("sample_rate", "profile", 1)
            return None
        profile = TransactionProfile(self.engine, self.options, self._record_lost, thread_ident)
        if not self.engine.add(profile):
            self._record_lost("queue_overflow", "profile", 1)
            return None
        return profile

    # -- continuous, manual lifecycle ------------------------------------------------------
    def start_profiler(self) -> None:
        if self.session is not None:
            self.session.start_manual()

    def stop_profiler(self) -> None:
        session = self.session
        if session is not None and session.lifecycle == "manual":
            session.stop_manual()

    @property
    def profiler_id(self) -> Optional[str]:
        session = self.session
        if session is None or not session.sampled:
            return None
        if session.lifecycle == "manual" and not session.sampling:
            return None
        return session.profiler_id

    # -- lifecycle -------------------------------------------------------------------------
    def close(self, timeout: float = PROFILER_JOIN_TIMEOUT) -> None:
        """Stop sampling and send the open chunk (the client is closing)."""
        self.engine.stop(timeout)
        if self.session is not None:
            self.session.flush()

    def after_fork(self) -> None:
        self.engine.after_fork()
        if self.session is not None:
            self.session.after_fork()
