"""An RQ forking worker in its own process: ``python -m tests.rq_worker SDK DSN PORT QUEUE``.

Inits sentry_sdk or sentry_lite with the RQ and Redis integrations, then works the
queue until it is empty (``burst``). Each job runs in a forked work-horse that ends
with ``os._exit``: what it reports arrives only if the integration flushed first.
"""

from __future__ import annotations

import importlib
import logging
import sys


def main() -> None:
    sdk_name, dsn, port, queue_name = sys.argv[1:5]
    logging.disable(logging.CRITICAL)
    sdk = importlib.import_module(sdk_name)
    rq_integration = importlib.import_module(f"{sdk_name}.integrations.rq").RqIntegration
    redis_integration = importlib.import_module(f"{sdk_name}.integrations.redis")
    sdk.init(
        dsn=dsn,
        traces_sample_rate=1.0,
        release="rq@1",
        integrations=[
            rq_integration(monitor_cron_jobs=True),
            redis_integration.RedisIntegration(),
        ],
    )
    import redis
    import rq

    connection = redis.Redis(host="127.0.0.1", port=int(port))
    worker = rq.Worker([rq.Queue(queue_name, connection=connection)], connection=connection)
    # No command channel: rq's pubsub thread (redis-py, sleep_time=60) can miss the
    # UNSUBSCRIBE race at teardown and hold a burst worker for 60 s, with or without an
    # SDK (seen with plain logging turned on). Burst runs take no commands.
    worker.subscribe = lambda: None  # type: ignore[method-assign]
    worker.work(burst=True)
    sdk.flush(10)


if __name__ == "__main__":
    main()
