"""The SDK's own failures: logged on the ``sentry_lite`` logger, never raised into the app.

``capture_internal_exceptions()`` is the guard sentry_sdk's integrations (and some
third-party ones) wrap their work in; it is public there, so it is here.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Optional, Type

from sentry_lite.sdk_loggers import logger
from sentry_lite.types import ExcInfo

__all__ = ["capture_internal_exception", "capture_internal_exceptions"]


def capture_internal_exception(exc_info: ExcInfo) -> None:
    """Log an exception that is likely a bug of the SDK (it never becomes an event)."""
    logger.error("Internal error in sentry_lite", exc_info=exc_info)  # type: ignore[arg-type]


class _InternalErrorGuard:
    """Swallows and logs what the block raises (an ``Exception``, not a ``BaseException``)."""

    def __enter__(self) -> _InternalErrorGuard:
        return self

    def __exit__(
        self,
        ty: Optional[Type[BaseException]],
        value: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> bool:
        if ty is not None and value is not None and isinstance(value, Exception):
            capture_internal_exception((ty, value, tb))
            return True
        return False


_GUARD = _InternalErrorGuard()


def capture_internal_exceptions() -> Any:
    """``with capture_internal_exceptions(): ...``: an SDK error in the block is logged."""
    return _GUARD
