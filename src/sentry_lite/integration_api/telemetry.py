"""What the logging integrations and the request cores add for logs and sessions."""

from __future__ import annotations

from typing import Optional

from sentry_lite.client_base import BaseClient
from sentry_lite.integration_api.data import experiment
from sentry_lite.logger import capture_record as capture_log_record
from sentry_lite.logger import capture_record_later as capture_log_record_later
from sentry_lite.logger import log_level_to_otel
from sentry_lite.options import Options
from sentry_lite.scope import Scope
from sentry_lite.scope.sessions import auto_session_tracking_on
from sentry_lite.sdk_loggers import logger
from sentry_lite.telemetry.log_records import is_plain
from sentry_lite.tracing.attributes import format_attribute

__all__ = [
    "capture_log_record",
    "capture_log_record_later",
    "end_request_session",
    "format_attribute",
    "is_plain",
    "log_level_to_otel",
    "logs_enabled",
    "start_request_session",
]


def logs_enabled(options: Optional[Options] = None) -> bool:
    """``enable_logs`` (or sentry_sdk's older ``_experiments={"enable_logs": True}``)."""
    if options is None:
        options = Scope.get_client().options
    return bool(options.get("enable_logs") or experiment("enable_logs", options))


def start_request_session(client: Optional[BaseClient] = None) -> None:
    """Start a request-mode session on the (new) isolation scope, when sessions are on.

    Called by the WSGI/ASGI cores right after ``enter_request_scopes`` (with the active
    ``client`` when they have it in hand); costs one object when
    ``auto_session_tracking`` is on and a ``release`` is set, else nothing.
    """
    try:
        isolation = Scope.get_isolation_scope()
        if client is None:
            client = Scope.get_client()
        if auto_session_tracking_on(isolation, client):
            isolation.start_request_session(client.options)
    except Exception:  # noqa: BLE001
        logger.debug("sentry_lite: could not start the request session", exc_info=True)


def end_request_session(client: Optional[BaseClient] = None) -> None:
    """End the request's session (before ``leave_request_scopes``); ``client``: the
    active client, when the caller has it in hand."""
    isolation = Scope.get_isolation_scope()
    if isolation._session is not None:
        isolation.end_session_for(client)
