"""Server-rendered HTML for the viewer: the page frame, the lists, an issue, an event.

The pages carry no inline script, so the Content-Security-Policy can forbid it. The
little behaviour there is (live refresh, search as you type) lives in ``static/app.js``.
"""

from __future__ import annotations

import json
import time
from typing import Any, Dict, List, Optional
from urllib.parse import quote

from sentry_lite.consts import VERSION
from sentry_lite.devserver.event_view import event_body
from sentry_lite.devserver.markup import (
    clock,
    esc,
    kv_table,
    level_badge,
    ms,
    pretty,
    section,
    when,
)

__all__ = [
    "Frame",
    "event_page",
    "issue_page",
    "issues_page",
    "logs_page",
    "not_found_page",
    "other_page",
    "transactions_page",
]


class Frame:
    """What every page shares: where the server is, the counts in the tabs, the search."""

    def __init__(self, base_url: str, counts: Dict[str, int], dsn: str) -> None:
        self.base_url = base_url
        self.counts = counts
        self.dsn = dsn

    def render(
        self, title: str, body: str, *, tab: str = "", q: str = "", live: str = "list"
    ) -> str:
        tabs = [
            ("issues", "/", "Issues", self.counts.get("issues", 0)),
            ("transactions", "/transactions", "Transactions", self.counts.get("transactions", 0)),
            ("logs", "/logs", "Logs", self.counts.get("logs", 0)),
            ("other", "/other", "Other items", self.counts.get("other", 0)),
        ]
        nav = "".join(
            f'<a href="{href}" class="tab{" active" if key == tab else ""}" data-tab="{key}">'
            f'{label} <span class="count">{count}</span></a>'
            for key, href, label, count in tabs
        )
        action = {"transactions": "/transactions", "logs": "/logs", "other": "/other"}.get(tab, "/")
        return (
            "<!doctype html>\n"
            '<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(title)} · sentry-lite</title>"
            '<link rel="stylesheet" href="/static/style.css">'
            '<script src="/static/app.js" defer></script></head>'
            f'<body data-live="{esc(live)}">'
            '<header class="top"><a class="brand" href="/">sentry<span>-lite</span></a>'
            f'<nav class="tabs">{nav}</nav>'
            f'<form class="search" action="{action}" method="get" role="search">'
            f'<input type="search" name="q" value="{esc(q)}"'
            f' placeholder="Search {esc(tab or "issues")}…"'
            ' aria-label="Search" autocomplete="off"></form>'
            '<span id="live" class="live" title="live updates">live</span></header>'
            f'<main id="main">{body}</main>'
            f"<footer>sentry-lite {esc(VERSION)} · DSN <code>{esc(self.dsn)}</code></footer>"
            "</body></html>"
        )


def _empty(frame: Frame, what: str) -> str:
    snippet = (
        f'import sentry_lite  # or: import sentry_sdk\nsentry_lite.init(dsn="{frame.dsn}")\n1 / 0'
    )
    return (
        f'<div class="empty"><p>No {esc(what)} yet. Point any Sentry SDK at this server:</p>'
        f"<pre>{esc(snippet)}</pre>"
        "<p>SDKs started with <code>spotlight=True</code> reach it too.</p></div>"
    )


def issues_page(frame: Frame, issues: List[Dict[str, Any]], q: str) -> str:
    now = time.time()
    if not issues:
        body = _empty(frame, "matching issues" if q else "issues")
    else:
        rows = "".join(
            "<tr>"
            f'<td class="main"><a class="issue-link" href="/issues/{esc(i["id"])}">'
            f'{esc(i["title"])}</a><div class="sub">{esc(i["culprit"] or "")}</div></td>'
            f"<td>{level_badge(i['level'])}</td>"
            f'<td class="num">{esc(i["count"])}</td>'
            f"<td>{when(i['last_seen'], now)}</td>"
            f"<td>{when(i['first_seen'], now)}</td>"
            "</tr>"
            for i in issues
        )
        body = (
            '<table class="list issues"><thead><tr><th>Issue</th><th>Level</th>'
            '<th class="num">Events</th><th>Last seen</th><th>First seen</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>"
        )
    return frame.render("Issues", body, tab="issues", q=q)


def transactions_page(frame: Frame, rows: List[Dict[str, Any]], q: str) -> str:
    now = time.time()
    if not rows:
        body = _empty(frame, "matching transactions" if q else "transactions")
    else:
        cells = "".join(
            "<tr>"
            f'<td class="main"><a href="/events/{esc(r["event_id"])}">{esc(r["title"])}</a>'
            f'<div class="sub">{esc(r["sdk"] or "")}</div></td>'
            f'<td class="num">{ms(r["duration_ms"])}</td>'
            f"<td>{when(r['received'], now)}</td>"
            "</tr>"
            for r in rows
        )
        body = (
            '<table class="list"><thead><tr><th>Transaction</th><th class="num">Duration</th>'
            f"<th>Received</th></tr></thead><tbody>{cells}</tbody></table>"
        )
    return frame.render("Transactions", body, tab="transactions", q=q)


def logs_page(frame: Frame, rows: List[Dict[str, Any]], q: str) -> str:
    if not rows:
        body = _empty(frame, "matching logs" if q else "logs")
    else:
        cells = "".join(
            "<tr>"
            f'<td class="mono">{clock(r["timestamp"])}</td>'
            f"<td>{level_badge(r['level'])}</td>"
            f'<td class="main">{esc(r["body"])}'
            + (
                f"<details><summary>attributes</summary>{kv_table(_attrs(r['attributes']))}"
                "</details>"
                if r["attributes"]
                else ""
            )
            + f'</td><td class="mono sub">{_trace_link(r["trace_id"])}</td></tr>'
            for r in rows
        )
        body = (
            '<table class="list logs"><thead><tr><th>Time (UTC)</th><th>Level</th>'
            f"<th>Message</th><th>Trace</th></tr></thead><tbody>{cells}</tbody></table>"
        )
    return frame.render("Logs", body, tab="logs", q=q)


def _trace_link(trace_id: Any) -> str:
    if not trace_id:
        return ""
    href = esc("/transactions?q=" + quote(str(trace_id), safe=""))
    return f'<a href="{href}" title="transactions in this trace">{esc(trace_id)}</a>'


def _attrs(attributes: Any) -> Any:
    """Log attributes arrive as ``{name: {"value": v, "type": t}}``; show just the values."""
    if not isinstance(attributes, dict):
        return attributes
    return {
        k: (v.get("value") if isinstance(v, dict) and "value" in v else v)
        for k, v in attributes.items()
    }


def other_page(frame: Frame, rows: List[Dict[str, Any]]) -> str:
    if not rows:
        body = _empty(frame, "sessions, client reports or attachments")
    else:
        cells = "".join(
            "<tr>"
            f'<td class="mono">{clock(r["received"])}</td>'
            f'<td><span class="pill">{esc(r["type"])}</span></td>'
            f'<td class="num">{esc(r["size"])}</td>'
            f'<td class="main">'
            + (
                f"<details><summary>{esc((r['body'] or '')[:120])}</summary>"
                f'<pre class="json">{esc(_maybe_pretty(r["body"]))}</pre></details>'
                if r["body"]
                else '<span class="sub">binary</span>'
            )
            + "</td></tr>"
            for r in rows
        )
        body = (
            '<table class="list"><thead><tr><th>Received (UTC)</th><th>Type</th>'
            f'<th class="num">Bytes</th><th>Payload</th></tr></thead><tbody>{cells}</tbody></table>'
        )
    return frame.render("Other items", body, tab="other")


def _maybe_pretty(text: str) -> str:
    try:
        return pretty(json.loads(text))
    except (ValueError, RecursionError):
        return text


def issue_page(
    frame: Frame,
    issue: Dict[str, Any],
    events: List[Dict[str, Any]],
    latest: Optional[Dict[str, Any]],
) -> str:
    now = time.time()
    head = (
        f'<div class="crumbs"><a href="/">Issues</a>&nbsp;&rsaquo; issue {esc(issue["id"])}</div>'
        f'<h1>{esc(issue["title"])}</h1><div class="sub">{esc(issue["culprit"] or "")}</div>'
        f'<div class="chips">{level_badge(issue["level"])}'
        f'<span class="chip"><b>{esc(issue["count"])}</b> events</span>'
        f'<span class="chip">first seen {when(issue["first_seen"], now)}</span>'
        f'<span class="chip">last seen {when(issue["last_seen"], now)}</span></div>'
    )
    others = "".join(
        f'<li><a href="/events/{esc(e["event_id"])}">{esc(e["event_id"])}</a> '
        f'{when(e["received"], now)} <span class="sub">{esc(e["sdk"] or "")}'
        f"{' · ' + esc(e['environment']) if e['environment'] else ''}</span></li>"
        for e in events
    )
    body = head + section(f"Events ({len(events)} shown)", f'<ul class="events">{others}</ul>')
    if latest is not None:
        body += '<h2 class="divider">Latest event</h2>' + event_body(latest, now)
    return frame.render(issue["title"], body, tab="issues", live="page")


def event_page(
    frame: Frame,
    row: Dict[str, Any],
    issue: Optional[Dict[str, Any]],
    same_trace: Optional[List[Dict[str, Any]]] = None,
    profile: str = "",
) -> str:
    """``profile``: the flame graph section of a transaction (issue 15), or ""."""
    now = time.time()
    is_txn = row["kind"] == "transaction"
    crumbs = (
        '<a href="/transactions">Transactions</a>'
        if is_txn
        else '<a href="/">Issues</a>'
        + (
            f'&nbsp;&rsaquo; <a href="/issues/{esc(issue["id"])}">issue {esc(issue["id"])}</a>'
            if issue
            else ""
        )
    )
    culprit = row["culprit"] if row["culprit"] != row["title"] else ""
    head = (
        f'<div class="crumbs">{crumbs}&nbsp;&rsaquo; {esc(row["event_id"])}</div>'
        f'<h1>{esc(row["title"])}</h1><div class="sub">{esc(culprit or "")}</div>'
    )
    related = [e for e in same_trace or [] if e["event_id"] != row["event_id"]]
    links = "".join(
        f'<li><span class="pill">{esc(e["kind"])}</span> '
        f'<a href="/events/{esc(e["event_id"])}">{esc(e["title"])}</a></li>'
        for e in related
    )
    body = head + event_body(row, now) + profile
    if links:
        body += section("Same trace", f'<ul class="related">{links}</ul>', "trace")
    return frame.render(row["title"], body, tab="transactions" if is_txn else "issues", live="page")


def not_found_page(frame: Frame, what: str) -> str:
    return frame.render(
        "Not found",
        f'<div class="empty"><p>{esc(what)} not found.</p>'
        '<p><a href="/">Back to issues</a></p></div>',
    )
