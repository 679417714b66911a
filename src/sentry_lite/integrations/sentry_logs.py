"""Stdlib log records as Sentry Logs (``LoggingIntegration(sentry_logs_level=...)``).

A record at ``sentry_logs_level`` or above becomes a ``log`` item when ``enable_logs=True``
(or ``capture_sentry_logs=True``), with sentry_sdk's attributes: its ``%`` arguments as
``sentry.message.parameter.<n>``, the template, code location, thread, process, logger
name and the record's ``extra=`` fields. Loggers are ignored for logs separately from
events (``ignore_logger_for_sentry_logs``), as in sentry_sdk.
"""

from __future__ import annotations

import logging
from fnmatch import fnmatch
from functools import partial
from typing import Any, Dict, Set, Tuple

from sentry_lite.integration_api import (
    Scope,
    capture_log_record,
    capture_log_record_later,
    format_attribute,
    is_plain,
    log_level_to_otel,
    logs_enabled,
)

__all__ = [
    "SEVERITY_TO_OTEL_SEVERITY",
    "SentryLogsHandler",
    "capture_stdlib_log",
    "ignore_logger_for_sentry_logs",
    "is_ignored_for_logs",
    "log_from_record",
    "unignore_logger_for_sentry_logs",
]

SEVERITY_TO_OTEL_SEVERITY: Dict[int, int] = {
    logging.CRITICAL: 21,
    logging.ERROR: 17,
    logging.WARNING: 13,
    logging.INFO: 9,
    logging.DEBUG: 5,
}

_ignored: Set[str] = {"sentry_lite.errors", "urllib3.connectionpool", "urllib3.connection"}
"""Our diagnostics and the HTTP client's, which would loop back while logs are sent."""

_RECORD_ATTRS = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", (), None)).keys()
    | {"message", "asctime", "taskName", "stack_info", "stack", "tags", "linenno"}
)
_SCALARS = (str, float, int, bool)


_patterns: Set[str] = set()
"""The wildcard entries of ``_ignored``, so a plain name costs one set lookup."""


def ignore_logger_for_sentry_logs(name: str) -> None:
    """Never send records of this logger (or fnmatch pattern) as Sentry Logs."""
    _ignored.add(name)
    if any(c in name for c in "*?["):
        _patterns.add(name)


def unignore_logger_for_sentry_logs(name: str) -> None:
    _ignored.discard(name)
    _patterns.discard(name)


def is_ignored_for_logs(name: str) -> bool:
    if name in _ignored:
        return True
    if _patterns or name != name.strip():
        name = name.strip()
        return name in _ignored or any(fnmatch(name, pattern) for pattern in _patterns)
    return False


_severities: Dict[int, Tuple[int, str]] = {}
"""(OTel severity number, text) per stdlib level number, worked out once each."""


def _parameter(value: Any) -> Any:
    return value if isinstance(value, _SCALARS) else format_attribute(value)


def log_from_record(record: logging.LogRecord, project_root: Any = None) -> Dict[str, Any]:
    """The Sentry Log of one stdlib record, in the shape ``before_send_log`` sees."""
    levelno = record.levelno
    severity = _severities.get(levelno)
    if severity is None:
        severity = log_level_to_otel(levelno, SEVERITY_TO_OTEL_SEVERITY)
        if len(_severities) < 64:  # levels are few; a bound all the same
            _severities[levelno] = severity
    number, text = severity
    attrs: Dict[str, Any] = {}
    fields = vars(record)
    if not _RECORD_ATTRS.issuperset(fields):  # ``extra=`` fields
        for key, value in fields.items():
            if key not in _RECORD_ATTRS and not (isinstance(key, str) and key.startswith("_")):
                attrs[key] = format_attribute(value)
    attrs["sentry.origin"] = "auto.log.stdlib"
    args = record.args
    has_parameters = False
    if isinstance(args, tuple):
        has_parameters = bool(args)
        for index, arg in enumerate(args):
            attrs[f"sentry.message.parameter.{index}"] = _parameter(arg)
    elif isinstance(args, dict):
        has_parameters = bool(args)
        for key, value in args.items():
            attrs[f"sentry.message.parameter.{key}"] = _parameter(value)
    if has_parameters and isinstance(record.msg, str):
        attrs["sentry.message.template"] = record.msg
    if record.lineno:
        attrs["code.line.number"] = record.lineno
    path = record.pathname
    if path:
        if project_root is not None and path.startswith(project_root):
            path = path[len(project_root) + 1 :]
        attrs["code.file.path"] = path
    if record.funcName:
        attrs["code.function.name"] = record.funcName
    if record.thread:
        attrs["thread.id"] = record.thread
    if record.threadName:
        attrs["thread.name"] = record.threadName
    if record.process:
        attrs["process.pid"] = record.process
    if record.processName:
        attrs["process.executable.name"] = record.processName
    if record.name:
        attrs["logger.name"] = record.name
    try:
        body = record.getMessage()
    except Exception:  # noqa: BLE001 - a bad format string must not hide the record
        body = str(record.msg)
    return {
        "severity_text": text,
        "severity_number": number,
        "body": body,
        "attributes": attrs,
        "time_unix_nano": int(record.created * 1e9),
        "trace_id": None,
        "span_id": None,
    }


_PLAIN = (str, int, bool, type(None))


def _plain_inputs(record: logging.LogRecord) -> bool:
    """Arguments and ``extra=`` fields are immutable scalars: the record can be read later."""
    args = record.args
    if args:
        if isinstance(args, tuple):
            for arg in args:
                if type(arg) not in _PLAIN:
                    return False
        elif not isinstance(args, dict) or not is_plain(args):
            return False
    if not isinstance(record.msg, str):
        return False
    fields = vars(record)
    if _RECORD_ATTRS.issuperset(fields):  # no ``extra=`` fields (no set is built)
        return True
    return all(type(fields[key]) in _PLAIN for key in fields.keys() - _RECORD_ATTRS)


def capture_stdlib_log(record: logging.LogRecord, project_root: Any, client: Any = None) -> None:
    """Send the record as a Sentry Log; read on the batcher's thread when that is safe."""
    if _plain_inputs(record):
        capture_log_record_later(partial(log_from_record, record, project_root), client)
    else:
        capture_log_record(log_from_record(record, project_root))


class SentryLogsHandler(logging.Handler):
    """Sends every record it gets as a Sentry Log (for manual setups; the integration
    does this itself when logs are enabled)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if is_ignored_for_logs(record.name):
                return
            options = Scope.get_client().options
            if not logs_enabled(options):
                return
            capture_stdlib_log(record, options.get("project_root"))
        except Exception:  # noqa: BLE001
            pass
