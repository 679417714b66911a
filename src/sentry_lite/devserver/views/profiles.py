"""Profiles the SDKs sent: a list, and a page per profile. The per-profile page shows
what the profile holds; a flame graph plugs in as its own page module (see routes)."""

from __future__ import annotations

import json
import time
from typing import Any, Dict

from sentry_lite.devserver.context import Context, Reply
from sentry_lite.devserver.markup import esc, kv_table, section, when
from sentry_lite.devserver.store.reader import PROFILE_TYPES
from sentry_lite.devserver.views.layout import empty_state, render_page
from sentry_lite.devserver.views.not_found import not_found

__all__ = ["profile_page", "profile_summary", "profiles_page"]


def profile_summary(body: Any) -> Dict[str, Any]:
    """Counts that tell what a profile holds (works for v1 profiles and chunks)."""
    try:
        data = json.loads(body or "")
    except (ValueError, RecursionError):
        return {}
    if not isinstance(data, dict):
        return {}
    found = data.get("profile")
    profile: Dict[str, Any] = found if isinstance(found, dict) else {}
    out: Dict[str, Any] = {}
    for key in ("platform", "version", "release", "environment", "profiler_id", "chunk_id"):
        if isinstance(data.get(key), (str, int)):
            out[key] = data[key]
    transaction = data.get("transaction")
    if isinstance(transaction, dict):
        out["transaction"] = transaction.get("name")
        out["trace_id"] = transaction.get("trace_id")
    for key in ("samples", "stacks", "frames"):
        value = profile.get(key)
        if isinstance(value, list):
            out[key] = len(value)
    return out


def profiles_page(ctx: Context) -> Reply:
    items = ctx.store.items_of(PROFILE_TYPES)
    if not items:
        return Reply.html(
            render_page(ctx, "Profiles", empty_state(ctx, "profiles"), tab="profiles", search=False)
        )
    now = time.time()
    rows = []
    for item in items:
        info = profile_summary(item["body"])
        name = info.get("transaction") or info.get("chunk_id") or f"profile {item['id']}"
        rows.append(
            "<tr>"
            f'<td class="main"><a class="profile-link" href="/profiles/{item["id"]}">'
            f"{esc(name)}</a></td><td>{esc(item['type'])}</td>"
            f'<td class="num">{esc(info.get("samples", ""))}</td>'
            f'<td class="num">{esc(item["size"])}</td><td>{when(item["received"], now)}</td>'
            "</tr>"
        )
    body = (
        '<table class="list profiles"><thead><tr><th>Profile</th><th>Type</th>'
        '<th class="num">Samples</th><th class="num">Bytes</th><th>Received</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    return Reply.html(render_page(ctx, "Profiles", body, tab="profiles", search=False))


def profile_page(ctx: Context, item_id: str) -> Reply:
    item = ctx.store.item(int(item_id)) if item_id.isdigit() else None
    if item is None or item["type"] not in PROFILE_TYPES:
        return not_found(ctx, "Profile")
    info = profile_summary(item["body"])
    body = (
        f'<div class="crumbs"><a href="/profiles">Profiles</a>&nbsp;&rsaquo; {esc(item_id)}</div>'
        f"<h1>{esc(info.get('transaction') or 'Profile ' + item_id)}</h1>"
        + section("Summary", kv_table(info) or '<p class="sub">payload not kept</p>', "summary")
        + (
            f'<p><a href="/json/items/{esc(item_id)}">raw profile JSON</a></p>'
            if item["body"]
            else ""
        )
    )
    return Reply.html(render_page(ctx, "Profile", body, tab="profiles", search=False))
