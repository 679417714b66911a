"""The frame every viewer page shares: header with tabs, search, Clear and the live dot;
plus the filter bar and the empty state the lists use.

Pages carry no inline script (the Content-Security-Policy forbids it); behaviour lives
in ``static/app.js``. Asset URLs are absolute and the page sets its own ``<base>``, so
it still works when served from another origin, as sentry_sdk's Django error page does.
"""

from __future__ import annotations

from typing import Dict, List, Optional

from sentry_lite.consts import VERSION
from sentry_lite.devserver.context import Context
from sentry_lite.devserver.markup import esc

__all__ = ["empty_state", "filter_bar", "render_page"]

_FILTER_LABELS = (
    ("project", "project"),
    ("release", "release"),
    ("environment", "environment"),
    ("sdk", "SDK"),
)


def render_page(
    ctx: Context,
    title: str,
    body: str,
    *,
    tab: str = "",
    live: str = "list",
    search: bool = True,
) -> str:
    counts = ctx.counts
    nav = "".join(
        f'<a href="{esc(href)}" class="tab{" active" if key == tab else ""}" data-tab="{key}">'
        f'{esc(label)} <span class="count">{counts.get(count_key, 0)}</span></a>'
        for key, href, label, count_key in ctx.tabs
    )
    action = next((href for key, href, _, _ in ctx.tabs if key == tab), "/")
    base = ctx.base_url
    token = f'<meta name="sentry-lite-token" content="{esc(ctx.token)}">' if ctx.token else ""
    form = (
        f'<form class="search" action="{esc(action)}" method="get" role="search">'
        f'<input type="search" name="q" value="{esc(ctx.q)}"'
        f' placeholder="Search {esc(tab or "issues")}…" aria-label="Search" autocomplete="off">'
        + "".join(
            f'<input type="hidden" name="{esc(k)}" value="{esc(v)}">'
            for k, v in ctx.filters.items()
        )
        + "</form>"
        if search
        else '<span class="search"></span>'
    )
    # "<html>" exactly: sentry_sdk's Django error page puts its <base> and the event id
    # right after this tag.
    return (
        "<!doctype html>\n<html>"
        f'<head><meta charset="utf-8"><base href="{esc(base)}/">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)} · sentry-lite</title>{token}"
        f'<link rel="stylesheet" href="{esc(base)}/static/style.css">'
        f'<script src="{esc(base)}/static/app.js" defer></script></head>'
        f'<body data-live="{esc(live)}" data-base="{esc(base)}">'
        f'<header class="top"><a class="brand" href="/">sentry<span>-lite</span></a>'
        f'<nav class="tabs">{nav}</nav>{form}'
        '<button type="button" id="clear" class="clear" title="Delete everything received">'
        "Clear</button>"
        '<span id="live" class="live" title="live updates">live</span></header>'
        f'<main id="main">{body}</main>'
        f"<footer>sentry-lite {esc(VERSION)} · DSN <code>{esc(ctx.settings.dsn)}</code>"
        " · spotlight=True reaches this server too</footer>"
        "</body></html>"
    )


def filter_bar(ctx: Context, facets: Dict[str, List[str]], action: str) -> str:
    """Menus for project, release, environment and SDK, with the values seen so far."""
    chosen = ctx.filters
    menus: List[str] = []
    for name, label in _FILTER_LABELS:
        values = facets.get(name) or []
        current: Optional[str] = chosen.get(name)
        if not values and not current:
            continue
        if current and current not in values:
            values = [current, *values]
        options = f'<option value="">all {esc(label)}s</option>' + "".join(
            f'<option value="{esc(v)}"{" selected" if v == current else ""}>{esc(v)}</option>'
            for v in values
        )
        menus.append(
            f'<label class="filter">{esc(label)} <select name="{esc(name)}"'
            f' data-filter="{esc(name)}">{options}</select></label>'
        )
    if not menus:
        return ""
    keep = f'<input type="hidden" name="q" value="{esc(ctx.q)}">' if ctx.q else ""
    reset = f' <a class="reset" href="{esc(action)}">reset</a>' if chosen else ""
    return (
        f'<form class="filters" action="{esc(action)}" method="get">{"".join(menus)}{keep}'
        f'<noscript><button type="submit">Filter</button></noscript>{reset}</form>'
    )


def empty_state(ctx: Context, what: str) -> str:
    dsn = ctx.settings.dsn
    snippet = f'import sentry_lite  # or: import sentry_sdk\nsentry_lite.init(dsn="{dsn}")\n1 / 0'
    return (
        f'<div class="empty"><p>No {esc(what)} yet. Point any Sentry SDK at this server:</p>'
        f"<pre>{esc(snippet)}</pre>"
        "<p>SDKs started with <code>spotlight=True</code> reach it too, and"
        " <code>sentry-lite run -- python app.py</code> sets it all up for a command.</p></div>"
    )
