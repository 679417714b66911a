"""The transaction list: name, status, HTTP code, duration, release and environment,
trace; filterable like the issues."""

from __future__ import annotations

import time
from typing import Any, Dict

from sentry_lite.devserver.context import Context, Reply
from sentry_lite.devserver.markup import esc, ms, trace_link, when
from sentry_lite.devserver.views.layout import empty_state, filter_bar, render_page

__all__ = ["status_badge", "transactions_page"]

_OK = ("ok", "unset", "")


def status_badge(status: Any) -> str:
    text = str(status or "")
    if not text:
        return ""
    css = "ok" if text in _OK else "bad"
    return f'<span class="status status-{css}">{esc(text)}</span>'


def http_badge(code: Any) -> str:
    if not isinstance(code, int):
        return ""
    css = "ok" if code < 400 else ("warn" if code < 500 else "bad")
    return f'<span class="status status-{css}">{code}</span>'


def _row(r: Dict[str, Any], now: float) -> str:
    return (
        "<tr>"
        f'<td class="main"><a class="txn-link" href="/events/{esc(r["event_id"])}">'
        f'{esc(r["title"])}</a><div class="sub">{esc(r["sdk"] or "")}</div></td>'
        f'<td class="col-status">{status_badge(r["status"])}</td>'
        f'<td class="col-http">{http_badge(r["http_status"])}</td>'
        f'<td class="num">{ms(r["duration_ms"])}</td>'
        f"<td>{esc(r['release'] or '')}</td><td>{esc(r['environment'] or '')}</td>"
        f"<td>{trace_link(r['trace_id'], (r['trace_id'] or '')[:12])}</td>"
        f"<td>{when(r['received'], now)}</td>"
        "</tr>"
    )


def transactions_page(ctx: Context) -> Reply:
    rows = ctx.store.transactions(ctx.q, ctx.filters)
    bar = filter_bar(ctx, ctx.store.facets("events", "transaction"), "/transactions")
    if not rows:
        filtered = ctx.q or ctx.filters
        body = bar + empty_state(ctx, "matching transactions" if filtered else "transactions")
    else:
        now = time.time()
        body = (
            bar + '<table class="list transactions"><thead><tr><th>Transaction</th>'
            '<th>Status</th><th>HTTP</th><th class="num">Duration</th><th>Release</th>'
            "<th>Environment</th><th>Trace</th><th>Received</th></tr></thead>"
            f"<tbody>{''.join(_row(r, now) for r in rows)}</tbody></table>"
        )
    return Reply.html(render_page(ctx, "Transactions", body, tab="transactions"))
