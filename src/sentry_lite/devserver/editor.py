"""Open-in-editor links for in-app frames.

An editor is a URL template with ``{path}`` and ``{line}`` (and optionally ``{column}``),
or the name of a known one. Chosen with ``sentry-lite serve --editor NAME`` or
``SENTRY_LITE_EDITOR``; the link opens the file at the frame's line on this machine.
"""

from __future__ import annotations

from typing import Any, Dict, Optional
from urllib.parse import quote

from sentry_lite.devserver.markup import esc

__all__ = ["EDITORS", "editor_link", "editor_template", "editor_url"]

EDITORS: Dict[str, str] = {
    "vscode": "vscode://file{path}:{line}:{column}",
    "vscode-insiders": "vscode-insiders://file{path}:{line}:{column}",
    "cursor": "cursor://file{path}:{line}:{column}",
    "windsurf": "windsurf://file{path}:{line}:{column}",
    "zed": "zed://file{path}:{line}:{column}",
    "pycharm": "pycharm://open?file={path}&line={line}",
    "idea": "idea://open?file={path}&line={line}",
    "sublime": "subl://open?url=file://{path}&line={line}",
    "textmate": "txmt://open?url=file://{path}&line={line}",
    "macvim": "mvim://open?url=file://{path}&line={line}",
}
DEFAULT_EDITOR = "vscode"
_UNSAFE_SCHEMES = ("javascript", "data", "vbscript", "blob")


def editor_template(name_or_template: Optional[str]) -> Optional[str]:
    """The URL template for an editor name or template; None if it is neither."""
    value = (name_or_template or DEFAULT_EDITOR).strip()
    if value.lower() in ("none", "off", ""):
        return ""
    if value.lower() in EDITORS:
        return EDITORS[value.lower()]
    scheme = value.split(":", 1)[0].lower()
    if "{path}" in value and "://" in value and scheme not in _UNSAFE_SCHEMES:
        return value
    return None


def editor_url(template: str, path: str, line: Any, column: Any = 1) -> str:
    def number(value: Any, default: int) -> int:
        return value if isinstance(value, int) and not isinstance(value, bool) else default

    path = path.replace("\\", "/")
    if not path.startswith("/"):
        path = "/" + path  # C:/app/x.py -> /C:/app/x.py
    return (
        template.replace("{path}", quote(path, safe="/:"))
        .replace("{line}", str(number(line, 1)))
        .replace("{column}", str(number(column, 1)))
    )


def editor_link(template: Optional[str], frame: Dict[str, Any]) -> str:
    """A small "open" link for a frame with an absolute path; empty otherwise."""
    path = frame.get("abs_path")
    if not template or not isinstance(path, str) or not path:
        return ""
    if not (path.startswith("/") or (len(path) > 2 and path[1] == ":")):
        return ""  # not a file on this machine (a module name, "<stdin>", a URL)
    href = editor_url(template, path, frame.get("lineno"), frame.get("colno"))
    return (
        f' <a class="open-editor" href="{esc(href)}" title="open {esc(path)} in your editor">'
        "open in editor</a>"
    )
