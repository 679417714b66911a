"""Log records (Sentry's structured logs), newest first, filterable, with their trace."""

from __future__ import annotations

from typing import Any, Dict, List

from sentry_lite.devserver.context import Context, Reply
from sentry_lite.devserver.markup import clock, esc, kv_table, level_badge, trace_link
from sentry_lite.devserver.views.layout import empty_state, filter_bar, render_page

__all__ = ["logs_page", "logs_table"]


def _attrs(attributes: Any) -> Any:
    """Log attributes arrive as ``{name: {"value": v, "type": t}}``; show just the values."""
    if not isinstance(attributes, dict):
        return attributes
    return {
        k: (v.get("value") if isinstance(v, dict) and "value" in v else v)
        for k, v in attributes.items()
    }


def logs_table(rows: List[Dict[str, Any]]) -> str:
    cells = "".join(
        "<tr>"
        f'<td class="mono">{clock(r["timestamp"])}</td>'
        f"<td>{level_badge(r['level'])}</td>"
        f'<td class="main">{esc(r["body"])}'
        + (
            f"<details><summary>attributes</summary>{kv_table(_attrs(r['attributes']))}</details>"
            if r["attributes"]
            else ""
        )
        + f"</td><td>{esc(r.get('release') or '')}</td>"
        f'<td class="sub">{trace_link(r["trace_id"], (r["trace_id"] or "")[:12])}</td></tr>'
        for r in rows
    )
    return (
        '<table class="list logs"><thead><tr><th>Time (UTC)</th><th>Level</th>'
        "<th>Message</th><th>Release</th><th>Trace</th></tr></thead>"
        f"<tbody>{cells}</tbody></table>"
    )


def logs_page(ctx: Context) -> Reply:
    rows = ctx.store.logs(ctx.q, ctx.filters)
    bar = filter_bar(ctx, ctx.store.facets("logs"), "/logs")
    if not rows:
        body = bar + empty_state(ctx, "matching logs" if ctx.q or ctx.filters else "logs")
    else:
        body = bar + logs_table(rows)
    return Reply.html(render_page(ctx, "Logs", body, tab="logs"))
