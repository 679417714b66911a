"""SQLAlchemy: spans, breadcrumbs, query source and parameter privacy, on SQLite (sync
and async) and PostgreSQL (psycopg and asyncpg, a real server)."""

from __future__ import annotations

import asyncio
from typing import Any, Callable, Dict, List

import pytest

import sentry_lite
from tests.receiver import Receiver
from tests.services import Postgres

sqlalchemy = pytest.importorskip("sqlalchemy")
from sentry_lite.integrations.sqlalchemy import SqlalchemyIntegration  # noqa: E402

text = sqlalchemy.text


def db_spans(receiver: Receiver) -> List[Dict[str, Any]]:
    sentry_lite.flush(5)
    return [
        span
        for txn in receiver.transactions
        for span in txn["spans"]
        if span["origin"] == "auto.db.sqlalchemy"
    ]


def init(sentry_init: Callable[..., Any], **options: Any) -> None:
    options.setdefault("traces_sample_rate", 1.0)
    sentry_init(integrations=[SqlalchemyIntegration()], **options)


def test_statement_span_data_and_failure(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    init(sentry_init)
    engine = sqlalchemy.create_engine("sqlite:///:memory:")
    with sentry_lite.start_transaction(name="t"), engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
        conn.execute(text("INSERT INTO t VALUES (:x)"), [{"x": 1}, {"x": 2}])
        with pytest.raises(sqlalchemy.exc.OperationalError):
            conn.execute(text("SELECT * FROM missing"))
    create, insert, failed = db_spans(receiver)[:3]
    assert create["op"] == "db" and create["description"] == "CREATE TABLE t (x INTEGER)"
    assert create["data"]["db.system"] == "sqlite"
    assert create["data"]["db.driver.name"] == "pysqlite"
    assert create["data"]["db.name"] == ":memory:"
    assert "server.address" not in create["data"]
    assert insert["data"]["db.executemany"] is True
    assert "db.params" not in insert["data"]
    assert failed["status"] == "internal_error"
    assert failed["timestamp"] is not None


def test_parameters_only_with_the_experiment(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    init(sentry_init, _experiments={"record_sql_params": True})
    engine = sqlalchemy.create_engine("sqlite:///:memory:")
    with sentry_lite.start_transaction(name="t"), engine.connect() as conn:
        conn.execute(text("SELECT :a"), {"a": "visible"})
        sentry_lite.capture_message("m")
    (span,) = db_spans(receiver)
    assert span["data"]["db.params"] == ["visible"]
    assert span["data"]["db.paramstyle"] == "qmark"
    crumb = receiver.events[0]["breadcrumbs"]["values"][-1]
    assert crumb["category"] == "query" and crumb["data"]["db.params"] == ["visible"]


def test_no_parameters_by_default_even_with_pii(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    init(sentry_init, send_default_pii=True)
    engine = sqlalchemy.create_engine("sqlite:///:memory:")
    with sentry_lite.start_transaction(name="t"), engine.connect() as conn:
        conn.execute(text("SELECT :a"), {"a": "secret-param"})
        sentry_lite.capture_message("m")
    sentry_lite.flush(5)
    assert all(b"secret-param" not in r.body for r in receiver.requests)


def _slow_query(engine: Any) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))


@pytest.mark.parametrize("enabled", [True, False])
def test_query_source(sentry_init: Callable[..., Any], receiver: Receiver, enabled: bool) -> None:
    init(sentry_init, enable_db_query_source=enabled, db_query_source_threshold_ms=0)
    engine = sqlalchemy.create_engine("sqlite:///:memory:")
    with sentry_lite.start_transaction(name="t"):
        _slow_query(engine)
    (span,) = db_spans(receiver)
    if not enabled:
        assert not any(k.startswith("code.") for k in span["data"])
        return
    assert span["data"]["code.function"] == "_slow_query"
    assert span["data"]["code.namespace"] == "tests.test_sqlalchemy"
    assert span["data"]["code.filepath"] == "tests/test_sqlalchemy.py"
    assert isinstance(span["data"]["code.lineno"], int)


def test_fast_queries_have_no_source(sentry_init: Callable[..., Any], receiver: Receiver) -> None:
    init(sentry_init, db_query_source_threshold_ms=10_000)
    engine = sqlalchemy.create_engine("sqlite:///:memory:")
    with sentry_lite.start_transaction(name="t"):
        _slow_query(engine)
    (span,) = db_spans(receiver)
    assert "code.function" not in span["data"]


def test_untraced_statements_leave_breadcrumbs_only(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    init(sentry_init, traces_sample_rate=None)
    engine = sqlalchemy.create_engine("sqlite:///:memory:")
    with engine.connect() as conn:
        conn.execute(text("SELECT 42"))
    sentry_lite.capture_message("m")
    sentry_lite.flush(5)
    assert not receiver.transactions
    crumbs = receiver.events[0]["breadcrumbs"]["values"]
    assert {"category": "query", "message": "SELECT 42", "data": {}, "type": "default"} in [
        {k: v for k, v in c.items() if k != "timestamp"} for c in crumbs
    ]


def test_async_engine_on_sqlite(sentry_init: Callable[..., Any], receiver: Receiver) -> None:
    pytest.importorskip("aiosqlite")
    from sqlalchemy.ext.asyncio import create_async_engine

    init(sentry_init)

    async def main() -> None:
        engine = create_async_engine("sqlite+aiosqlite:///:memory:")
        with sentry_lite.start_transaction(name="t"):
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 7"))
        await engine.dispose()

    asyncio.run(main())
    (span,) = [s for s in db_spans(receiver) if s["description"] == "SELECT 7"]
    assert span["data"]["db.driver.name"] == "aiosqlite"


@pytest.mark.parametrize("driver", ["psycopg", "asyncpg"])
def test_postgresql(
    sentry_init: Callable[..., Any], receiver: Receiver, postgres: Postgres, driver: str
) -> None:
    pytest.importorskip(driver)
    if driver == "psycopg" and sqlalchemy.__version__ < "2":
        pytest.skip("SQLAlchemy 1.x has no psycopg 3 dialect")
    init(sentry_init)

    async def run_async() -> None:
        from sqlalchemy.ext.asyncio import create_async_engine

        engine = create_async_engine(postgres.url(driver))
        with sentry_lite.start_transaction(name="t"):
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
                with pytest.raises(sqlalchemy.exc.DBAPIError):
                    await conn.execute(text("SELECT * FROM missing"))
        await engine.dispose()

    if driver == "asyncpg":
        asyncio.run(run_async())
    else:
        engine = sqlalchemy.create_engine(postgres.url(driver))
        with sentry_lite.start_transaction(name="t"), engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            with pytest.raises(sqlalchemy.exc.DBAPIError):
                conn.execute(text("SELECT * FROM missing"))
        engine.dispose()
    spans = db_spans(receiver)
    ok = [s for s in spans if s["description"] == "SELECT 1"]
    failed = [s for s in spans if s["description"] == "SELECT * FROM missing"]
    assert len(ok) == 1 and len(failed) == 1, "one span per statement"
    assert ok[0]["data"]["db.system"] == "postgresql"
    assert ok[0]["data"]["db.driver.name"] == driver
    assert ok[0]["data"]["server.address"] == "127.0.0.1"
    assert ok[0]["data"]["server.port"] == postgres.port
    assert ok[0]["data"]["db.name"] == "postgres"
    assert failed[0]["status"] == "internal_error"


def test_integration_off_records_nothing(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    init(sentry_init)
    sentry_init(traces_sample_rate=1.0, default_integrations=False)
    engine = sqlalchemy.create_engine("sqlite:///:memory:")
    with sentry_lite.start_transaction(name="t"), engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    assert db_spans(receiver) == []
