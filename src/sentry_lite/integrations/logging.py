"""Log records become breadcrumbs (at ``level`` and up) and events (at ``event_level``).

Like sentry_sdk, we hook ``logging.Logger.callHandlers`` rather than adding a handler,
so records are seen whatever handlers the app configures, and only after the app's own
handlers ran.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timezone
from fnmatch import fnmatch
from typing import Any, Callable, Dict, Optional, Set

from sentry_lite.integration_api import Scope, active_integration, logs_enabled
from sentry_lite.integrations import Integration
from sentry_lite.integrations.sentry_logs import (
    SentryLogsHandler,
    capture_stdlib_log,
    ignore_logger_for_sentry_logs,
    is_ignored_for_logs,
    unignore_logger_for_sentry_logs,
)
from sentry_lite.types import Event

__all__ = [
    "BreadcrumbHandler",
    "EventHandler",
    "LoggingIntegration",
    "SentryHandler",
    "SentryLogsHandler",
    "ignore_logger",
    "ignore_logger_for_sentry_logs",
    "unignore_logger",
    "unignore_logger_for_sentry_logs",
]

DEFAULT_LEVEL = logging.INFO
DEFAULT_EVENT_LEVEL = logging.ERROR

# Our own diagnostics and the HTTP client's would loop back into the SDK.
_ignored_loggers: Set[str] = {
    "sentry_lite",
    "sentry_lite.errors",
    "urllib3.connectionpool",
    "urllib3.connection",
}
_ignored_patterns: Set[str] = set()

# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_RECORD_ATTRS = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", (), None)).keys()
    | {"message", "asctime", "taskName", "stack_info"}
)

_LEVELS: Dict[int, str] = {
    logging.DEBUG: "debug",
    logging.INFO: "info",
    logging.WARNING: "warning",
    logging.ERROR: "error",
    logging.CRITICAL: "fatal",
}


class _Busy(threading.local):
    """Set while this thread turns a record into breadcrumbs/events/logs (a record logged
    by that work is not reported again); a class default, so reading it costs no getattr
    fallback on threads that never set it."""

    on = False


_busy = _Busy()


def ignore_logger(name_or_pattern: str) -> None:
    """Never turn records of this logger (or fnmatch pattern) into events or breadcrumbs."""
    if any(c in name_or_pattern for c in "*?["):
        _ignored_patterns.add(name_or_pattern)
    else:
        _ignored_loggers.add(name_or_pattern)


def unignore_logger(name_or_pattern: str) -> None:
    """Undo :func:`ignore_logger`: records of this logger are reported again."""
    _ignored_loggers.discard(name_or_pattern)
    _ignored_patterns.discard(name_or_pattern)


_NOT_SET: Any = object()
"""``capture_sentry_logs`` not given: follow ``enable_logs``, as sentry_sdk does."""


def _is_ignored(name: str) -> bool:
    name = name.strip()  # sentry_sdk ignores "  name  " as "name"
    if name in _ignored_loggers or name.startswith("sentry_lite."):
        return True
    return bool(_ignored_patterns) and any(fnmatch(name, p) for p in _ignored_patterns)


def _level_name(levelno: int) -> str:
    name = _LEVELS.get(levelno)
    if name is not None:
        return name
    if levelno >= logging.CRITICAL:
        return "fatal"
    if levelno >= logging.ERROR:
        return "error"
    if levelno >= logging.WARNING:
        return "warning"
    if levelno >= logging.INFO:
        return "info"
    return "debug"


def _extras(record: logging.LogRecord) -> Dict[str, Any]:
    fields = vars(record)
    if _RECORD_ATTRS.issuperset(fields):  # most records have no extras (no set is built)
        return {}
    keys = fields.keys() - _RECORD_ATTRS
    return {
        k: fields[k]
        for k in fields  # in the record's order
        if k in keys and not (isinstance(k, str) and k.startswith("_"))
    }


def _message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except Exception:  # noqa: BLE001 - a bad format string must not hide the record
        return str(record.msg)


def _level_number(level: Any) -> Optional[int]:
    """Levels as sentry_sdk takes them (its handlers are ``logging.Handler(level=...)``):
    a number or a name such as ``"ERROR"``; an unknown name warns and disables the level."""
    if level is None or isinstance(level, int):
        return level
    number = logging.getLevelName(str(level).upper())
    if isinstance(number, int):
        return number
    logging.getLogger("sentry_lite").warning(
        "sentry_lite: unknown logging level %r; that level is off", level
    )
    return None


class LoggingIntegration(Integration):
    identifier = "logging"
    capture_sentry_logs: Any = _NOT_SET

    def __init__(
        self,
        level: Optional[int] = DEFAULT_LEVEL,
        event_level: Optional[int] = DEFAULT_EVENT_LEVEL,
        sentry_logs_level: Optional[int] = DEFAULT_LEVEL,
        capture_sentry_logs: Any = _NOT_SET,
    ) -> None:
        self.level = _level_number(level)
        self.event_level = _level_number(event_level)
        self.sentry_logs_level = _level_number(sentry_logs_level)
        # Kept on the instance: ``init`` builds the default integrations after the app
        # built its own, and a class attribute would take the last one's value.
        self.capture_sentry_logs = capture_sentry_logs

    @staticmethod
    def setup_once() -> None:
        original: Callable[[logging.Logger, logging.LogRecord], None] = logging.Logger.callHandlers

        def sentry_lite_call_handlers(self: logging.Logger, record: logging.LogRecord) -> None:
            try:
                original(self, record)
            finally:
                if not _busy.on:
                    client = Scope.get_client()
                    integration = active_integration(LoggingIntegration.identifier, client)
                    if integration is not None:
                        _busy.on = True
                        try:
                            if not _is_ignored(record.name):
                                integration.handle(record)
                            integration.handle_sentry_log(record, client)
                        except Exception:  # noqa: BLE001
                            pass
                        finally:
                            _busy.on = False

        logging.Logger.callHandlers = sentry_lite_call_handlers  # type: ignore[method-assign]

    def handle(self, record: logging.LogRecord) -> None:
        as_event = self.event_level is not None and record.levelno >= self.event_level
        as_breadcrumb = self.level is not None and record.levelno >= self.level
        if not (as_event or as_breadcrumb):
            return
        # Formatted once for both: a record's args may be large (their reprs are built
        # by ``getMessage`` on the app's thread each time it is called).
        message = _message(record)
        if as_event:
            capture_record(record, message)
        if as_breadcrumb:
            breadcrumb_record(record, message)

    def handle_sentry_log(self, record: logging.LogRecord, client: Any = None) -> None:
        """The record as a Sentry Log, when logs are on and it is at ``sentry_logs_level``
        (``client``: the active client, when the caller has it in hand)."""
        level = self.sentry_logs_level
        if level is None or record.levelno < level or is_ignored_for_logs(record.name):
            return
        capture = self.capture_sentry_logs
        if client is None:
            client = Scope.get_client()
        options = client.options
        if capture is not True and not (capture is _NOT_SET and logs_enabled(options)):
            return
        capture_stdlib_log(record, options.get("project_root"), client)


def breadcrumb_record(record: logging.LogRecord, message: Optional[str] = None) -> None:
    """``message``: the record's formatted message, when the caller has it already."""
    Scope.get_isolation_scope().add_own_breadcrumb(
        {
            "type": "log",
            "level": _level_name(record.levelno),
            "category": record.name,
            "message": _message(record) if message is None else message,
            "timestamp": datetime.fromtimestamp(record.created, timezone.utc),
            "data": _extras(record),
        },
        hint={"log_record": record},
    )


def capture_record(record: logging.LogRecord, message: Optional[str] = None) -> None:
    """``message``: the record's formatted message, when the caller has it already."""
    client = Scope.get_client()
    if not client.is_active():
        return
    exc_info = record.exc_info
    hint: Dict[str, Any] = {"log_record": record}
    event: Event
    if exc_info and exc_info[0] is not None and exc_info[1] is not None:
        from sentry_lite.integration_api import event_from_exception
        from sentry_lite.integrations.dedupe import already_captured

        if already_captured(exc_info[1]):
            # A framework logging the error we just reported (Flask's app.logger,
            # uvicorn): dedupe would drop the event, so do not build it.
            return

        event, exc_hint = event_from_exception(
            exc_info, client.options, {"type": "logging", "handled": True}
        )
        hint.update(exc_hint)
    elif (exc_info and exc_info[0] is None) or record.stack_info:
        from sentry_lite.integration_api import current_stacktrace

        event = {
            "threads": {
                "values": [
                    {
                        "stacktrace": current_stacktrace(client.options),
                        "crashed": False,
                        "current": True,
                    }
                ]
            }
        }
    else:
        event = {}
    event["level"] = _level_name(record.levelno)
    event["logger"] = record.name
    args = record.args
    params: Any = list(args) if isinstance(args, tuple) else (args or [])
    msg = record.msg
    event["logentry"] = {
        "message": msg if isinstance(msg, str) else str(msg),
        "formatted": _message(record) if message is None else message,
        "params": params,
    }
    extra = _extras(record)
    if extra:
        event["extra"] = extra
    Scope.get_current_scope().capture_event(event, hint=hint)


class EventHandler(logging.Handler):
    """A handler that turns every record it gets into an event (for manual setups)."""

    def emit(self, record: logging.LogRecord) -> None:
        if _is_ignored(record.name) or _busy.on:
            return
        _busy.on = True
        try:
            capture_record(record)
        except Exception:  # noqa: BLE001
            pass
        finally:
            _busy.on = False


SentryHandler = EventHandler


class BreadcrumbHandler(logging.Handler):
    """A handler that turns every record it gets into a breadcrumb (for manual setups)."""

    def emit(self, record: logging.LogRecord) -> None:
        if _is_ignored(record.name):
            return
        try:
            breadcrumb_record(record)
        except Exception:  # noqa: BLE001
            pass
