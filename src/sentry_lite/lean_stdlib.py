"""Standard-library names taken from their C modules, so that ``import sentry_lite`` does
not pay for the Python modules that wrap them.

``datetime.py`` costs about 0.9 ms to import on CPython: it defines the whole pure-Python
implementation before replacing it with ``from _datetime import *``. The classes are the
same objects either way (``datetime.datetime is _datetime.datetime``), so a datetime made
here is the app's ``datetime.datetime``. Where ``_datetime`` does not exist (PyPy), the
names come from ``datetime``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["datetime", "timezone"]

if TYPE_CHECKING:
    from datetime import datetime, timezone
else:
    try:
        from _datetime import datetime, timezone
    except ImportError:  # pragma: no cover - not CPython
        from datetime import datetime, timezone
