"""Stack frames: source context, locals, in_app, and hiding the SDK's own frames.

STUB: interface only; to be implemented.
"""

from __future__ import annotations

from typing import Any, Dict, List

__all__ = ["current_stacktrace", "set_in_app"]


def current_stacktrace(options: Dict[str, Any]) -> Dict[str, Any]:
    """The calling thread's stack (for attach_stacktrace), SDK frames removed."""
    return {"frames": []}


def set_in_app(event: Dict[str, Any], options: Dict[str, Any]) -> None:
    """Mark each frame of exceptions/threads/stacktrace with in_app from the options."""


def _unused() -> List[Any]:
    return []
