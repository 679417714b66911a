"""What the data, queue and outgoing-HTTP integrations add: options looked up once per
hot call, the calling code on slow queries and requests, Crons check-ins, ``_experiments``
settings, flushing before a worker process exits."""

from __future__ import annotations

import time
from typing import Any, Callable, Dict, Optional

from sentry_lite.client_base import BaseClient, before_send_drop_callbacks
from sentry_lite.crons import MonitorStatus, capture_checkin
from sentry_lite.crons.schedules import interval_schedule, timezone_name
from sentry_lite.events.code_source import add_query_source as _add_source
from sentry_lite.events.code_source import is_slow_query, slow_query_threshold_ms
from sentry_lite.events.code_source import is_slow_request as _is_slow_request
from sentry_lite.options import Options
from sentry_lite.scope import Scope
from sentry_lite.sdk_loggers import logger
from sentry_lite.tracing.span import Span

__all__ = [
    "MonitorStatus",
    "add_http_request_source",
    "add_query_source",
    "capture_checkin",
    "enabled_options",
    "experiment",
    "flush",
    "interval_schedule",
    "on_before_send_drop",
    "slow_query_threshold_ms",
    "spotlight_url",
    "timezone_name",
]


def enabled_options(identifier: str) -> Optional[Options]:
    """The active client's options when it enables the integration, else None: one
    client lookup for a hot path that needs both answers."""
    client: BaseClient = Scope.get_client()
    if not client.is_active() or identifier not in client.integrations:
        return None
    return client.options


def add_query_source(span: Span, duration_s: float, options: Optional[Options] = None) -> None:
    """``code.*`` data on a DB span that took ``duration_s``, when it counts as slow
    (``enable_db_query_source``, ``db_query_source_threshold_ms``). Call it before the
    query's stack unwinds: it looks for the first in-app frame of that stack."""
    if options is None:
        options = Scope.get_client().options
    if is_slow_query(options, duration_s):
        _add_source(span, options)


def experiment(name: str, options: Optional[Options] = None) -> Any:
    """An ``_experiments`` setting of the active client (None when unset)."""
    if options is None:
        options = Scope.get_client().options
    experiments = options.get("_experiments")
    return experiments.get(name) if isinstance(experiments, dict) else None


def flush(timeout: Optional[float] = None) -> None:
    """Deliver what is queued within ``timeout`` (a worker process is about to exit)."""
    try:
        Scope.get_client().flush(timeout)
    except Exception:  # noqa: BLE001
        logger.debug("sentry_lite: flush failed", exc_info=True)


def spotlight_url() -> Optional[str]:
    """Where the active client sends its Spotlight copies, None when Spotlight is off."""
    spotlight = Scope.get_client().spotlight
    url = getattr(spotlight, "url", None)
    return url if isinstance(url, str) else None


def on_before_send_drop(callback: Callable[[Dict[str, Any]], None]) -> None:
    """Call ``callback(hint)`` whenever ``before_send`` drops an error event."""
    before_send_drop_callbacks.append(callback)


def add_http_request_source(span: Span, duration_s: Optional[float] = None) -> None:
    """``code.*`` data on an outgoing HTTP span once its response arrived, when the request
    counts as slow (``duration_s``: the finished span's, else since its start); call it
    while the request's stack is still the app's."""
    try:
        options = Scope.get_client().options
        if not options.get("enable_http_request_source", True):
            return
        if duration_s is None:
            duration_s = time.time() - span.start_timestamp.timestamp()
        duration_s = max(0.0, duration_s)
        if _is_slow_request(options, duration_s):
            _add_source(span, options)
    except Exception:  # noqa: BLE001 - a missing source never costs the request
        logger.debug("sentry_lite: could not add the request source", exc_info=True)
