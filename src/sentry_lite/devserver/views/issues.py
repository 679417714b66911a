"""The issue list: one row per group of like errors, filterable by project, release,
environment and SDK (counts and times follow the filter)."""

from __future__ import annotations

import time
from typing import Any, Dict, List
from urllib.parse import urlencode

from sentry_lite.devserver.context import Context, Reply
from sentry_lite.devserver.markup import esc, level_badge, when
from sentry_lite.devserver.views.layout import empty_state, filter_bar, render_page

__all__ = ["filter_query", "issues_page", "many"]


def many(values: Any, limit: int = 2) -> str:
    """A comma list from GROUP_CONCAT, shortened: ``app@1.0, app@1.1 +2``."""
    items: List[str] = [v for v in str(values or "").split(",") if v]
    shown = ", ".join(esc(v) for v in items[:limit])
    return shown + (
        f' <span class="sub">+{len(items) - limit}</span>' if len(items) > limit else ""
    )


def _row(issue: Dict[str, Any], query: str, now: float) -> str:
    return (
        "<tr>"
        f'<td class="main"><a class="issue-link" href="/issues/{esc(issue["id"])}{query}">'
        f'{esc(issue["title"])}</a><div class="sub">{esc(issue["culprit"] or "")}</div></td>'
        f"<td>{level_badge(issue['level'])}</td>"
        f'<td class="num">{esc(issue["count"])}</td>'
        f'<td class="col-project">{many(issue["projects"])}</td>'
        f'<td class="col-release">{many(issue["releases"])}</td>'
        f'<td class="col-environment">{many(issue["environments"])}</td>'
        f'<td class="col-sdk">{many(issue["sdks"], 1)}</td>'
        f"<td>{when(issue['last_seen'], now)}</td>"
        f"<td>{when(issue['first_seen'], now)}</td>"
        "</tr>"
    )


def filter_query(ctx: Context) -> str:
    """The current filters as a query string, carried into the issue page."""
    return "?" + urlencode(ctx.filters) if ctx.filters else ""


def issues_page(ctx: Context) -> Reply:
    issues = ctx.store.issues(ctx.q, ctx.filters)
    bar = filter_bar(ctx, ctx.store.facets("events", "error"), "/")
    if not issues:
        filtered = ctx.q or ctx.filters
        body = bar + empty_state(ctx, "matching issues" if filtered else "issues")
    else:
        now = time.time()
        query = esc(filter_query(ctx))
        rows = "".join(_row(i, query, now) for i in issues)
        body = (
            bar + '<table class="list issues"><thead><tr><th>Issue</th><th>Level</th>'
            '<th class="num">Events</th><th>Project</th><th>Release</th><th>Environment</th>'
            "<th>SDK</th><th>Last seen</th><th>First seen</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )
    return Reply.html(render_page(ctx, "Issues", body, tab="issues"))
