"""Where an event keeps its stack traces: one answer for the scrubber, the size
trimmer and ``in_app``, which each looked for them with a loop of their own."""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Tuple

from sentry_lite.events.meta import Segment

__all__ = ["event_frames", "stacktraces"]


def stacktraces(event: Dict[str, Any]) -> List[Tuple[List[Segment], Dict[str, Any]]]:
    """Every stack trace of the event with its path: threads', exceptions' (the crashing
    exception's last), then the event's own ``stacktrace``."""
    found: List[Tuple[List[Segment], Dict[str, Any]]] = []
    for section in ("threads", "exception"):
        holder = event.get(section)
        values = holder.get("values") if isinstance(holder, dict) else None
        if isinstance(values, list):
            for index, value in enumerate(values):
                if isinstance(value, dict) and isinstance(value.get("stacktrace"), dict):
                    found.append(([section, "values", index, "stacktrace"], value["stacktrace"]))
    if isinstance(event.get("stacktrace"), dict):
        found.append((["stacktrace"], event["stacktrace"]))
    return found


def event_frames(event: Dict[str, Any]) -> Iterator[Tuple[Dict[str, Any], List[Segment]]]:
    """Every frame (a dict) of the event's stack traces with its path in the event."""
    for path, trace in stacktraces(event):
        frames = trace.get("frames")
        if isinstance(frames, list):
            for index, frame in enumerate(frames):
                if isinstance(frame, dict):
                    yield frame, [*path, "frames", index]
