"""HTML building blocks shared by the viewer's pages: escaping, values, times, tables.

Every value from an event is untrusted text and goes through :func:`esc`.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from html import escape
from typing import Any, Dict, List, Optional
from urllib.parse import quote

from sentry_lite.devserver.limits import MAX_RENDERED_JSON
from sentry_lite.devserver.store import parse_timestamp
from sentry_lite.devserver.values import Budget, render_value

__all__ = [
    "MAX_RENDERED_JSON",
    "ago",
    "as_list",
    "clock",
    "esc",
    "kv_table",
    "level_badge",
    "ms",
    "plural",
    "pretty",
    "section",
    "trace_link",
    "value_html",
    "values_of",
    "when",
]

_LEVELS = ("fatal", "error", "warning", "info", "debug")


def esc(value: Any) -> str:
    return escape(value if isinstance(value, str) else str(value), quote=True)


def pretty(value: Any) -> str:
    try:
        text = json.dumps(value, indent=2, ensure_ascii=False, default=str, sort_keys=False)
    except (ValueError, RecursionError):
        text = repr(value)
    if len(text) > MAX_RENDERED_JSON:
        text = text[:MAX_RENDERED_JSON] + "\n… (cut)"
    return text


def value_html(value: Any, budget: Optional[Budget] = None) -> str:
    """A value as itself: text as text (no JSON quoting), structures as nested tables."""
    return render_value(value, budget or Budget())


def plural(count: Any, word: str, many: str = "") -> str:
    """``1 event``, ``2 events``."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


def trace_link(trace_id: Any, label: str = "") -> str:
    """Every trace id on every page links to the trace's page."""
    if not isinstance(trace_id, str) or not trace_id:
        return ""
    href = "/traces/" + quote(trace_id, safe="")
    return (
        f'<a class="trace-link mono" href="{esc(href)}" title="everything in this trace">'
        f"{esc(label or trace_id)}</a>"
    )


def when(ts: Optional[float], now: Optional[float] = None) -> str:
    """Relative time with the absolute UTC time as a tooltip; app.js keeps it fresh."""
    if ts is None:
        return ""
    absolute = datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    return (
        f'<time datetime="{esc(ts)}" title="{esc(absolute)}">'
        f"{esc(ago(ts, now or time.time()))}</time>"
    )


def ago(ts: float, now: float) -> str:
    delta = max(0.0, now - ts)
    if delta < 60:
        return f"{int(delta)}s ago"
    if delta < 3600:
        return f"{int(delta // 60)} min ago"
    if delta < 86400:
        return f"{int(delta // 3600)} h ago"
    return f"{int(delta // 86400)} d ago"


def clock(ts: Any) -> str:
    """HH:MM:SS.mmm (UTC) for epoch seconds or an RFC 3339 string."""
    if isinstance(ts, str):
        parsed = parse_timestamp(ts, float("nan"))
        if parsed != parsed:  # NaN: not a timestamp we understand, show it as sent
            return esc(ts)
        ts = parsed
    if not isinstance(ts, (int, float)) or isinstance(ts, bool):
        return esc(ts or "")
    try:
        return datetime.fromtimestamp(ts, timezone.utc).strftime("%H:%M:%S.%f")[:-3]
    except (OverflowError, OSError, ValueError):
        return esc(ts)


def level_badge(level: Any) -> str:
    name = str(level or "info").lower()
    css = {"warn": "warning", "critical": "fatal", "trace": "debug"}.get(name, name)
    css = css if css in _LEVELS else "info"
    return f'<span class="level level-{css}">{esc(name)}</span>'


def kv_table(data: Any, css: str = "kv", budget: Optional[Budget] = None) -> str:
    """A mapping as a two-column table of keys and values (bounded by ``budget``)."""
    if not isinstance(data, dict) or not data:
        return value_html(data, budget) if data not in (None, {}, []) else ""
    return render_value(data, budget or Budget(), css=css)


def section(title: str, body: str, anchor: str = "") -> str:
    if not body:
        return ""
    ident = f' id="{esc(anchor)}"' if anchor else ""
    return f'<section class="card"{ident}><h2>{esc(title)}</h2>{body}</section>'


def as_list(value: Any) -> List[Any]:
    return value if isinstance(value, list) else []


def values_of(container: Any) -> List[Dict[str, Any]]:
    if isinstance(container, dict):
        container = container.get("values")
    if not isinstance(container, list):
        return []
    return [v for v in container if isinstance(v, dict)]


def ms(value: Any) -> str:
    if not isinstance(value, (int, float)):
        return ""
    return f"{value:,.1f} ms" if value < 10_000 else f"{value / 1000:,.2f} s"
