"""Release health: every session update and session aggregate the SDKs sent, with the
release and environment they count for."""

from __future__ import annotations

import json
from typing import Any, Dict, List

from sentry_lite.devserver.context import Context, Reply
from sentry_lite.devserver.markup import clock, esc
from sentry_lite.devserver.store.reader import SESSION_TYPES
from sentry_lite.devserver.views.layout import empty_state, render_page

__all__ = ["sessions_page"]

_COUNTS = ("exited", "errored", "crashed", "abnormal")


def _load(body: Any) -> Dict[str, Any]:
    try:
        value = json.loads(body or "")
    except (ValueError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}


def _attrs(data: Dict[str, Any]) -> Dict[str, Any]:
    attrs = data.get("attrs")
    return attrs if isinstance(attrs, dict) else {}


def _status(text: Any) -> str:
    value = str(text or "")
    css = "ok" if value in ("ok", "exited") else "bad"
    return f'<span class="status status-{css}">{esc(value)}</span>' if value else ""


def _rows(items: List[Dict[str, Any]]) -> str:
    out = []
    for item in items:
        data = _load(item["body"])
        attrs = _attrs(data)
        common = (
            f'<td class="mono">{clock(item["received"])}</td>'
            f"<td>{esc(attrs.get('release') or '')}</td>"
            f"<td>{esc(attrs.get('environment') or '')}</td>"
        )
        if item["type"] == "session":
            out.append(
                f"<tr>{common}<td>{_status(data.get('status'))}</td>"
                f'<td class="num">{esc(data.get("errors", 0))}</td>'
                f'<td class="mono sub">session {esc(str(data.get("sid") or "")[:12])}'
                f"{' (start)' if data.get('init') else ''}"
                f"{' · user ' + esc(data.get('did')) if data.get('did') else ''}</td></tr>"
            )
            continue
        found = data.get("aggregates")
        aggregates: List[Any] = found if isinstance(found, list) else []
        totals = {name: 0 for name in _COUNTS}
        for bucket in aggregates:
            if isinstance(bucket, dict):
                for name in _COUNTS:
                    value = bucket.get(name)
                    totals[name] += value if isinstance(value, int) else 0
        summary = ", ".join(f"{n} {totals[n]}" for n in _COUNTS if totals[n])
        errored = totals["errored"] + totals["crashed"]
        out.append(
            f"<tr>{common}<td>{_status('errored' if errored else 'exited')}</td>"
            f'<td class="num">{errored}</td>'
            f'<td class="sub">aggregate of {len(aggregates)} buckets: {esc(summary)}</td></tr>'
        )
    return "".join(out)


def sessions_page(ctx: Context) -> Reply:
    items = ctx.store.items_of(SESSION_TYPES)
    if not items:
        body = empty_state(ctx, "sessions")
    else:
        body = (
            '<table class="list sessions"><thead><tr><th>Received (UTC)</th><th>Release</th>'
            '<th>Environment</th><th>Status</th><th class="num">Errors</th><th>Session</th>'
            f"</tr></thead><tbody>{_rows(items)}</tbody></table>"
        )
    return Reply.html(render_page(ctx, "Sessions", body, tab="sessions", search=False))
