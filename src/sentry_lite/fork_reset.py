"""Starting over in a forked child: a background component's threads, locks and
buffers do not come along through ``fork``, so it resets them there.

The reset is registered through a weak reference, so a component that is gone (a closed
client) is not kept alive by the interpreter's fork hooks.
"""

from __future__ import annotations

import os
import weakref
from typing import Callable

__all__ = ["reset_in_forked_child"]


def reset_in_forked_child(reset: Callable[[], None]) -> bool:
    """Call the bound method ``reset`` in every child forked from now on; False where
    the platform has no fork hooks (the caller must then notice a fork itself)."""
    if not hasattr(os, "register_at_fork"):
        return False
    weak_reset = weakref.WeakMethod(reset)

    def reset_in_child() -> None:
        method = weak_reset()
        if method is not None:
            method()

    os.register_at_fork(after_in_child=reset_in_child)
    return True
