"""asyncpg scenarios run under sentry_sdk or sentry_lite in a fresh interpreter.

Usage: python -m tests.asyncpg_scenarios <sdk module> <dsn> <scenario>, with the
PostgreSQL port in ``SCENARIO_PG_PORT`` and the table to use in ``SCENARIO_TABLE``. The
code is the same for both SDKs; only the import differs. The table is recreated before
the SDK is initialised, so set-up statements are not recorded.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
import sys
from typing import Any, Awaitable, Callable, Dict

import asyncpg

SECRET = "asyncpg-secret-param-4711"
"""A parameter value that must not reach the ingest unless parameters are recorded."""

SCENARIOS: Dict[str, Callable[[Any], Awaitable[None]]] = {}
OPTIONS: Dict[str, Dict[str, Any]] = {}


def scenario(**options: Any) -> Callable[[Any], Any]:
    def register(func: Callable[[Any], Awaitable[None]]) -> Callable[[Any], Awaitable[None]]:
        SCENARIOS[func.__name__] = func
        OPTIONS[func.__name__] = options
        return func

    return register


def _dsn() -> str:
    return f"postgresql://postgres@127.0.0.1:{os.environ['SCENARIO_PG_PORT']}/postgres"


def _table() -> str:
    return os.environ["SCENARIO_TABLE"]


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _setup() -> None:
    conn = await asyncpg.connect(_dsn())
    try:
        await conn.execute(f"DROP TABLE IF EXISTS {_table()}")
        await conn.execute(f"CREATE TABLE {_table()} (id serial PRIMARY KEY, name text, pw text)")
    finally:
        await conn.close()


async def _statements(conn: Any) -> None:
    """Every recorded call: simple query, with arguments, fetch, executemany, prepared
    statement, cursors (iterated and explicit), a failing and a multi-line statement."""
    table = _table()
    await conn.execute(f"INSERT INTO {table} (name, pw) VALUES ('Alice', 'pw')")
    await conn.execute(f"INSERT INTO {table} (name, pw) VALUES ($1, $2)", "Bob", SECRET)
    await conn.fetchrow(f"SELECT * FROM {table} WHERE name = $1", "Bob")
    await conn.executemany(
        f"INSERT INTO {table} (name, pw) VALUES ($1, $2)", [("Carol", SECRET), ("Dan", "x")]
    )
    stmt = await conn.prepare(f"SELECT pw FROM {table} WHERE name = $1")
    await stmt.fetchval("Bob")
    async with conn.transaction():
        async for _record in conn.cursor(f"SELECT * FROM {table}", prefetch=2):
            pass
        cursor = await conn.cursor(f"SELECT name FROM {table} WHERE name <> $1", SECRET)
        await cursor.fetchrow()
        await cursor.fetch(2)
    try:
        await conn.execute("SELECT * FROM no_such_table")
    except asyncpg.UndefinedTableError:
        pass
    await conn.execute(
        f"""
        SELECT
            name
        FROM
            {table}
        """
    )


async def _pool_and_failed_connect(sdk: Any) -> None:
    pool = await asyncpg.create_pool(_dsn(), min_size=1, max_size=1)
    async with pool.acquire() as conn:
        await conn.fetchval("SELECT 1")
    await pool.close()
    port = _closed_port()
    print("CLOSED", port)
    try:
        await asyncpg.connect(host="127.0.0.1", port=port, user="postgres")
    except OSError:
        pass


@scenario(traces_sample_rate=1.0, db_query_source_threshold_ms=0)
async def traced(sdk: Any) -> None:
    early = await asyncpg.connect(_dsn())  # before the transaction: a breadcrumb only
    await early.execute("SELECT 'untraced'")
    with sdk.start_transaction(name="asyncpg", op="test"):
        conn = await asyncpg.connect(_dsn())
        await _statements(conn)
        await _pool_and_failed_connect(sdk)
        await conn.close()
        sdk.capture_message("after asyncpg")
    await early.close()


@scenario()
async def untraced(sdk: Any) -> None:
    conn = await asyncpg.connect(_dsn())
    await _statements(conn)
    await conn.close()
    sdk.capture_message("untraced asyncpg")


@scenario(traces_sample_rate=1.0, enable_db_query_source=False, record_params=True)
async def record_params(sdk: Any) -> None:
    """Parameters with ``record_params=True`` and the experiment (sentry_sdk needs both)."""
    with sdk.start_transaction(name="params", op="test"):
        conn = await asyncpg.connect(_dsn())
        await _statements(conn)
        await conn.close()
        sdk.capture_message("params")


@scenario(traces_sample_rate=1.0, enable_db_query_source=False, record_params="no_experiment")
async def record_params_alone(sdk: Any) -> None:
    """``record_params=True`` without the experiment: no parameters."""
    with sdk.start_transaction(name="params alone", op="test"):
        conn = await asyncpg.connect(_dsn())
        await conn.fetchrow(f"SELECT * FROM {_table()} WHERE name = $1", SECRET)
        await conn.execute("SELECT 1")
        await conn.close()
        sdk.capture_message("params alone")


@scenario(traces_sample_rate=1.0, db_query_source_threshold_ms=0, trace_lifecycle="stream")
async def streamed(sdk: Any) -> None:
    outside = await asyncpg.connect(_dsn())  # no span running: a breadcrumb only
    with sdk.traces.start_span(name="asyncpg stream"):
        conn = await asyncpg.connect(_dsn())
        await _statements(conn)
        await conn.close()
        sdk.capture_message("streamed asyncpg")
    await outside.execute("SELECT 'outside'")  # a query with no span running
    await outside.close()


@scenario(trace_lifecycle="stream")
async def streamed_untraced(sdk: Any) -> None:
    conn = await asyncpg.connect(_dsn())
    await conn.fetchrow("SELECT $1::text", SECRET)
    await conn.close()
    sdk.capture_message("streamed untraced")


def main() -> None:
    module_name, dsn, name = sys.argv[1:4]
    logging.disable(logging.CRITICAL)
    asyncio.run(_setup())
    sdk = importlib.import_module(module_name)
    integration_cls = importlib.import_module(f"{module_name}.integrations.asyncpg")
    options = dict(OPTIONS[name])
    record = options.pop("record_params", False)
    if record is True:
        options["_experiments"] = {"record_sql_params": True}
    sdk.init(
        dsn=dsn,
        release="asyncpg@1",
        environment="test",
        server_name="host",
        integrations=[integration_cls.AsyncPGIntegration(record_params=bool(record))],
        auto_enabling_integrations=False,  # sentry_sdk would import every library installed
        **options,
    )
    asyncio.run(SCENARIOS[name](sdk))
    sdk.flush(10)


if __name__ == "__main__":
    main()
