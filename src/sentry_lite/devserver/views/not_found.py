"""The 404 page."""

from __future__ import annotations

from sentry_lite.devserver.context import Context, Reply
from sentry_lite.devserver.markup import esc
from sentry_lite.devserver.views.layout import render_page

__all__ = ["not_found"]


def not_found(ctx: Context, what: str) -> Reply:
    body = (
        f'<div class="empty"><p>{esc(what)} not found.</p>'
        '<p><a href="/">Back to issues</a></p></div>'
    )
    return Reply.html(render_page(ctx, "Not found", body, search=False), 404)
