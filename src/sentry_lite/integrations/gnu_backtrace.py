"""GNU backtraces inside exception messages as native frames (opt-in, as in sentry_sdk).

Native libraries (ClickHouse's driver, for one) put the server's C++ backtrace in the
exception text, one ``N. function @ 0xADDRESS [in /path/to/binary]`` line per frame.
Left in the message it makes every event's title different, so they never group; as
frames (``platform: native``, after the Python frames, innermost last) they group and
read as a stack. Lines that are not frames stay in the message, which ends with a note
saying the backtrace was moved.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Tuple

from sentry_lite.integration_api import active_integration, add_global_event_processor
from sentry_lite.integrations import Integration
from sentry_lite.types import Event, Hint

__all__ = ["GnuBacktraceIntegration"]

_FRAME_LINE = re.compile(
    r"^(?P<index>\d+)\.\s+(?P<function>[^@]*[^@\s])\s+@\s+0x[0-9a-fA-F]+(?:\s+in\s+(?P<package>.+))?$"
)
"""``12. func(args) @ 0xdeadbeef in libfoo.so``. The function name is matched greedily up
to the first ``@``: a lazy match rescanned each run of spaces, quadratic in a long line."""
_MOVED_NOTE = "<stacktrace parsed and removed by GnuBacktraceIntegration>"


class GnuBacktraceIntegration(Integration):
    identifier = "gnu_backtrace"

    @staticmethod
    def setup_once() -> None:
        add_global_event_processor(_native_frames_from_messages)


def _native_frames_from_messages(event: Event, hint: Hint) -> Event:
    if active_integration(GnuBacktraceIntegration.identifier) is None:
        return event
    if not hint or hint.get("exc_info") is None:
        return event
    try:
        for value in (event.get("exception") or {}).get("values") or ():
            _move_backtrace(value)
    except Exception:  # noqa: BLE001 - an odd message leaves the event as it was
        pass
    return event


def _move_backtrace(value: Dict[str, Any]) -> None:
    """Moves the backtrace lines of one exception's message into its frames (only for an
    exception that has Python frames to put them after)."""
    frames: Optional[List[Dict[str, Any]]] = (value.get("stacktrace") or {}).get("frames")
    message = value.get("value")
    if not frames or not message or not isinstance(message, str):
        return
    native: List[Tuple[int, Dict[str, Any]]] = []
    kept: List[str] = []
    for line in message.splitlines():
        match = _FRAME_LINE.match(line)
        if match is None:
            kept.append(line)
            continue
        frame = {
            "package": match.group("package") or None,
            "function": match.group("function") or None,
            "platform": "native",
        }
        native.append((int(match.group("index")), frame))
    if not native:
        return
    # a backtrace lists the innermost call first (0.); an event's frames end with it
    native.sort(key=lambda entry: entry[0], reverse=True)
    frames.extend(frame for _, frame in native)
    kept.append(_MOVED_NOTE)
    value["value"] = "\n".join(kept)
