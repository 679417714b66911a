"""Qualified function names in stack frames (``Class.method``, ``outer.<locals>.inner``).

Uses the ``executing`` package, which finds a code object's qualified name from its
source; opt-in, as in sentry_sdk.
"""

from __future__ import annotations

from types import CodeType, TracebackType
from typing import Any, Dict, Optional, Tuple

from sentry_lite.integration_api import active_integration, add_global_event_processor
from sentry_lite.integrations import DidNotEnable, Integration
from sentry_lite.types import Event, Hint

try:
    from executing import Source
except ImportError:
    raise DidNotEnable("executing is not installed") from None


class ExecutingIntegration(Integration):
    identifier = "executing"

    @staticmethod
    def setup_once() -> None:
        add_global_event_processor(_add_qualnames)


def _add_qualnames(event: Event, hint: Optional[Hint]) -> Optional[Event]:
    if active_integration(ExecutingIntegration.identifier) is None or not hint:
        return event
    exc_info = hint.get("exc_info")
    values = (event.get("exception") or {}).get("values")
    if not exc_info or not values:
        return event
    names = qualnames_of_chain(exc_info[1])
    for value in values:
        for frame in (value.get("stacktrace") or {}).get("frames") or ():
            key = (frame.get("abs_path"), frame.get("lineno"), frame.get("function"))
            if key in names:
                frame["function"] = names[key]
    return event


def qualnames_of_chain(exc: Any) -> Dict[Tuple[Any, Any, Any], str]:
    """(abs_path, lineno, function) -> qualified name, for every frame of the chain."""
    names: Dict[Tuple[Any, Any, Any], str] = {}
    seen = set()
    while isinstance(exc, BaseException) and id(exc) not in seen:
        seen.add(id(exc))
        tb: Optional[TracebackType] = exc.__traceback__
        while tb is not None:
            code: CodeType = tb.tb_frame.f_code
            try:
                qualname = Source.for_frame(tb.tb_frame).code_qualname(code)
            except Exception:  # noqa: BLE001 - no source: keep the plain name
                qualname = None
            if qualname:
                names[(code.co_filename, tb.tb_lineno, code.co_name)] = qualname
            tb = tb.tb_next
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    return names
