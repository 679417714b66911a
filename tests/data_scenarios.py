"""Data and queue scenarios run under sentry_sdk or sentry_lite in a fresh interpreter.

Usage: python -m tests.data_scenarios <sdk module> <dsn> <scenario>, with the services'
addresses in the environment (``SCENARIO_REDIS_PORT``, ``SCENARIO_PG_PORT``,
``SCENARIO_CLUSTER_PORT``). The code is the same for both SDKs; only the import
differs. Every scenario passes a secret the SDK must not send with PII off.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
import sys
import time
from typing import Any, Callable, Dict

SECRETS = {
    "sql": "sql-secret-param-4711",
    "redis": "redis-secret-token-4711",
    "celery": "celery-secret-password-4711",
    "rq": "rq-secret-password-4711",
}
"""Values passed where only PII-allowed data goes: never in the envelope bytes."""

SCENARIOS: Dict[str, Callable[[Any], None]] = {}


def scenario(func: Callable[[Any], None]) -> Callable[[Any], None]:
    SCENARIOS[func.__name__] = func
    return func


def _integration(sdk: Any, module: str, name: str) -> Any:
    return getattr(importlib.import_module(f"{sdk.__name__}.integrations.{module}"), name)


def _init(sdk: Any, dsn: str, *integrations: Any, **options: Any) -> None:
    options.setdefault("traces_sample_rate", 1.0)
    sdk.init(
        dsn=dsn,
        release="data@1",
        environment="test",
        server_name="host",
        integrations=list(integrations),
        **options,
    )


# -- SQLAlchemy -----------------------------------------------------------------------------


def _sql_statements(sdk: Any, engine: Any) -> None:
    from sqlalchemy import text

    with sdk.start_transaction(name="sql", op="test"):
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE IF NOT EXISTS items (id INTEGER, name TEXT)"))
            conn.execute(text("DELETE FROM items"))
            conn.execute(
                text("INSERT INTO items (id, name) VALUES (:id, :name)"),
                [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}],
            )
            conn.execute(text("SELECT id FROM items WHERE name = :n"), {"n": SECRETS["sql"]})
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT * FROM no_such_table"))
        except Exception:
            pass
        sdk.capture_message("after sql")


@scenario
def sqlalchemy_sqlite(sdk: Any) -> None:
    from sqlalchemy import create_engine

    _sql_statements(sdk, create_engine("sqlite:///:memory:"))


@scenario
def sqlalchemy_postgres(sdk: Any) -> None:
    from sqlalchemy import create_engine

    port = os.environ["SCENARIO_PG_PORT"]
    engine = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres")
    _sql_statements(sdk, engine)


@scenario
def sqlalchemy_asyncpg(sdk: Any) -> None:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    port = os.environ["SCENARIO_PG_PORT"]
    engine = create_async_engine(f"postgresql+asyncpg://postgres@127.0.0.1:{port}/postgres")

    async def main() -> None:
        with sdk.start_transaction(name="async sql", op="test"):
            async with engine.connect() as conn:
                await conn.execute(text("SELECT :v"), {"v": SECRETS["sql"]})
                await conn.execute(text("SELECT 2"))
        await engine.dispose()

    asyncio.run(main())


# -- Redis ----------------------------------------------------------------------------------


@scenario
def redis_sync(sdk: Any) -> None:
    import redis

    client = redis.Redis(host="127.0.0.1", port=int(os.environ["SCENARIO_REDIS_PORT"]))
    with sdk.start_transaction(name="redis", op="test"):
        client.set("session:token", SECRETS["redis"])
        client.get("session:token")
        client.set("cache:user:1", "cached value")
        client.get("cache:user:1")
        client.get("cache:user:missing")
        client.delete("a", "b")
        pipe = client.pipeline()
        pipe.get("x")
        pipe.set("y", SECRETS["redis"])
        pipe.execute()
        sdk.capture_message("after redis")


@scenario
def redis_async(sdk: Any) -> None:
    import redis.asyncio

    async def main() -> None:
        client = redis.asyncio.Redis(host="127.0.0.1", port=int(os.environ["SCENARIO_REDIS_PORT"]))
        with sdk.start_transaction(name="redis async", op="test"):
            await client.set("token", SECRETS["redis"])
            await client.get("token")
            pipe = client.pipeline(transaction=False)
            pipe.set("y", SECRETS["redis"])
            pipe.get("y")
            await pipe.execute()
        await client.aclose()

    asyncio.run(main())


@scenario
def redis_cluster(sdk: Any) -> None:
    from redis.cluster import RedisCluster

    cluster = RedisCluster(host="127.0.0.1", port=int(os.environ["SCENARIO_CLUSTER_PORT"]))
    with sdk.start_transaction(name="cluster", op="test"):
        for key in ("alpha", "beta", "gamma"):
            cluster.set(key, SECRETS["redis"])
        print(
            "NODES",
            " ".join(str(cluster.get_node_from_key(k).port) for k in ("alpha", "beta", "gamma")),
        )


# -- Celery -----------------------------------------------------------------------------------


@scenario
def celery_worker(sdk: Any) -> None:
    """A producer and an in-process worker (threads pool) on the Redis broker."""
    from celery.contrib.testing.worker import start_worker

    from tests.celery_app import make_app

    app = make_app(int(os.environ["SCENARIO_REDIS_PORT"]))
    app.control.purge()  # tasks other tests left in the queue are not this scenario's
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        with sdk.start_transaction(name="submit", op="test"):
            app.tasks["tests.celery_app.add"].delay(1, 2).get(timeout=10)
            result = app.tasks["tests.celery_app.fail"].delay(1, password=SECRETS["celery"])
            try:
                result.get(timeout=10)
            except Exception:
                pass
        time.sleep(0.3)  # the worker's transaction ends after the result is stored


# -- RQ ---------------------------------------------------------------------------------------


@scenario
def rq_simple(sdk: Any) -> None:
    import redis
    import rq

    from tests.rq_jobs import crashing_job, ok_job

    conn = redis.Redis(host="127.0.0.1", port=int(os.environ["SCENARIO_REDIS_PORT"]))
    queue = rq.Queue("scenario", connection=conn)
    with sdk.start_transaction(name="enqueue", op="test"):
        queue.enqueue(ok_job, 1)
    queue.enqueue(crashing_job, 2, password=SECRETS["rq"])
    rq.SimpleWorker([queue], connection=conn).work(burst=True)


# -- crons ------------------------------------------------------------------------------------


@scenario
def crons(sdk: Any) -> None:
    config = {
        "schedule": {"type": "interval", "value": 5, "unit": "minute"},
        "timezone": "Europe/Vienna",
        "checkin_margin": 2,
        "max_runtime": 10,
        "failure_issue_threshold": 3,
        "recovery_threshold": 2,
    }
    sdk.set_tag("ignored", "by check-ins")
    sdk.add_breadcrumb(message="also ignored")
    sdk.crons.capture_checkin(monitor_slug="manual", check_in_id="a" * 32, status="ok")

    @sdk.monitor(monitor_slug="nightly", monitor_config=config)
    def job() -> None:
        pass

    job()
    try:
        with sdk.monitor(monitor_slug="failing"):
            raise ValueError("job failed")
    except ValueError:
        pass


INTEGRATIONS = {
    "sqlalchemy": ("sqlalchemy", "SqlalchemyIntegration"),
    "redis": ("redis", "RedisIntegration"),
    "celery": ("celery", "CeleryIntegration"),
    "rq": ("rq", "RqIntegration"),
}


def main() -> None:
    module_name, dsn, name = sys.argv[1:4]
    logging.disable(logging.CRITICAL)
    sdk = importlib.import_module(module_name)
    importlib.import_module(f"{module_name}.crons")
    family = name.split("_")[0]
    integrations = []
    if family in INTEGRATIONS:
        module, cls = INTEGRATIONS[family]
        kwargs: Dict[str, Any] = {}
        if family == "redis":
            kwargs["cache_prefixes"] = ["cache:"]
        integrations.append(_integration(sdk, module, cls)(**kwargs))
    if family in ("celery", "rq"):
        integrations.append(_integration(sdk, "redis", "RedisIntegration")())
    _init(sdk, dsn, *integrations)
    SCENARIOS[name](sdk)
    sdk.flush(10)


if __name__ == "__main__":
    main()
