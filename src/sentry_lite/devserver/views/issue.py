"""One issue: its newest event in full, older/newer navigation between its events, and
the list of all of them collapsed below the header."""

from __future__ import annotations

import time
from typing import Any, Dict, List, Optional
from urllib.parse import urlencode

from sentry_lite.devserver.context import Context, Reply
from sentry_lite.devserver.event_view import event_body
from sentry_lite.devserver.markup import esc, level_badge, plural, trace_link, when
from sentry_lite.devserver.views.issues import many
from sentry_lite.devserver.views.layout import render_page
from sentry_lite.devserver.views.not_found import not_found

__all__ = ["issue_page"]


def _href(ctx: Context, issue_id: str, event_id: str) -> str:
    query = urlencode({**ctx.filters, "event": event_id})
    return f"/issues/{issue_id}?{query}"


def _nav(ctx: Context, issue_id: str, events: List[Dict[str, Any]], index: int) -> str:
    newer = events[index - 1]["event_id"] if index > 0 else None
    older = events[index + 1]["event_id"] if index + 1 < len(events) else None

    def link(event_id: Optional[str], label: str, rel: str) -> str:
        if event_id is None:
            return f'<span class="nav-off">{label}</span>'
        href = esc(_href(ctx, issue_id, event_id))
        return f'<a class="nav-{rel}" rel="{rel}" href="{href}">{label}</a>'

    return (
        '<div class="event-nav">'
        + link(events[0]["event_id"] if index > 0 else None, "&laquo; Newest", "first")
        + link(newer, "&lsaquo; Newer", "prev")
        + f'<span class="position">event {index + 1} of {len(events)}</span>'
        + link(older, "Older &rsaquo;", "next")
        + link(
            events[-1]["event_id"] if index + 1 < len(events) else None, "Oldest &raquo;", "last"
        )
        + "</div>"
    )


def _event_list(ctx: Context, issue_id: str, events: List[Dict[str, Any]], current: str) -> str:
    now = time.time()
    rows = "".join(
        f"<tr{' class=current' if e['event_id'] == current else ''}>"
        f'<td class="mono"><a href="{esc(_href(ctx, issue_id, e["event_id"]))}">'
        f"{esc(e['event_id'][:12])}</a></td><td>{when(e['received'], now)}</td>"
        f"<td>{esc(e['release'] or '')}</td><td>{esc(e['environment'] or '')}</td>"
        f"<td>{esc(e['sdk'] or '')}</td>"
        f"<td>{trace_link(e['trace_id'], (e['trace_id'] or '')[:12])}</td>"
        "</tr>"
        for e in events
    )
    return (
        f'<details class="card event-list"><summary>All {plural(len(events), "event")}</summary>'
        '<table class="list"><thead><tr><th>Event</th><th>Received</th><th>Release</th>'
        f"<th>Environment</th><th>SDK</th><th>Trace</th></tr></thead><tbody>{rows}</tbody>"
        "</table></details>"
    )


def issue_page(ctx: Context, issue_id: str) -> Reply:
    issue = ctx.store.issue(issue_id, ctx.filters)
    if issue is None:
        return not_found(ctx, "Issue")
    events = ctx.store.issue_events(issue_id, ctx.filters)
    wanted = ctx.param("event").replace("-", "").lower()
    index = next((i for i, e in enumerate(events) if e["event_id"] == wanted), 0)
    row = ctx.store.event(events[index]["event_id"]) if events else None
    now = time.time()
    head = (
        f'<div class="crumbs"><a href="/">Issues</a>&nbsp;&rsaquo; issue {esc(issue["id"])}</div>'
        f'<h1>{esc(issue["title"])}</h1><div class="sub">{esc(issue["culprit"] or "")}</div>'
        f'<div class="chips">{level_badge(issue["level"])}'
        f'<span class="chip"><b>{plural(issue["count"], "event")}</b></span>'
        f'<span class="chip">first seen {when(issue["first_seen"], now)}</span>'
        f'<span class="chip">last seen {when(issue["last_seen"], now)}</span>'
        + (
            f'<span class="chip">release <b>{many(issue["releases"], 3)}</b></span>'
            if issue["releases"]
            else ""
        )
        + (
            f'<span class="chip">environment <b>{many(issue["environments"], 3)}</b></span>'
            if issue["environments"]
            else ""
        )
        + "</div>"
    )
    body = head
    if events:
        body += _nav(ctx, issue_id, events, index)
        body += _event_list(ctx, issue_id, events, events[index]["event_id"])
    if row is not None:
        body += event_body(row, now, ctx.settings.editor)
    return Reply.html(render_page(ctx, issue["title"], body, tab="issues", live="page"))
