"""Every URL of the viewer, in one place: pages, the JSON API and the tabs.

A new page is a module under ``views/`` with a function ``view(ctx, **parts) -> Reply``
and one line here. ``<name>`` in a pattern matches one path segment and is passed to
the view as a keyword argument.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Dict, List, Optional, Pattern, Tuple

from sentry_lite.devserver.context import Context, Reply, Tab
from sentry_lite.devserver.views import (
    api,
    event,
    issue,
    issues,
    logs,
    other,
    profiles,
    sessions,
    traces,
    transactions,
)

__all__ = ["API", "PAGES", "TABS", "View", "match"]

View = Callable[..., Reply]
Route = Tuple[Pattern[str], View]


def _route(pattern: str, view: View) -> Route:
    regex = re.sub(r"<(\w+)>", r"(?P<\1>[^/]+)", pattern.rstrip("/") or "/")
    return re.compile(f"^{regex}/?$"), view


TABS: List[Tab] = [
    ("issues", "/", "Issues", "issues"),
    ("transactions", "/transactions", "Transactions", "transactions"),
    ("logs", "/logs", "Logs", "logs"),
    ("sessions", "/sessions", "Sessions", "sessions"),
    ("profiles", "/profiles", "Profiles", "profiles"),
    ("other", "/other", "Other", "other"),
]

PAGES: List[Route] = [
    _route("/", issues.issues_page),
    _route("/issues/<issue_id>", issue.issue_page),
    _route("/events/<event_id>", event.event_page),
    _route("/errors/<event_id>", event.event_page),  # Spotlight's URL for an error
    _route("/transactions", transactions.transactions_page),
    _route("/traces/<trace_id>", traces.trace_page),
    _route("/logs", logs.logs_page),
    _route("/sessions", sessions.sessions_page),
    _route("/profiles", profiles.profiles_page),
    _route("/profiles/<item_id>", profiles.profile_page),
    _route("/other", other.other_page),
]

API: List[Route] = [
    _route("/json/issues", api.issues_json),
    _route("/json/issues/<issue_id>", api.issue_json),
    _route("/json/events", api.transactions_json),
    _route("/json/transactions", api.transactions_json),
    _route("/json/events/<event_id>", api.event_json),
    _route("/json/traces/<trace_id>", api.trace_json),
    _route("/json/logs", api.logs_json),
    _route("/json/sessions", api.sessions_json),
    _route("/json/profiles", api.profiles_json),
    _route("/json/items", api.items_json),
    _route("/json/items/<item_id>", api.item_json),
    _route("/json/stats", api.stats_json),
    _route("/json/facets", api.facets_json),
]


def match(routes: List[Route], path: str) -> Optional[Tuple[View, Dict[str, Any]]]:
    for regex, view in routes:
        found = regex.match(path)
        if found is not None:
            return view, found.groupdict()
    return None


def call(view: View, ctx: Context, parts: Dict[str, Any]) -> Reply:
    return view(ctx, **parts)
