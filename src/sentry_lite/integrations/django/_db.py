"""SQL through Django's cursor: a breadcrumb per query, and a ``db`` span when tracing."""

from __future__ import annotations

import time
import weakref
from typing import Any, Dict, Optional, Tuple

from sentry_lite.integration_api import Scope, active_integration, add_query_source
from sentry_lite.integrations.django._spans import django_span
from sentry_lite.limits import MAX_CACHED_CONNECTIONS

__all__ = ["install"]

OP_DB = "db"
ORIGIN_DB = "auto.db.django"


_cached: Dict[int, Tuple[Any, Tuple[Any, ...], Dict[str, Any]]] = {}


def _settings_key(db: Any) -> Tuple[Any, ...]:
    """What ``get_connection_params`` reads; the test runner renames the database."""
    settings = db.settings_dict
    options = settings.get("OPTIONS")
    return (
        db.vendor,
        settings.get("NAME"),
        settings.get("HOST"),
        settings.get("PORT"),
        settings.get("USER"),
        dict(options) if isinstance(options, dict) else options,
    )


def _span_data(db: Any) -> Dict[str, Any]:
    """``_connection_data`` of a connection, computed once per connection and settings:
    Django builds its connection parameters afresh each call (5 µs, every query)."""
    try:
        key = _settings_key(db)
        entry = _cached.get(id(db))
        if entry is not None and entry[0]() is db and entry[1] == key:
            return entry[2]
        data = _connection_data(db)
        if len(_cached) >= MAX_CACHED_CONNECTIONS:
            _cached.clear()
        _cached[id(db)] = (weakref.ref(db), key, data)
        return data
    except Exception:
        return _connection_data(db)


def _connection_data(db: Any) -> Dict[str, Any]:
    """db.system / db.name / server.address / server.port, as sentry_sdk sets them."""
    data: Dict[str, Any] = {"db.system": db.vendor}
    try:
        params = db.get_connection_params()
    except Exception:
        params = {}
    name = params.get("dbname") or params.get("database") or params.get("NAME")
    if name is not None:
        data["db.name"] = str(name)
    if params.get("host") is not None:
        data["server.address"] = params["host"]
    if params.get("port") is not None:
        data["server.port"] = str(params["port"])
    if params.get("unix_socket") is not None:
        data["server.socket.address"] = params["unix_socket"]
    return data


def _query_text(sql: Any) -> Optional[str]:
    try:
        return sql if isinstance(sql, str) else str(sql)
    except Exception:
        return None


def _run(cursor_wrapper: Any, real: Any, sql: Any, params: Any, many: bool) -> Any:
    if active_integration("django") is None:
        return real(cursor_wrapper, sql, params)
    query = _query_text(sql)
    crumb_data: Dict[str, Any] = {"db.executemany": True} if many else {}
    try:
        Scope.get_isolation_scope().add_breadcrumb(message=query, category="query", data=crumb_data)
    except Exception:
        pass
    span = django_span(OP_DB, query, ORIGIN_DB)
    if span is None:
        return real(cursor_wrapper, sql, params)
    with span:
        try:
            for key, value in _span_data(cursor_wrapper.db).items():
                span.set_data(key, value)
            if many:
                span.set_data("db.executemany", True)
        except Exception:
            pass
        started = time.perf_counter()
        try:
            return real(cursor_wrapper, sql, params)
        finally:
            try:  # code.* of a slow query, found while the caller's stack still exists
                add_query_source(span, time.perf_counter() - started)
            except Exception:
                pass


def install() -> None:
    try:
        from django.db.backends.base.base import BaseDatabaseWrapper  # type: ignore[import-untyped]
        from django.db.backends.utils import CursorWrapper  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover
        return
    real_execute = CursorWrapper.execute
    real_executemany = CursorWrapper.executemany
    real_connect = BaseDatabaseWrapper.connect

    def execute(self: Any, sql: Any, params: Any = None) -> Any:
        return _run(self, real_execute, sql, params, False)

    def executemany(self: Any, sql: Any, param_list: Any) -> Any:
        return _run(self, real_executemany, sql, param_list, True)

    def connect(self: Any) -> Any:
        if active_integration("django") is None:
            return real_connect(self)
        try:
            Scope.get_isolation_scope().add_breadcrumb(message="connect", category="query")
        except Exception:
            pass
        span = django_span(OP_DB, "connect", ORIGIN_DB)
        if span is None:
            return real_connect(self)
        with span:
            try:
                for key, value in _span_data(self).items():
                    span.set_data(key, value)
            except Exception:
                pass
            return real_connect(self)

    CursorWrapper.execute = execute
    CursorWrapper.executemany = executemany
    BaseDatabaseWrapper.connect = connect
    from sentry_lite.integrations.logging import ignore_logger

    ignore_logger("django.db.backends")
