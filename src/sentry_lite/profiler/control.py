"""The profiler as the scope and the client reach it: the installed profiling, if any.

Cheap to import (``import sentry_lite`` loads it through the scope layer): the sampler,
its thread and the wire formats load only when a client sets profiling up. The client
hands in what profiling needs of it (see ``profiling.py``), so nothing here imports the
client or the scopes.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Callable, Dict, Mapping, Optional

from sentry_lite.sdk_loggers import logger

if TYPE_CHECKING:
    from sentry_lite.profiler.profiling import Profiling

__all__ = ["current", "profiler_id", "setup", "start_profiler", "stop_profiler", "teardown"]


current: Optional[Profiling] = None
"""The installed profiling; None (the common case) costs a transaction one attribute read."""


def wanted(options: Mapping[str, Any]) -> bool:
    """Does any profiling option ask for a profiler?"""
    experiments = options.get("_experiments") or {}
    return (
        options.get("profiles_sampler") is not None
        or bool(options.get("profiles_sample_rate"))
        or experiments.get("profiles_sample_rate") is not None
        or bool(options.get("profile_session_sample_rate"))
    )


def setup(
    options: Mapping[str, Any],
    send_chunk: Callable[[Dict[str, Any]], None],
    record_lost: Callable[[str, str, int], None],
    sdk_name: Callable[[], str],
) -> Optional[Profiling]:
    """Install the profiling a new client's options ask for (replacing any other)."""
    global current
    teardown()
    if not wanted(options):
        return None
    from sentry_lite.profiler.profiling import Profiling

    try:
        profiling = Profiling(options, send_chunk, record_lost, sdk_name)
    except ValueError as exc:
        logger.warning("sentry_lite: cannot set up the profiler: %s", exc)
        return None
    current = profiling
    return profiling


def teardown(owner: Optional[Profiling] = None) -> None:
    """Stop the installed profiling (only if it is ``owner``'s, when given), sending what
    it sampled."""
    global current
    profiling = current
    if profiling is None or (owner is not None and profiling is not owner):
        return
    current = None
    try:
        profiling.close()
    except Exception:  # noqa: BLE001 - closing must go on
        logger.debug("sentry_lite: profiler teardown failed", exc_info=True)


def start_profiler() -> None:
    profiling = current
    if profiling is not None:
        profiling.start_profiler()


def stop_profiler() -> None:
    profiling = current
    if profiling is not None:
        profiling.stop_profiler()


def profiler_id() -> Optional[str]:
    """The continuous profiler's id while it samples, else None."""
    profiling = current
    return profiling.profiler_id if profiling is not None else None


def _after_fork_in_child() -> None:
    profiling = current
    if profiling is not None:
        profiling.after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
