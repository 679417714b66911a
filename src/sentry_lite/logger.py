"""Sentry Logs: ``sentry_lite.logger.info("Paid {amount}", amount=3)`` as in sentry_sdk.

Keyword arguments fill the ``str.format`` template and become
``sentry.message.parameter.<name>`` attributes (with ``sentry.message.template``);
``attributes={...}`` adds attributes of your own. Records are batched and sent in the
background (``sentry_lite.telemetry``); a log call costs the app thread a few dicts.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Dict, Tuple

from sentry_lite import shortcuts
from sentry_lite.scope.model import Scope
from sentry_lite.scope.telemetry import apply_scopes_to_telemetry, scope_snapshot
from sentry_lite.sdk_loggers import internal_logger
from sentry_lite.telemetry.log_records import LaterLog, build_log, is_plain

__all__ = ["debug", "error", "fatal", "info", "trace", "warning"]


OTEL_RANGES: Tuple[Tuple[Tuple[int, int], str], ...] = (
    ((1, 4), "trace"),
    ((5, 8), "debug"),
    ((9, 12), "info"),
    ((13, 16), "warn"),
    ((17, 20), "error"),
    ((21, 24), "fatal"),
)
"""OpenTelemetry severity numbers and their texts (https://opentelemetry.io/docs/specs/otel/logs/data-model)."""


def capture_log(severity_text: str, severity_number: int, template: str, **kwargs: Any) -> None:
    """Record one log on the active client; never raises into the app."""
    _capture(severity_text, severity_number, template, kwargs)


def _capture(
    severity_text: str, severity_number: int, template: str, kwargs: Dict[str, Any]
) -> None:
    client = Scope.get_client()
    telemetry = getattr(client, "telemetry", None)
    if telemetry is None or not client.is_active():
        return
    try:
        timestamp = time.time_ns()
        provided = kwargs.pop("attributes", None)
        trace_id, span_id, extra = scope_snapshot(telemetry.send_pii)
        if (
            telemetry.before_send_log is None
            and shortcuts.enabled
            and is_plain(kwargs)
            and is_plain(provided)
        ):
            # Only immutable values: the record is built on the batcher's thread.
            pending = (
                severity_text,
                severity_number,
                template,
                kwargs,
                dict(provided) if provided else None,
                timestamp,
                trace_id,
                span_id,
                extra,
            )
            telemetry.logs.add(pending)
            return
        record = build_log(
            severity_text,
            severity_number,
            template,
            kwargs,
            provided,
            timestamp,
            trace_id,
            span_id,
            extra,
        )
        telemetry.capture_log(record)
    except Exception:  # noqa: BLE001
        internal_logger.debug("sentry_lite: could not record a log", exc_info=True)


def capture_record(record: Dict[str, Any]) -> None:
    """Record a log built elsewhere (stdlib logging, loguru, structlog) in sentry_sdk's
    shape: severity_text/number, body, attributes, time_unix_nano, trace_id, span_id."""
    client = Scope.get_client()
    telemetry = getattr(client, "telemetry", None)
    if telemetry is None or not client.is_active():
        return
    try:
        apply_scopes_to_telemetry(record, telemetry.send_pii)
        telemetry.capture_log(record)
    except Exception:  # noqa: BLE001
        internal_logger.debug("sentry_lite: could not record a log", exc_info=True)


def capture_record_later(build: Callable[[], Dict[str, Any]], client: Any = None) -> None:
    """Record a log whose record ``build()`` makes from immutable inputs: the trace and
    scope are taken now, the record is built on the batcher's thread (at once when a
    ``before_send_log`` hook must see it). ``client``: the active one, if in hand."""
    if client is None:
        client = Scope.get_client()
    telemetry = getattr(client, "telemetry", None)
    if telemetry is None or not client.is_active():
        return
    try:
        if telemetry.before_send_log is not None or not shortcuts.enabled:
            capture_record(build())
            return
        trace_id, span_id, extra = scope_snapshot(telemetry.send_pii)
        telemetry.logs.add(LaterLog(build, trace_id, span_id, extra))
    except Exception:  # noqa: BLE001
        internal_logger.debug("sentry_lite: could not record a log", exc_info=True)


def trace(template: str, **kwargs: Any) -> None:
    _capture("trace", 1, template, kwargs)


def debug(template: str, **kwargs: Any) -> None:
    _capture("debug", 5, template, kwargs)


def info(template: str, **kwargs: Any) -> None:
    _capture("info", 9, template, kwargs)


def warning(template: str, **kwargs: Any) -> None:
    _capture("warn", 13, template, kwargs)


def error(template: str, **kwargs: Any) -> None:
    _capture("error", 17, template, kwargs)


def fatal(template: str, **kwargs: Any) -> None:
    _capture("fatal", 21, template, kwargs)


def otel_severity_text(severity_number: int) -> str:
    for (lower, upper), text in OTEL_RANGES:
        if lower <= severity_number <= upper:
            return text
    return "default"


def log_level_to_otel(level: int, mapping: Dict[Any, int]) -> Tuple[int, str]:
    """(severity number, text) of a stdlib-style level, by the highest mapped level <= it."""
    for py_level, number in sorted(mapping.items(), reverse=True):
        if level >= py_level:
            return number, otel_severity_text(number)
    return 0, "default"


_log_level_to_otel = log_level_to_otel
_otel_severity_text = otel_severity_text
