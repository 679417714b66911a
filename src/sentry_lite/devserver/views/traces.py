"""One trace: every transaction, error and log record that carries its id, in time order."""

from __future__ import annotations

import time
from typing import Any, Dict

from sentry_lite.devserver.context import Context, Reply
from sentry_lite.devserver.markup import esc, level_badge, ms, plural, section, when
from sentry_lite.devserver.views.layout import render_page
from sentry_lite.devserver.views.logs import logs_table
from sentry_lite.devserver.views.not_found import not_found
from sentry_lite.devserver.views.transactions import http_badge, status_badge

__all__ = ["trace_page"]


def _state(event: Dict[str, Any]) -> str:
    if event["kind"] == "transaction":
        return f"{status_badge(event['status'])} {http_badge(event['http_status'])}"
    return level_badge(event["level"])


def trace_page(ctx: Context, trace_id: str) -> Reply:
    events = ctx.store.trace_events(trace_id)
    logs = ctx.store.logs(trace_id=trace_id)
    if not events and not logs:
        return not_found(ctx, "Trace")
    now = time.time()
    rows = "".join(
        "<tr>"
        f'<td><span class="pill">{esc(e["kind"])}</span></td>'
        f'<td class="main"><a href="/events/{esc(e["event_id"])}">{esc(e["title"])}</a></td>'
        f"<td>{_state(e)}</td>"
        f'<td class="num">{ms(e["duration_ms"])}</td>'
        f"<td>{esc(e['release'] or '')}</td><td>{when(e['received'], now)}</td>"
        "</tr>"
        for e in events
    )
    errors = sum(1 for e in events if e["kind"] == "error")
    body = (
        f'<div class="crumbs"><a href="/transactions">Transactions</a>&nbsp;&rsaquo; trace</div>'
        f"<h1>Trace <code>{esc(trace_id)}</code></h1>"
        f'<div class="chips"><span class="chip"><b>{plural(len(events) - errors, "transaction")}'
        f'</b></span><span class="chip"><b>{plural(errors, "error")}</b></span>'
        f'<span class="chip"><b>{plural(len(logs), "log record")}</b></span></div>'
    )
    if rows:
        body += section(
            "Events",
            '<table class="list trace-events"><thead><tr><th>Kind</th><th>Name</th>'
            '<th>Status</th><th class="num">Duration</th><th>Release</th><th>Received</th>'
            f"</tr></thead><tbody>{rows}</tbody></table>",
            "events",
        )
    if logs:
        body += section("Logs", logs_table(logs), "logs")
    return Reply.html(render_page(ctx, f"Trace {trace_id}", body, tab="transactions", live="page"))
