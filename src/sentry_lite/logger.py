"""Sentry Logs: ``sentry_lite.logger.info("Paid {amount}", amount=3)`` as in sentry_sdk.

Keyword arguments fill the ``str.format`` template and become
``sentry.message.parameter.<name>`` attributes (with ``sentry.message.template``);
``attributes={...}`` adds attributes of your own. Records are batched and sent in the
background (``sentry_lite.telemetry``); a log call costs the app thread a few dicts.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Dict, Tuple

from sentry_lite.scope.model import Scope
from sentry_lite.scope.telemetry import apply_scopes_to_telemetry
from sentry_lite.telemetry.attributes import format_attribute

__all__ = ["debug", "error", "fatal", "info", "trace", "warning"]

internal_logger = logging.getLogger("sentry_lite.errors")

OTEL_RANGES: Tuple[Tuple[Tuple[int, int], str], ...] = (
    ((1, 4), "trace"),
    ((5, 8), "debug"),
    ((9, 12), "info"),
    ((13, 16), "warn"),
    ((17, 20), "error"),
    ((21, 24), "fatal"),
)
"""OpenTelemetry severity numbers and their texts (https://opentelemetry.io/docs/specs/otel/logs/data-model)."""


class _KeepMissing(Dict[str, Any]):
    """Placeholders without a parameter stay in the body as written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def capture_log(severity_text: str, severity_number: int, template: str, **kwargs: Any) -> None:
    """Record one log on the active client; never raises into the app."""
    client = Scope.get_client()
    telemetry = getattr(client, "telemetry", None)
    if telemetry is None or not client.is_active():
        return
    try:
        timestamp = time.time_ns()
        provided = kwargs.pop("attributes", None)
        attributes: Dict[str, Any] = {}
        if provided:
            for key, value in provided.items():
                attributes[key] = format_attribute(value)
        body = template
        if kwargs:
            for key, value in kwargs.items():
                attributes["sentry.message.parameter." + key] = format_attribute(value)
            attributes["sentry.message.template"] = format_attribute(template)
            try:
                body = template.format_map(_KeepMissing(kwargs))
            except Exception:  # noqa: BLE001 - a bad template is sent as written
                body = template
        record: Dict[str, Any] = {
            "severity_text": severity_text,
            "severity_number": severity_number,
            "attributes": attributes,
            "body": body,
            "time_unix_nano": timestamp,
            "trace_id": None,
            "span_id": None,
        }
        apply_scopes_to_telemetry(record, client.options.send_default_pii)
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
        apply_scopes_to_telemetry(record, client.options.send_default_pii)
        telemetry.capture_log(record)
    except Exception:  # noqa: BLE001
        internal_logger.debug("sentry_lite: could not record a log", exc_info=True)


def trace(template: str, **kwargs: Any) -> None:
    capture_log("trace", 1, template, **kwargs)


def debug(template: str, **kwargs: Any) -> None:
    capture_log("debug", 5, template, **kwargs)


def info(template: str, **kwargs: Any) -> None:
    capture_log("info", 9, template, **kwargs)


def warning(template: str, **kwargs: Any) -> None:
    capture_log("warn", 13, template, **kwargs)


def error(template: str, **kwargs: Any) -> None:
    capture_log("error", 17, template, **kwargs)


def fatal(template: str, **kwargs: Any) -> None:
    capture_log("fatal", 21, template, **kwargs)


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
