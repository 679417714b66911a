"""The JSON API under ``/json/``: what the pages show, for scripts and ``sentry-lite tail``.

Like the pages it answers only the viewer's own origin (see the handler); it never
changes anything (``/json/clear`` is handled apart, as a state-changing request).
"""

from __future__ import annotations

from typing import Optional

from sentry_lite.devserver.context import Context, Reply
from sentry_lite.devserver.store.reader import PROFILE_TYPES, SESSION_TYPES

__all__ = [
    "event_json",
    "facets_json",
    "issue_json",
    "issues_json",
    "item_json",
    "items_json",
    "logs_json",
    "profiles_json",
    "sessions_json",
    "stats_json",
    "trace_json",
    "transactions_json",
]


def _found(data: Optional[object]) -> Reply:
    return Reply.json({"detail": "not found"}, 404) if data is None else Reply.json(data)


def issues_json(ctx: Context) -> Reply:
    return Reply.json(ctx.store.issues(ctx.q, ctx.filters))


def issue_json(ctx: Context, issue_id: str) -> Reply:
    issue = ctx.store.issue(issue_id, ctx.filters)
    if issue is None:
        return _found(None)
    return Reply.json({"issue": issue, "events": ctx.store.issue_events(issue_id, ctx.filters)})


def transactions_json(ctx: Context) -> Reply:
    return Reply.json(ctx.store.transactions(ctx.q, ctx.filters))


def event_json(ctx: Context, event_id: str) -> Reply:
    return _found(ctx.store.event(event_id))


def trace_json(ctx: Context, trace_id: str) -> Reply:
    return Reply.json(
        {"events": ctx.store.trace_events(trace_id), "logs": ctx.store.logs(trace_id=trace_id)}
    )


def logs_json(ctx: Context) -> Reply:
    return Reply.json(ctx.store.logs(ctx.q, ctx.filters))


def sessions_json(ctx: Context) -> Reply:
    return Reply.json(ctx.store.items_of(SESSION_TYPES))


def profiles_json(ctx: Context) -> Reply:
    return Reply.json(ctx.store.items_of(PROFILE_TYPES))


def items_json(ctx: Context) -> Reply:
    return Reply.json(ctx.store.other_items())


def item_json(ctx: Context, item_id: str) -> Reply:
    return _found(ctx.store.item(int(item_id)) if item_id.isdigit() else None)


def stats_json(ctx: Context) -> Reply:
    return Reply.json({**ctx.counts, "stored_bytes": ctx.store.stored_bytes})


def facets_json(ctx: Context) -> Reply:
    return Reply.json({"events": ctx.store.facets("events"), "logs": ctx.store.facets("logs")})
