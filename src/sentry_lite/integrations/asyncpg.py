"""asyncpg: a ``db`` span and a ``query`` breadcrumb per statement, and one per connect.

Patches the same driver calls as sentry_sdk 2.75, so the same statements are recorded:
``Connection.execute`` without arguments (a simple query; with arguments it goes
through ``_execute``), ``_execute`` (``fetch``/``fetchrow``/``fetchval``/``execute``
with arguments), ``_executemany``, ``prepare``, a cursor's first and later fetches
(``BaseCursor._bind_exec``/``_exec``, op ``db.cursor.iter`` when iterated with
``async for``, ``db.cursor.fetch`` for an explicit cursor) and the connect itself
(``connect_utils._connect_addr``). The statement, with its whitespace collapsed, is the
span's description and the breadcrumb's message.

Statement parameters go to the span and breadcrumb only when the integration says
``record_params=True`` *and* the client allows query data (``data_collection``'s
``database_query_data``, else ``_experiments={"record_sql_params": True}``), as with
sentry_sdk. A statement run inside a SQLAlchemy span becomes that span's child.
"""

from __future__ import annotations

import re
import sys
import threading
import time
from typing import Any, Awaitable, Callable, Dict

from sentry_lite.consts import OP, SPANDATA
from sentry_lite.integration_api import (
    Options,
    active_integration,
    add_breadcrumb,
    add_query_source,
    child_span,
    enabled_options,
    get_client,
    may_send_query_params,
    span_streaming_enabled,
    start_span,
    streamed_span_of,
)
from sentry_lite.integrations import DidNotEnable, Integration

try:
    import asyncpg  # type: ignore[import-untyped]
    from asyncpg import connect_utils
    from asyncpg.cursor import BaseCursor, Cursor, CursorIterator  # type: ignore[import-untyped]
except ImportError as exc:  # pragma: no cover - exercised without asyncpg installed
    raise DidNotEnable("asyncpg is not installed") from exc

__all__ = ["AsyncPGIntegration"]

MIN_VERSION = (0, 23)

_Call = Callable[..., Awaitable[Any]]
_WHITESPACE = re.compile(r"\s+")


class AsyncPGIntegration(Integration):
    identifier = "asyncpg"
    origin = f"auto.db.{identifier}"

    def __init__(self, *, record_params: bool = False) -> None:
        self.record_params = record_params

    @staticmethod
    def setup_once() -> None:
        version = str(getattr(asyncpg, "__version__", "0"))
        if tuple(int(n) for n in re.findall(r"\d+", version)[:2]) < MIN_VERSION:
            raise DidNotEnable(f"asyncpg {version} is older than 0.23")
        connection = asyncpg.Connection
        connection.execute = _wrap_simple_query(connection.execute)
        connection._execute = _wrap_statement(connection._execute, executemany=False)
        connection._executemany = _wrap_statement(connection._executemany, executemany=True)
        connection.prepare = _wrap_statement(connection.prepare, executemany=False)
        BaseCursor._bind_exec = _wrap_cursor_fetch(BaseCursor._bind_exec)
        BaseCursor._exec = _wrap_cursor_fetch(BaseCursor._exec)
        connect_utils._connect_addr = _wrap_connect(connect_utils._connect_addr)


def _normalize(query: Any) -> str:
    return _WHITESPACE.sub(" ", str(query)).strip()


def _address(addr: Any) -> Dict[str, Any]:
    """``server.address``/``server.port`` of a ``(host, port)`` address; a Unix socket's
    path is the address, without a port."""
    if isinstance(addr, str):
        return {SPANDATA.SERVER_ADDRESS: addr} if addr else {}
    try:
        return {SPANDATA.SERVER_ADDRESS: addr[0], SPANDATA.SERVER_PORT: addr[1]}
    except (TypeError, IndexError, KeyError):
        return {}


def _connection_data(conn: Any, streamed: bool) -> Dict[str, Any]:
    """The ``db.*``/``server.*`` data of a connection, named for the span's kind."""
    data: Dict[str, Any] = {
        SPANDATA.DB_SYSTEM_NAME if streamed else SPANDATA.DB_SYSTEM: "postgresql",
        SPANDATA.DB_DRIVER_NAME: "asyncpg",
    }
    try:
        if conn._addr:
            data.update(_address(conn._addr))
        params = conn._params
        if params.database:
            data[SPANDATA.DB_NAMESPACE if streamed else SPANDATA.DB_NAME] = params.database
        if params.user:
            data[SPANDATA.DB_USER] = params.user
    except Exception:  # noqa: BLE001 - a connection without them still gets its span
        pass
    return data


async def _record(
    options: Options,
    call: _Call,
    args: Any,
    kwargs: Any,
    query: str,
    op: str,
    conn: Any,
    crumb: Dict[str, Any],
) -> Any:
    """Run the driver call under a span (when traced), after its breadcrumb."""
    span: Any = None
    try:
        add_breadcrumb(message=query, category="query", data=crumb)
        if span_streaming_enabled(options):  # as sentry_sdk: a segment of its own if need be
            span = start_span(op=op, name=query, origin=AsyncPGIntegration.origin)
        else:
            span = child_span(op, query, AsyncPGIntegration.origin)
        if span is not None:
            stream = streamed_span_of(span)
            if stream is not None:
                stream.set_attribute(SPANDATA.DB_QUERY_TEXT, query)
                stream.set_attributes(_connection_data(conn, True))
            else:
                span.update_data({**crumb, **_connection_data(conn, False)})
            span.__enter__()
    except Exception:  # noqa: BLE001 - the statement runs regardless
        span = None
    if span is None:
        return await call(*args, **kwargs)
    started = time.perf_counter()
    try:
        result = await call(*args, **kwargs)
    except BaseException:
        span.__exit__(*sys.exc_info())
        raise
    add_query_source(span, time.perf_counter() - started, options)
    span.__exit__(None, None, None)
    return result


def _wrap_simple_query(original: _Call) -> _Call:
    """``Connection.execute``: only without arguments (with them it runs ``_execute``,
    recorded there)."""

    async def sentry_lite_execute(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        options = enabled_options(AsyncPGIntegration.identifier)
        if options is None or args:
            return await original(self, query, *args, **kwargs)
        return await _record(
            options, original, (self, query), kwargs, _normalize(query), OP.DB, self, {}
        )

    return sentry_lite_execute


def _statement_crumb(
    options: Options, params: Any, executemany: bool, record_params: bool
) -> Dict[str, Any]:
    data: Dict[str, Any] = {}
    if record_params and params and params != [None] and may_send_query_params(options):
        data[SPANDATA.DB_PARAMS] = params
        data[SPANDATA.DB_PARAMSTYLE] = "format"
    if executemany:
        data[SPANDATA.DB_EXECUTEMANY] = True
    return data


def _wrap_statement(original: _Call, executemany: bool) -> _Call:
    """``_execute``, ``_executemany`` and ``prepare``: the statement, its parameters (as
    ``record_params`` and the client allow) and whether it runs for many rows."""

    async def sentry_lite_statement(self: Any, *args: Any, **kwargs: Any) -> Any:
        client = get_client()
        integration = active_integration(AsyncPGIntegration.identifier, client)
        if integration is None or not args:
            return await original(self, *args, **kwargs)
        options = client.options
        try:
            params = args[1] if len(args) > 1 else None
            crumb = _statement_crumb(options, params, executemany, integration.record_params)
            query = _normalize(args[0])
        except Exception:  # noqa: BLE001
            return await original(self, *args, **kwargs)
        return await _record(options, original, (self, *args), kwargs, query, OP.DB, self, crumb)

    return sentry_lite_statement


def _wrap_cursor_fetch(original: _Call) -> _Call:
    """A cursor's fetch: the cursor's statement, the cursor itself in the data (sent as
    its ``repr``, as sentry_sdk does)."""

    async def sentry_lite_cursor_fetch(self: Any, *args: Any, **kwargs: Any) -> Any:
        options = enabled_options(AsyncPGIntegration.identifier)
        if options is None:
            return await original(self, *args, **kwargs)
        try:
            kind = type(self)
            if kind is CursorIterator:
                op = OP.DB_CURSOR_ITERATOR
            elif kind is Cursor:
                op = OP.DB_CURSOR_FETCH
            else:
                op = OP.DB
            query = _normalize(self._query)
            conn = self._connection
        except Exception:  # noqa: BLE001
            return await original(self, *args, **kwargs)
        crumb = {"db.cursor": self}
        return await _record(options, original, (self, *args), kwargs, query, op, conn, crumb)

    return sentry_lite_cursor_fetch


def _thread_data() -> Dict[str, Any]:
    thread = threading.current_thread()
    return {SPANDATA.THREAD_ID: str(thread.ident), SPANDATA.THREAD_NAME: thread.name}


def _wrap_connect(original: _Call) -> _Call:
    """A new connection: a ``connect`` span under the running one and a breadcrumb
    with the database, user and address."""

    async def sentry_lite_connect_addr(*args: Any, **kwargs: Any) -> Any:
        options = enabled_options(AsyncPGIntegration.identifier)
        if options is None:
            return await original(*args, **kwargs)
        try:
            streamed = span_streaming_enabled(options)
            params = kwargs["params"]
            data: Dict[str, Any] = {
                SPANDATA.DB_SYSTEM_NAME if streamed else SPANDATA.DB_SYSTEM: "postgresql"
            }
            addr = kwargs.get("addr")
            if addr:
                data.update(_address(addr))
            data[SPANDATA.DB_NAMESPACE if streamed else SPANDATA.DB_NAME] = params.database
            data[SPANDATA.DB_USER] = params.user
            data[SPANDATA.DB_DRIVER_NAME] = "asyncpg"
            span = child_span(OP.DB, "connect", AsyncPGIntegration.origin)
            stream = streamed_span_of(span)
            if streamed:
                crumb = {"sentry.op": OP.DB, "sentry.origin": AsyncPGIntegration.origin, **data}
                if stream is not None:
                    stream.remove_attribute(SPANDATA.DB_QUERY_TEXT)
                    stream.set_attributes(data)
            else:
                # sentry_sdk's crumb is its span's data, thread included, traced or not
                crumb = {**_thread_data(), **data}
                if span is not None:
                    span.update_data(data)
            add_breadcrumb(message="connect", category="query", data=crumb)
            if span is not None:
                span.__enter__()
        except Exception:  # noqa: BLE001 - the connect goes ahead regardless
            return await original(*args, **kwargs)
        if span is None:
            return await original(*args, **kwargs)
        try:
            result = await original(*args, **kwargs)
        except BaseException:
            span.__exit__(*sys.exc_info())
            raise
        span.__exit__(None, None, None)
        return result

    return sentry_lite_connect_addr
