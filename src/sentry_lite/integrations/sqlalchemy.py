"""SQLAlchemy: a ``db`` span and a ``query`` breadcrumb per statement, sync and async.

Listens to the ``Engine`` events (``before_cursor_execute``, ``after_cursor_execute``,
``handle_error``), which fire for ``create_engine`` and ``create_async_engine`` alike (an
``AsyncEngine`` runs a sync ``Engine`` underneath), on SQLAlchemy 1.2 to 2.x.

The span carries sentry_sdk's description (the statement) and data: ``db.system``,
``db.driver.name``, ``db.name``, ``server.address``/``server.port`` (computed once per
engine URL) and ``db.executemany``; slow statements also get the calling in-app code
(``enable_db_query_source``). A failed statement ends its span with
``internal_error``. The span is the running span while the statement executes, so a
driver-level integration sees it and adds no second span for the same statement.

Parameters are never sent unless :func:`_may_send_params` says so.
"""

from __future__ import annotations

import time
from typing import Any, Dict, Optional, Tuple

from sentry_lite.consts import OP, SPANDATA
from sentry_lite.integration_api import (
    SPANSTATUS,
    Options,
    Scope,
    add_query_source,
    child_span,
    enabled_options,
    may_send_query_params,
    slow_query_threshold_ms,
    span_streaming_enabled,
    start_span,
    streamed_span_of,
)
from sentry_lite.integrations import DidNotEnable, Integration

try:
    from sqlalchemy import __version__ as SQLALCHEMY_VERSION
    from sqlalchemy.engine import Engine
    from sqlalchemy.event import listen
except ImportError as exc:  # pragma: no cover - exercised without sqlalchemy installed
    raise DidNotEnable("SQLAlchemy is not installed") from exc

__all__ = ["SqlalchemyIntegration"]

MIN_VERSION = (1, 2)

_SYSTEMS = (
    ("sqlite", "sqlite"),
    ("postgres", "postgresql"),
    ("mariadb", "mariadb"),
    ("mysql", "mysql"),
    ("oracle", "oracle"),
    ("snowflake", "snowflake"),
    ("clickhouse", "clickhouse"),
    ("mongodb", "mongodb"),
    ("cockroachdb", "cockroachdb"),
)
"""Dialect name fragment -> ``db.system`` (first match wins, as sentry_sdk orders them)."""

_STREAMED_NAMES = {
    SPANDATA.DB_SYSTEM: SPANDATA.DB_SYSTEM_NAME,
    SPANDATA.DB_NAME: SPANDATA.DB_NAMESPACE,
}
"""Engine data whose streamed-span attribute sentry_sdk names differently."""


def _version(text: str) -> Tuple[int, ...]:
    parts = []
    for piece in text.split(".")[:2]:
        digits = "".join(c for c in piece if c.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


class SqlalchemyIntegration(Integration):
    identifier = "sqlalchemy"
    origin = f"auto.db.{identifier}"

    @staticmethod
    def setup_once() -> None:
        if _version(SQLALCHEMY_VERSION) < MIN_VERSION:
            raise DidNotEnable(f"SQLAlchemy {SQLALCHEMY_VERSION} is older than 1.2")
        listen(Engine, "before_cursor_execute", _before_cursor_execute)
        listen(Engine, "after_cursor_execute", _after_cursor_execute)
        listen(Engine, "handle_error", _handle_error)


def _may_send_params(options: Options) -> bool:
    """May statement parameters leave the process? (``may_send_query_params``: the one
    rule every SQL integration follows.)"""
    return may_send_query_params(options)


_settings: Tuple[Any, bool, Optional[float]] = (None, False, None)
"""(options, may send parameters, slow-query threshold in ms): read once per client
(``init`` makes new options), not per statement."""


def _settings_of(options: Options) -> Tuple[Any, bool, Optional[float]]:
    global _settings
    settings = _settings
    if settings[0] is not options:
        settings = _settings = (
            options,
            _may_send_params(options),
            slow_query_threshold_ms(options),
        )
    return settings


def _db_system(name: Any) -> Optional[str]:
    text = str(name)
    for fragment, system in _SYSTEMS:
        if fragment in text:
            return system
    return None


def _engine_data(conn: Any, streamed: bool = False) -> Dict[str, Any]:
    """``db.*``/``server.*`` data of the connection's engine, kept on the engine per URL
    (``streamed``: the attributes of a streamed span, named as sentry_sdk names them)."""
    engine = conn.engine
    url = engine.url
    cached = getattr(engine, "_sentry_lite_db", None)
    if cached is not None and cached[0] is url and cached[1] is engine.dialect:
        return cached[3 if streamed else 2]  # type: ignore[no-any-return]
    data: Dict[str, Any] = {}
    system = _db_system(engine.name)
    if system is not None:
        data[SPANDATA.DB_SYSTEM] = system
    try:
        driver = conn.dialect.driver
        if driver:
            data[SPANDATA.DB_DRIVER_NAME] = driver
    except Exception:
        pass
    if url is not None:
        if url.database is not None:
            data[SPANDATA.DB_NAME] = url.database
        if url.host is not None:
            data[SPANDATA.SERVER_ADDRESS] = url.host
        if url.port is not None:
            data[SPANDATA.SERVER_PORT] = url.port
    attributes = {_STREAMED_NAMES.get(key, key): value for key, value in data.items()}
    try:
        engine._sentry_lite_db = (url, engine.dialect, data, attributes)
    except Exception:
        pass
    return attributes if streamed else data


def _statement_data(
    send_params: bool, parameters: Any, context: Any, executemany: bool
) -> Dict[str, Any]:
    data: Dict[str, Any] = {}
    if send_params:
        if parameters and parameters != [None]:
            data[SPANDATA.DB_PARAMS] = parameters
        dialect = getattr(context, "dialect", None) if context is not None else None
        paramstyle = getattr(dialect, "paramstyle", None)
        if paramstyle is not None:
            data[SPANDATA.DB_PARAMSTYLE] = "format" if paramstyle == "pyformat" else paramstyle
    if executemany:
        data[SPANDATA.DB_EXECUTEMANY] = True
    return data


def _before_cursor_execute(
    conn: Any,
    cursor: Any,
    statement: Any,
    parameters: Any,
    context: Any,
    executemany: bool,
    *args: Any,
) -> None:
    options = enabled_options(SqlalchemyIntegration.identifier)
    if options is None:
        return
    try:
        settings = _settings_of(options)
        query = statement if isinstance(statement, str) else str(statement)
        if settings[1] or executemany:
            data = _statement_data(settings[1], parameters, context, executemany)
        else:
            data = {}
        Scope.get_isolation_scope().add_breadcrumb(
            {"message": query, "category": "query", "data": data}
        )
        span = child_span(OP.DB, query, SqlalchemyIntegration.origin)
        if span is None and options.tracing_enabled and span_streaming_enabled(options):
            # no span running: in streaming mode the statement is a segment of its own,
            # as sentry_sdk's (and the asyncpg integration's) SQL spans are
            span = start_span(op=OP.DB, name=query, origin=SqlalchemyIntegration.origin)
        if span is None or context is None:
            return
        streamed = streamed_span_of(span)
        if streamed is not None:  # sentry_sdk keeps the statement data to the breadcrumb
            streamed.set_attributes(_engine_data(conn, True))
        else:
            span.update_data({**data, **_engine_data(conn)})
        span.__enter__()
        context._sentry_lite_span = (span, time.perf_counter(), settings[2], options)
    except Exception:  # noqa: BLE001 - the statement runs regardless
        pass


def _after_cursor_execute(
    conn: Any, cursor: Any, statement: Any, parameters: Any, context: Any, *args: Any
) -> None:
    entry = getattr(context, "_sentry_lite_span", None)
    if entry is None:
        return
    context._sentry_lite_span = None
    span, started, threshold, options = entry
    try:
        if threshold is not None:
            duration = time.perf_counter() - started
            if duration * 1000.0 > threshold:
                add_query_source(span, duration, options)
    finally:
        span.__exit__(None, None, None)


def _handle_error(exception_context: Any, *args: Any) -> None:
    """The statement failed: ``after_cursor_execute`` will not run, end the span here."""
    context = getattr(exception_context, "execution_context", None)
    entry = getattr(context, "_sentry_lite_span", None)
    if entry is None or context is None:
        return
    context._sentry_lite_span = None
    span = entry[0]
    span.set_status(SPANSTATUS.INTERNAL_ERROR)
    span.__exit__(None, None, None)
