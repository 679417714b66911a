"""structlog: a processor that sends structlog events to Sentry (sentry_sdk has none).

Put :class:`SentryProcessor` in your processor chain, after ``add_log_level`` and before
the renderer::

    structlog.configure(processors=[
        structlog.processors.add_log_level,
        SentryProcessor(),
        structlog.processors.JSONRenderer(),
    ])

An event at ``level`` and up becomes a breadcrumb, at ``event_level`` and up an error
event (with the exception when ``exc_info`` is set), at ``sentry_logs_level`` and up a
Sentry Log when ``enable_logs=True``. The bound context goes with it: as the event's
``extra``, the breadcrumb's ``data`` and the log's attributes. The event dict is passed
on unchanged. structlog itself is not imported here.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any, Dict, Mapping, MutableMapping, Optional

from sentry_lite.integration_api import (
    Scope,
    add_breadcrumb,
    capture_log_record,
    event_from_exception,
    format_attribute,
    log_level_to_otel,
    logs_enabled,
)

__all__ = ["SentryProcessor"]

_LEVELS = {
    "critical": logging.CRITICAL,
    "fatal": logging.CRITICAL,
    "exception": logging.ERROR,
    "error": logging.ERROR,
    "warning": logging.WARNING,
    "warn": logging.WARNING,
    "info": logging.INFO,
    "debug": logging.DEBUG,
    "trace": 5,
    "notset": logging.NOTSET,
}
_SENTRY_LEVELS = {
    logging.CRITICAL: "fatal",
    logging.ERROR: "error",
    logging.WARNING: "warning",
    logging.INFO: "info",
}
_OTEL = {logging.CRITICAL: 21, logging.ERROR: 17, logging.WARNING: 13, logging.INFO: 9, 10: 5, 5: 1}
_RESERVED = ("event", "level", "exc_info", "timestamp", "logger", "logger_name")


class SentryProcessor:
    """A structlog processor; levels as in ``LoggingIntegration``."""

    def __init__(
        self,
        level: Optional[int] = logging.INFO,
        event_level: Optional[int] = logging.ERROR,
        sentry_logs_level: Optional[int] = logging.INFO,
    ) -> None:
        self.level = level
        self.event_level = event_level
        self.sentry_logs_level = sentry_logs_level

    def __call__(
        self, logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        try:
            self._handle(logger, method_name, event_dict)
        except Exception:  # noqa: BLE001 - never break the app's logging
            pass
        return event_dict

    def _handle(self, logger: Any, method_name: str, event_dict: Mapping[str, Any]) -> None:
        client = Scope.get_client()
        if not client.is_active():
            return
        name = str(event_dict.get("level") or method_name or "info").lower()
        levelno = _LEVELS.get(name, logging.INFO)
        message = str(event_dict.get("event", ""))
        logger_name = event_dict.get("logger") or event_dict.get("logger_name")
        if logger_name is None:
            logger_name = getattr(logger, "name", None)
        context = {
            str(k): v for k, v in event_dict.items() if k not in _RESERVED and k != "_record"
        }
        if self.event_level is not None and levelno >= self.event_level:
            self._capture(client, levelno, message, logger_name, context, event_dict)
        if self.level is not None and levelno >= self.level:
            add_breadcrumb(
                type="log",
                level=_sentry_level(levelno),
                category=logger_name or "structlog",
                message=message,
                data=context,
            )
        if (
            self.sentry_logs_level is not None
            and levelno >= self.sentry_logs_level
            and logs_enabled(client.options)
        ):
            number, text = log_level_to_otel(levelno, _OTEL)
            attributes: Dict[str, Any] = {"sentry.origin": "auto.log.structlog"}
            if logger_name:
                attributes["logger.name"] = str(logger_name)
            for key, value in context.items():
                attributes[key] = format_attribute(value)
            capture_log_record(
                {
                    "severity_text": text,
                    "severity_number": number,
                    "body": message,
                    "attributes": attributes,
                    "time_unix_nano": time.time_ns(),
                    "trace_id": None,
                    "span_id": None,
                }
            )

    def _capture(
        self,
        client: Any,
        levelno: int,
        message: str,
        logger_name: Any,
        context: Dict[str, Any],
        event_dict: Mapping[str, Any],
    ) -> None:
        exc_info = event_dict.get("exc_info")
        if exc_info is True or (exc_info and not isinstance(exc_info, (tuple, BaseException))):
            exc_info = sys.exc_info()
        elif isinstance(exc_info, BaseException):
            exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
        hint: Dict[str, Any] = {}
        if isinstance(exc_info, tuple) and exc_info[1] is not None:
            event, hint = event_from_exception(
                exc_info, client.options, {"type": "structlog", "handled": True}
            )
        else:
            event = {}
        event["level"] = _sentry_level(levelno)
        event["logger"] = str(logger_name or "structlog")
        event["logentry"] = {"message": message, "formatted": message, "params": []}
        if context:
            event["extra"] = context
        Scope.get_current_scope().capture_event(event, hint=hint)


def _sentry_level(levelno: int) -> str:
    for threshold in (logging.CRITICAL, logging.ERROR, logging.WARNING, logging.INFO):
        if levelno >= threshold:
            return _SENTRY_LEVELS[threshold]
    return "debug"
