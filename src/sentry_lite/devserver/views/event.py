"""One event (error or transaction) in full. ``/errors/<id>`` is Spotlight's name for
the same page; an event that has not arrived yet gets a page that waits for it."""

from __future__ import annotations

import time
from typing import Any, Dict, List

from sentry_lite.devserver.context import Context, Reply
from sentry_lite.devserver.event_view import event_body
from sentry_lite.devserver.flamegraph import profile_section, profiler_id_of
from sentry_lite.devserver.markup import esc, section, trace_link
from sentry_lite.devserver.views.layout import render_page

__all__ = ["event_page", "same_trace"]


def same_trace(ctx: Context, trace_id: Any, exclude: str = "") -> str:
    if not trace_id:
        return ""
    related: List[Dict[str, Any]] = [
        e for e in ctx.store.trace_events(trace_id) if e["event_id"] != exclude
    ]
    if not related:
        return ""
    links = "".join(
        f'<li><span class="pill">{esc(e["kind"])}</span> '
        f'<a href="/events/{esc(e["event_id"])}">{esc(e["title"])}</a></li>'
        for e in related
    )
    return section(
        "Same trace",
        f'<p class="sub">{trace_link(trace_id, "Open the whole trace")}</p>'
        f'<ul class="related">{links}</ul>',
        "trace",
    )


def _waiting(ctx: Context, event_id: str) -> Reply:
    body = (
        f'<div class="empty waiting" data-waiting="{esc(event_id)}"><p>Waiting for event'
        f" <code>{esc(event_id)}</code> to arrive…</p><p class=sub>This page reloads by itself"
        " when it does.</p></div>"
    )
    return Reply.html(render_page(ctx, "Waiting for event", body, live="wait", search=False), 404)


def _profile(ctx: Context, row: Dict[str, Any]) -> str:
    """The flame graph beside a transaction: its own profile or its profiler's chunks."""
    event = row["body"] if isinstance(row.get("body"), dict) else {}
    profiler_id = profiler_id_of(event)
    chunks = ctx.store.chunk_bodies(profiler_id) if profiler_id else []
    return profile_section(event, ctx.store.profile_bodies(row["event_id"]), chunks)


def event_page(ctx: Context, event_id: str) -> Reply:
    row = ctx.store.event(event_id)
    if row is None:
        return _waiting(ctx, event_id)
    now = time.time()
    is_txn = row["kind"] == "transaction"
    issue_id = row.get("issue_id")
    if is_txn:
        crumbs = '<a href="/transactions">Transactions</a>'
    else:
        crumbs = '<a href="/">Issues</a>' + (
            f'&nbsp;&rsaquo; <a href="/issues/{esc(issue_id)}">issue {esc(issue_id)}</a>'
            if issue_id
            else ""
        )
    culprit = row["culprit"] if row["culprit"] != row["title"] else ""
    body = (
        f'<div class="crumbs">{crumbs}&nbsp;&rsaquo; {esc(row["event_id"])}</div>'
        f'<h1>{esc(row["title"])}</h1><div class="sub">{esc(culprit or "")}</div>'
        + event_body(row, now, ctx.settings.editor)
        + (_profile(ctx, row) if is_txn else "")
        + same_trace(ctx, row.get("trace_id"), row["event_id"])
    )
    tab = "transactions" if is_txn else "issues"
    return Reply.html(render_page(ctx, row["title"], body, tab=tab, live="page"))
