"""``in_app`` for the frames of an event, from the options, as sentry_sdk decides it.

Why apart from frame building: it runs on finished events (the client calls it for
every error event, whatever built its frames) and reads only the options and each
frame's ``module``/``abs_path``. ``events.frames`` re-exports :func:`set_in_app`.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Mapping, Optional

from sentry_lite.events.stacks import stacktraces

__all__ = ["is_external_source", "module_in", "set_in_app", "set_in_app_in_frames"]

_EXTERNAL_SOURCE = re.compile(r"[\\/](?:dist|site)-packages[\\/]")


def module_in(module: Any, prefixes: Optional[Iterable[str]]) -> bool:
    if module is None or not prefixes:
        return False
    try:
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "."):
                return True
    except Exception:
        pass
    return False


def is_external_source(abs_path: str) -> bool:
    # Cheap substring test first; the regex only confirms the separators around it.
    return "-packages" in abs_path and _EXTERNAL_SOURCE.search(abs_path) is not None


def _set_in_app_in_frames(
    frames: Any,
    include: Optional[List[str]],
    exclude: Optional[List[str]],
    project_root: Optional[str],
) -> None:
    if not frames or not isinstance(frames, list):
        return
    for frame in frames:
        if not isinstance(frame, dict) or frame.get("in_app") is not None:
            continue
        module = frame.get("module")
        if module_in(module, include):
            frame["in_app"] = True
            continue
        if module_in(module, exclude):
            frame["in_app"] = False
            continue
        abs_path = frame.get("abs_path")
        if not isinstance(abs_path, str):
            continue
        if is_external_source(abs_path):
            frame["in_app"] = False
        elif project_root is not None and abs_path.startswith(project_root):
            frame["in_app"] = True


def set_in_app(event: Dict[str, Any], options: Dict[str, Any]) -> None:
    """Mark each frame of exceptions/threads/stacktrace with in_app from the options.

    Same rules, in the same order, as sentry_sdk: a frame already marked keeps its mark;
    ``in_app_include`` (module prefix) wins, then ``in_app_exclude``; then a path inside
    ``site-packages``/``dist-packages`` is not in-app and a path under ``project_root``
    is. Frames matching none of these are left unmarked.
    """
    try:
        include = options.get("in_app_include")
        exclude = options.get("in_app_exclude")
        project_root = options.get("project_root")
        if not isinstance(project_root, str):
            project_root = None
        for _, stacktrace in stacktraces(event):
            _set_in_app_in_frames(stacktrace.get("frames"), include, exclude, project_root)
    except Exception:
        pass


def set_in_app_in_frames(frames: List[Dict[str, Any]], options: Mapping[str, Any]) -> None:
    """Mark a bare list of frame dicts (a profile's) in_app by the rules of :func:`set_in_app`."""
    project_root = options.get("project_root")
    _set_in_app_in_frames(
        frames,
        options.get("in_app_include"),
        options.get("in_app_exclude"),
        project_root if isinstance(project_root, str) else None,
    )
