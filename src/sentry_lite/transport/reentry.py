"""Locks on the capture path that a capture re-entering on the same thread never waits for.

A capture can begin while its own thread is already inside the capture path: a signal
handler (Python runs it between two bytecodes of the main thread, wherever that thread
is), a ``__del__`` or a weakref callback run by the garbage collector. If the interrupted
code holds a plain lock, the nested capture waits for it forever: the process hangs. So
the locks the app thread takes are RLocks, whose owner is recorded by the C acquire before
any Python code can run again, and code on the capture path asks :func:`held_here` first
and then drops (and counts), defers or skips its work instead of waiting. Never re-enter
such a lock: the interrupted code is half-way through changing what it guards.
"""

from __future__ import annotations

import threading
from typing import Any

__all__ = ["held_here", "new_lock"]


def new_lock() -> Any:
    """A lock whose owner :func:`held_here` can ask about (``threading.RLock``)."""
    return threading.RLock()


def held_here(lock: Any) -> bool:
    """True when the current thread holds ``lock``: we interrupted its owner."""
    return bool(lock._is_owned())
