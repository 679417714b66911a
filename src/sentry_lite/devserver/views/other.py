"""Every item type no other page shows: client reports, attachments, check-ins..."""

from __future__ import annotations

import json

from sentry_lite.devserver.context import Context, Reply
from sentry_lite.devserver.markup import clock, esc, pretty
from sentry_lite.devserver.views.layout import empty_state, render_page

__all__ = ["other_page"]


def _maybe_pretty(text: str) -> str:
    try:
        return pretty(json.loads(text))
    except (ValueError, RecursionError):
        return text


def other_page(ctx: Context) -> Reply:
    rows = ctx.store.other_items()
    if not rows:
        body = empty_state(ctx, "client reports, attachments or other items")
    else:
        cells = "".join(
            "<tr>"
            f'<td class="mono">{clock(r["received"])}</td>'
            f'<td><span class="pill">{esc(r["type"])}</span></td>'
            f'<td class="num">{esc(r["size"])}</td>'
            '<td class="main">'
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
    return Reply.html(render_page(ctx, "Other items", body, tab="other", search=False))
