"""An exception's chain (``raise ... from``, implicit context) and its traceback entries."""

from __future__ import annotations

from types import TracebackType
from typing import Iterator, List, Optional, Set

from sentry_lite.events.frames import hidden_frame
from sentry_lite.types import ExcInfo

__all__ = ["iter_stacks", "walk_exception_chain"]


def walk_exception_chain(exc_info: ExcInfo) -> Iterator[ExcInfo]:
    """The exception, then its cause or context, and so on; a cycle ends the walk."""
    ty, value, tb = exc_info
    keep: List[BaseException] = []  # holds ids stable while they are compared
    seen: Set[int] = set()
    while ty is not None and value is not None and id(value) not in seen:
        yield ty, value, tb
        keep.append(value)
        seen.add(id(value))
        cause = value.__cause__ if value.__suppress_context__ else value.__context__
        if cause is None:
            break
        ty, value, tb = type(cause), cause, cause.__traceback__


def iter_stacks(tb: Optional[TracebackType]) -> Iterator[TracebackType]:
    """The traceback's entries, minus frames that ask to be hidden (``__tracebackhide__``)."""
    while tb is not None:
        if not hidden_frame(tb.tb_frame):
            yield tb
        tb = tb.tb_next
