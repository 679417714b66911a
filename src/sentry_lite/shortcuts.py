"""One switch for every speed shortcut that sits beside a general code path.

Why: a shortcut (the serializer's inline copier, the scrubber's skips, hand-built span
constructors, the request scope fork, the lean HTTP reply reader) must give exactly what
the general path gives. The differential tests run the same hostile inputs with the
switch on and off and compare the outputs byte for byte. Production never turns it off;
``SENTRY_LITE_SHORTCUTS=0`` in the environment does, for a whole test run.

Each shortcut reads ``shortcuts.enabled`` when it runs (one module attribute lookup), so
a test can flip it inside one process with :func:`disabled`.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator

__all__ = ["disabled", "enabled", "set_enabled"]

enabled: bool = os.environ.get("SENTRY_LITE_SHORTCUTS", "1").strip() != "0"


def set_enabled(flag: bool) -> None:
    global enabled
    enabled = bool(flag)


@contextmanager
def disabled() -> Iterator[None]:
    """Run the block on the general code paths only (for differential tests)."""
    before = enabled
    set_enabled(False)
    try:
        yield
    finally:
        set_enabled(before)
