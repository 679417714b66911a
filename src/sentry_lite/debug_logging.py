"""``init(debug=True)``: the SDK's own log lines on stderr, and one summary of what init set
up, so a user can see where events go without reading the code."""

from __future__ import annotations

from sentry_lite.client_base import BaseClient
from sentry_lite.consts import VERSION
from sentry_lite.sdk_loggers import logger

__all__ = ["log_init_summary", "setup_debug_logging"]


def setup_debug_logging(debug: bool) -> None:
    """Send the ``sentry_lite`` logger to stderr at DEBUG, once, when ``debug`` is on."""
    if not debug:
        return
    import logging  # buys import time: only init(debug=True) needs the handler classes

    if not any(getattr(h, "_sentry_lite_debug", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(" [sentry_lite] %(levelname)s: %(message)s"))
        handler._sentry_lite_debug = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)


def log_init_summary(client: BaseClient) -> None:
    """``debug=True``: where events go and what is captured, once at init."""
    parsed = client.options.parsed_dsn
    if parsed is None:
        where = "no DSN: nothing is sent" + (" (a transport is set)" if client.is_active() else "")
    else:
        where = f"sending to {parsed.netloc} (project {parsed.project_id})"
    logger.debug(
        "sentry_lite %s: init: %s; environment %r, release %r; integrations: %s",
        VERSION,
        where,
        client.options.get("environment"),
        client.options.get("release"),
        ", ".join(sorted(client.integrations)) or "none",
    )
