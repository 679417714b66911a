"""exc_info -> Sentry exception values (chains, groups, mechanism).

STUB: interface only; to be implemented.
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any, Dict, Optional, Tuple, Type, Union

__all__ = ["ExcInfo", "event_from_exception", "exc_info_from_error"]

ExcInfo = Tuple[
    Optional[Type[BaseException]], Optional[BaseException], Optional[TracebackType]
]


def exc_info_from_error(error: Union[BaseException, ExcInfo, None]) -> ExcInfo:
    if error is None:
        return sys.exc_info()
    if isinstance(error, tuple):
        return error
    return (type(error), error, error.__traceback__)


def event_from_exception(
    exc_info: Union[BaseException, ExcInfo],
    options: Dict[str, Any],
    mechanism: Optional[Dict[str, Any]] = None,
) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """Build ``({"level": "error", "exception": {"values": [...]}}, {"exc_info": ...})``."""
    info = exc_info_from_error(exc_info)  # type: ignore[arg-type]
    value = info[1]
    exc = {
        "type": type(value).__name__,
        "value": str(value),
        "module": type(value).__module__,
        "mechanism": mechanism or {"type": "generic", "handled": True},
    }
    return {"level": "error", "exception": {"values": [exc]}}, {"exc_info": info}
