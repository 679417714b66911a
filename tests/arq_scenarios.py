"""An arq producer and a real arq worker, under either SDK:
``python -m tests.arq_scenarios SDK DSN REDIS_PORT produce|work [stream]``.

``produce`` enqueues four jobs inside a ``producer`` transaction (a segment in
streaming mode); ``work`` runs a burst worker (one job at a time) with a cron job
started at startup, until the queue is empty. Both with ``send_default_pii`` off.
"""

from __future__ import annotations

import asyncio
import importlib
import sys
from datetime import timezone
from typing import Any, Dict


async def ok_job(ctx: Dict[str, Any], number: int) -> int:
    return number + 1


async def failing_job(ctx: Dict[str, Any], number: int, secret: str = "") -> float:
    return number / 0


async def retry_job(ctx: Dict[str, Any]) -> None:
    from arq.worker import Retry

    if ctx["job_try"] < 2:
        raise Retry(defer=0)


async def redis_job(ctx: Dict[str, Any]) -> None:
    await ctx["redis"].set("job-key", "job-value")


async def nightly(ctx: Dict[str, Any]) -> None:
    pass


def _init(sdk_name: str, dsn: str, stream: bool) -> Any:
    sdk = importlib.import_module(sdk_name)
    arq_integration = importlib.import_module(f"{sdk_name}.integrations.arq").ArqIntegration
    redis_integration = importlib.import_module(f"{sdk_name}.integrations.redis").RedisIntegration
    sdk.init(
        dsn=dsn,
        release="arq@1",
        traces_sample_rate=1.0,
        trace_lifecycle="stream" if stream else "static",
        integrations=[arq_integration(monitor_cron_jobs=True), redis_integration()],
        auto_enabling_integrations=False,  # importing every installed library takes seconds
    )
    return sdk


async def produce(sdk: Any, port: int, stream: bool) -> None:
    from arq import create_pool
    from arq.connections import RedisSettings

    pool = await create_pool(RedisSettings(host="127.0.0.1", port=port))
    if stream:
        parent = sdk.traces.start_span(name="producer")
    else:
        parent = sdk.start_transaction(op="function", name="producer")
    with parent:
        await pool.enqueue_job("ok_job", 1)
        await pool.enqueue_job("failing_job", 2, secret="arq-secret-4711")
        await pool.enqueue_job("retry_job")
        await pool.enqueue_job("redis_job")
    await pool.aclose()


def work(port: int) -> None:
    from arq import cron
    from arq.connections import RedisSettings
    from arq.worker import create_worker

    class WorkerSettings:
        functions = [ok_job, failing_job, retry_job, redis_job]
        cron_jobs = [cron(nightly, hour=3, minute=0, run_at_startup=True)]
        redis_settings = RedisSettings(host="127.0.0.1", port=port)
        burst = True
        max_jobs = 1
        poll_delay = 0.05
        timezone = timezone.utc
        handle_signals = False

    create_worker(WorkerSettings).run()


def main() -> None:
    sdk_name, dsn, port, role = sys.argv[1:5]
    stream = sys.argv[5:] == ["stream"]
    sdk = _init(sdk_name, dsn, stream)
    if role == "produce":
        asyncio.run(produce(sdk, int(port), stream))
    else:
        work(int(port))
    sdk.flush(10)


if __name__ == "__main__":
    main()
