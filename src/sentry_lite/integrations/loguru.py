"""loguru: records become breadcrumbs, events and Sentry Logs, as sentry_sdk's integration.

Turned on when loguru is imported. Three loguru sinks are added: stdlib-style handlers
for breadcrumbs (``level``) and events (``event_level``), formatted with loguru's
default format as sentry_sdk does, and a function sink that sends Sentry Logs
(``sentry_logs_level``) when ``enable_logs=True`` or ``capture_sentry_logs=True``.
"""

from __future__ import annotations

import enum
import logging
from typing import Any, Dict, Optional

from sentry_lite.integration_api import (
    Scope,
    capture_log_record,
    format_attribute,
    log_level_to_otel,
    logs_enabled,
)
from sentry_lite.integrations import DidNotEnable, Integration
from sentry_lite.integrations.logging import BreadcrumbHandler, EventHandler

try:
    from loguru import logger
    from loguru._defaults import LOGURU_FORMAT as DEFAULT_FORMAT
except ImportError as exc:  # pragma: no cover - only without loguru
    raise DidNotEnable("loguru is not installed") from exc

__all__ = [
    "LoggingLevels",
    "LoguruBreadcrumbHandler",
    "LoguruEventHandler",
    "LoguruIntegration",
    "loguru_sentry_logs_handler",
]

_NOT_SET: Any = object()


class LoggingLevels(enum.IntEnum):
    TRACE = 5
    DEBUG = 10
    INFO = 20
    SUCCESS = 25
    WARNING = 30
    ERROR = 40
    CRITICAL = 50


DEFAULT_LEVEL = LoggingLevels.INFO.value
DEFAULT_EVENT_LEVEL = LoggingLevels.ERROR.value

SENTRY_LEVEL_FROM_LOGURU_LEVEL = {
    "TRACE": "DEBUG",
    "DEBUG": "DEBUG",
    "INFO": "INFO",
    "SUCCESS": "INFO",
    "WARNING": "WARNING",
    "ERROR": "ERROR",
    "CRITICAL": "CRITICAL",
}

SEVERITY_TO_OTEL_SEVERITY: Dict[int, int] = {
    LoggingLevels.CRITICAL: 21,
    LoggingLevels.ERROR: 17,
    LoggingLevels.WARNING: 13,
    LoggingLevels.SUCCESS: 11,
    LoggingLevels.INFO: 9,
    LoggingLevels.DEBUG: 5,
    LoggingLevels.TRACE: 1,
}


class LoguruIntegration(Integration):
    identifier = "loguru"
    level: Optional[int] = DEFAULT_LEVEL
    event_level: Optional[int] = DEFAULT_EVENT_LEVEL
    breadcrumb_format: Any = DEFAULT_FORMAT
    event_format: Any = DEFAULT_FORMAT
    sentry_logs_level: Optional[int] = DEFAULT_LEVEL
    capture_sentry_logs: Any = _NOT_SET

    def __init__(
        self,
        level: Optional[int] = DEFAULT_LEVEL,
        event_level: Optional[int] = DEFAULT_EVENT_LEVEL,
        breadcrumb_format: Any = DEFAULT_FORMAT,
        event_format: Any = DEFAULT_FORMAT,
        sentry_logs_level: Optional[int] = DEFAULT_LEVEL,
        capture_sentry_logs: Any = _NOT_SET,
    ) -> None:
        # Class attributes, as sentry_sdk: the sinks are added once per process.
        LoguruIntegration.level = level
        LoguruIntegration.event_level = event_level
        LoguruIntegration.breadcrumb_format = breadcrumb_format
        LoguruIntegration.event_format = event_format
        LoguruIntegration.sentry_logs_level = sentry_logs_level
        LoguruIntegration.capture_sentry_logs = capture_sentry_logs

    @staticmethod
    def setup_once() -> None:
        if LoguruIntegration.level is not None:
            logger.add(
                LoguruBreadcrumbHandler(level=LoguruIntegration.level),
                level=LoguruIntegration.level,
                format=LoguruIntegration.breadcrumb_format,
            )
        if LoguruIntegration.event_level is not None:
            logger.add(
                LoguruEventHandler(level=LoguruIntegration.event_level),
                level=LoguruIntegration.event_level,
                format=LoguruIntegration.event_format,
            )
        if LoguruIntegration.sentry_logs_level is not None:
            logger.add(loguru_sentry_logs_handler, level=LoguruIntegration.sentry_logs_level)


def _stdlib_level(level: Any) -> Any:
    """loguru level numbers as the stdlib level a handler filters on."""
    if isinstance(level, int):
        try:
            name = LoggingLevels(level).name
        except ValueError:
            return level
        return SENTRY_LEVEL_FROM_LOGURU_LEVEL.get(name, DEFAULT_LEVEL)
    return level


class LoguruEventHandler(EventHandler):
    """:class:`EventHandler` taking loguru's level numbers."""

    def __init__(self, level: Any = logging.NOTSET) -> None:
        super().__init__(level=_stdlib_level(level))


class LoguruBreadcrumbHandler(BreadcrumbHandler):
    """:class:`BreadcrumbHandler` taking loguru's level numbers."""

    def __init__(self, level: Any = logging.NOTSET) -> None:
        super().__init__(level=_stdlib_level(level))


def loguru_sentry_logs_handler(message: Any) -> None:
    """The loguru sink that sends records as Sentry Logs."""
    try:
        client = Scope.get_client()
        if not client.is_active():
            return
        capture = LoguruIntegration.capture_sentry_logs
        if capture is not True and not (capture is _NOT_SET and logs_enabled(client.options)):
            return
        record = message.record
        level = LoguruIntegration.sentry_logs_level
        if level is None or record["level"].no < level:
            return
        number, text = log_level_to_otel(record["level"].no, SEVERITY_TO_OTEL_SEVERITY)
        attrs: Dict[str, Any] = {"sentry.origin": "auto.log.loguru"}
        project_root = client.options.get("project_root")
        file = record.get("file")
        if file:
            path = file.path
            if project_root is not None and path.startswith(project_root):
                path = path[len(project_root) + 1 :]
            attrs["code.file.path"] = path
        if record.get("line") is not None:
            attrs["code.line.number"] = record["line"]
        if record.get("function"):
            attrs["code.function.name"] = record["function"]
        thread = record.get("thread")
        if thread:
            attrs["thread.name"] = thread.name
            attrs["thread.id"] = thread.id
        process = record.get("process")
        if process:
            attrs["process.pid"] = process.id
            attrs["process.executable.name"] = process.name
        if record.get("name"):
            attrs["logger.name"] = record["name"]
        extra = record.get("extra")
        if isinstance(extra, dict):
            for key, value in extra.items():
                attrs[f"sentry.message.parameter.{key}"] = format_attribute(value)
        capture_log_record(
            {
                "severity_text": text,
                "severity_number": number,
                "body": record["message"],
                "attributes": attrs,
                "time_unix_nano": int(record["time"].timestamp() * 1e9),
                "trace_id": None,
                "span_id": None,
            }
        )
    except Exception:  # noqa: BLE001 - a sink must never raise into loguru
        pass
