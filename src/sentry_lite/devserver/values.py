"""Drawing any JSON value as itself, within a budget.

Text is shown as text, never re-quoted as JSON: a Python SDK sends a local variable as
its ``repr`` (``'Ada'``), and that is what the viewer shows; numbers, booleans and null
are styled apart from text; dicts and lists become nested tables. One section of a page
draws at most :data:`MAX_RENDERED_NODES` values and each string is cut at
:data:`MAX_RENDERED_STRING` characters, so even a hostile event renders quickly.
"""

from __future__ import annotations

from html import escape
from typing import Any, List

from sentry_lite.devserver.limits import (
    MAX_RENDERED_DEPTH,
    MAX_RENDERED_NODES,
    MAX_RENDERED_STRING,
)

__all__ = ["Budget", "render_value"]

_OPEN_DEPTH = 3
"""Nested values this shallow are drawn open; deeper ones start collapsed."""


class Budget:
    """Values a page section may still draw."""

    __slots__ = ("left",)

    def __init__(self, nodes: int = MAX_RENDERED_NODES) -> None:
        self.left = nodes

    def take(self) -> bool:
        self.left -= 1
        return self.left >= 0


def _esc(value: Any) -> str:
    return escape(value if isinstance(value, str) else str(value), quote=True)


def _text(value: str) -> str:
    if len(value) > MAX_RENDERED_STRING:
        more = len(value) - MAX_RENDERED_STRING
        return (
            f'<span class="v-str">{_esc(value[:MAX_RENDERED_STRING])}</span>'
            f'<span class="v-cut">… {more:,} more characters</span>'
        )
    if value == "":
        return '<span class="v-empty">empty string</span>'
    return f'<span class="v-str">{_esc(value)}</span>'


def render_value(value: Any, budget: Budget, depth: int = 0, css: str = "v-obj") -> str:
    if value is None:
        return '<span class="null">null</span>'
    if isinstance(value, bool):
        return f'<span class="v-lit">{"true" if value else "false"}</span>'
    if isinstance(value, (int, float)):
        return f'<span class="v-num">{_esc(value)}</span>'
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, dict):
        pairs = list(value.items())
        kind = f"{len(pairs)} key{'s' if len(pairs) != 1 else ''}"
    elif isinstance(value, list):
        pairs = list(enumerate(value))
        kind = f"{len(pairs)} item{'s' if len(pairs) != 1 else ''}"
    else:
        return _text(str(value))
    if not pairs:
        return (
            '<span class="v-lit">{}</span>'
            if isinstance(value, dict)
            else ('<span class="v-lit">[]</span>')
        )
    if depth >= MAX_RENDERED_DEPTH:
        return f'<span class="v-cut">({kind}, nested too deep to show)</span>'
    rows: List[str] = []
    for index, (key, item) in enumerate(pairs):
        if not budget.take():
            rows.append(
                f'<tr><td colspan="2" class="v-cut">… {len(pairs) - index:,} more not shown'
                "</td></tr>"
            )
            break
        rows.append(
            f'<tr><th scope="row">{_esc(key)}</th>'
            f"<td>{render_value(item, budget, depth + 1)}</td></tr>"
        )
    table = f'<table class="{css}"><tbody>{"".join(rows)}</tbody></table>'
    if depth == 0:
        return table
    opened = " open" if depth < _OPEN_DEPTH else ""
    return f'<details class="v-nest"{opened}><summary>{kind}</summary>{table}</details>'
