"""Grouping error events into issues, and the one-line title each issue is shown with.

An explicit ``fingerprint`` wins (``{{ default }}`` in it stands for the default
grouping). Otherwise an event groups by its exception types plus the in-app frames
(module or file, and function: never line numbers, so an edit above the crash keeps the
issue), falling back to all frames, then to the message template.
"""

from __future__ import annotations

import hashlib
from typing import Any, Dict, List, Optional

__all__ = ["culprit", "fingerprint", "issue_id", "title"]

_DEFAULT = "{{ default }}"


def _exceptions(event: Dict[str, Any]) -> List[Dict[str, Any]]:
    exc = event.get("exception")
    values = exc.get("values") if isinstance(exc, dict) else exc
    if not isinstance(values, list):
        return []
    return [v for v in values if isinstance(v, dict)]


def _frames(container: Any) -> List[Dict[str, Any]]:
    if not isinstance(container, dict):
        return []
    stack = container.get("stacktrace")
    frames = stack.get("frames") if isinstance(stack, dict) else None
    if not isinstance(frames, list):
        return []
    return [f for f in frames if isinstance(f, dict)]


def _frame_key(frame: Dict[str, Any]) -> str:
    where = frame.get("module") or frame.get("filename") or frame.get("abs_path") or "?"
    return f"{where}:{frame.get('function') or '?'}"


def _stack_parts(frames: List[Dict[str, Any]]) -> List[str]:
    in_app = [f for f in frames if f.get("in_app") is True]
    return [_frame_key(f) for f in (in_app or frames)]


def _message(event: Dict[str, Any]) -> str:
    logentry = event.get("logentry")
    if isinstance(logentry, dict):
        text = logentry.get("message") or logentry.get("formatted")
        if text:
            return str(text)
    message = event.get("message")
    if isinstance(message, dict):
        message = message.get("message") or message.get("formatted")
    return str(message) if message else ""


def _default_parts(event: Dict[str, Any]) -> List[str]:
    exceptions = _exceptions(event)
    if exceptions:
        parts: List[str] = []
        for exc in exceptions:
            parts.append(str(exc.get("type") or "Error"))
            parts.extend(_stack_parts(_frames(exc)))
        return parts
    parts = ["message", _message(event)]
    threads = event.get("threads")
    values = threads.get("values") if isinstance(threads, dict) else None
    if isinstance(values, list):
        for thread in values:
            parts.extend(_stack_parts(_frames(thread)))
    parts.extend(_stack_parts(_frames(event)))
    return parts


def fingerprint(event: Dict[str, Any]) -> List[str]:
    """The list of strings whose hash names the issue this event belongs to."""
    custom = event.get("fingerprint")
    if isinstance(custom, list) and custom:
        parts: List[str] = []
        for part in custom:
            if part == _DEFAULT:
                parts.extend(_default_parts(event))
            else:
                parts.append(str(part))
        return parts
    return _default_parts(event)


def issue_id(event: Dict[str, Any], project: Optional[str] = None) -> str:
    digest = hashlib.sha1(usedforsecurity=False)
    digest.update(str(project or "").encode())
    for part in fingerprint(event):
        digest.update(b"\x00")
        digest.update(part.encode("utf-8", "replace"))
    return digest.hexdigest()[:16]


def title(event: Dict[str, Any]) -> str:
    """What Sentry's issue list shows: ``Type: value`` or the message."""
    if event.get("type") == "transaction":
        return str(event.get("transaction") or "<unnamed transaction>")
    exceptions = _exceptions(event)
    if exceptions:
        last = exceptions[-1]
        kind = str(last.get("type") or "Error")
        value = last.get("value")
        return f"{kind}: {value}" if value not in (None, "") else kind
    message = _formatted_message(event)
    return message or "<no message>"


def _formatted_message(event: Dict[str, Any]) -> str:
    logentry = event.get("logentry")
    if isinstance(logentry, dict):
        text = logentry.get("formatted") or logentry.get("message")
        if text:
            return str(text)
    return _message(event)


def culprit(event: Dict[str, Any]) -> str:
    """Where it happened: the transaction, else the innermost in-app frame."""
    if event.get("transaction"):
        return str(event["transaction"])
    exceptions = _exceptions(event)
    frames = _frames(exceptions[-1]) if exceptions else _frames(event)
    in_app = [f for f in frames if f.get("in_app") is True] or frames
    if in_app:
        frame = in_app[-1]
        where = frame.get("module") or frame.get("filename") or ""
        return f"{where} in {frame.get('function') or '?'}"
    return str(event.get("logger") or "")
