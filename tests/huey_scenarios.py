"""A huey producer and a real huey consumer on a ``RedisHuey``, under either SDK:
``python -m tests.huey_scenarios SDK DSN REDIS_PORT produce|work [stream]``.

``produce`` enqueues five tasks inside a ``producer`` transaction (a segment in
streaming mode); ``work`` enqueues the periodic task due at midnight, as the consumer's
scheduler would, and runs a one-thread ``Consumer`` until all eight executions (two
retries included) are done. Both with ``send_default_pii`` off.
"""

from __future__ import annotations

import importlib
import sys
import threading
import time
from datetime import datetime
from typing import Any, Dict, Tuple

EXECUTIONS = 8
"""ok, failing twice (one retry), retry twice (RetryTask), cancel, redis, the periodic task."""


def build(port: int) -> Tuple[Any, Dict[str, Any], threading.Semaphore]:
    """The huey app, its tasks, and a semaphore released after each execution."""
    from huey import RedisHuey, crontab
    from huey.exceptions import CancelExecution, RetryTask

    huey = RedisHuey("sentry-lite-huey", host="127.0.0.1", port=port)
    done = threading.Semaphore(0)

    @huey.task()
    def ok_task(number: int) -> int:
        return number + 1

    @huey.task(retries=1)
    def failing_task(number: int, secret: str = "") -> float:
        return number / 0

    attempts = []

    @huey.task()
    def retry_task() -> None:
        attempts.append(1)
        if len(attempts) == 1:  # huey gives RetryTask's retry back: count the runs here
            raise RetryTask()

    @huey.task()
    def cancel_task() -> None:
        raise CancelExecution(retry=False)

    @huey.task()
    def redis_task() -> None:
        huey.storage.conn.set("job-key", "job-value")

    @huey.periodic_task(crontab(minute="*/5"))
    def cleanup() -> None:
        pass

    @huey.post_execute()
    def executed(task: Any, value: Any, exc: Any) -> None:
        done.release()

    tasks = {"ok": ok_task, "failing": failing_task, "retry": retry_task}
    tasks.update({"cancel": cancel_task, "redis": redis_task, "cleanup": cleanup})
    return huey, tasks, done


def _init(sdk_name: str, dsn: str, stream: bool) -> Any:
    sdk = importlib.import_module(sdk_name)
    huey_integration = importlib.import_module(f"{sdk_name}.integrations.huey").HueyIntegration
    redis_integration = importlib.import_module(f"{sdk_name}.integrations.redis").RedisIntegration
    sdk.init(
        dsn=dsn,
        release="huey@1",
        traces_sample_rate=1.0,
        trace_lifecycle="stream" if stream else "static",
        integrations=[huey_integration(monitor_periodic_tasks=True), redis_integration()],
        auto_enabling_integrations=False,  # importing every installed library takes seconds
    )
    return sdk


def produce(sdk: Any, tasks: Dict[str, Any], stream: bool) -> None:
    if stream:
        parent = sdk.traces.start_span(name="producer")
    else:
        parent = sdk.start_transaction(op="function", name="producer")
    with parent:
        tasks["ok"](1)
        tasks["failing"](2, secret="huey-secret-4711")
        tasks["retry"]()
        tasks["cancel"]()
        tasks["redis"]()


def work(huey: Any, done: threading.Semaphore) -> None:
    from huey.consumer import Consumer

    for task in huey.read_periodic(datetime(2026, 1, 1)):
        huey.enqueue(task)
    consumer = Consumer(huey, workers=1, periodic=False, initial_delay=0.01, max_delay=0.05)
    consumer.start()
    try:
        for _ in range(EXECUTIONS):
            if not done.acquire(timeout=30):
                raise SystemExit("huey did not run every task")
        while len(huey) or huey.scheduled_count():
            time.sleep(0.01)
    finally:
        consumer.stop(graceful=True)


def main() -> None:
    sdk_name, dsn, port, role = sys.argv[1:5]
    stream = sys.argv[5:] == ["stream"]
    sdk = _init(sdk_name, dsn, stream)
    huey, tasks, done = build(int(port))
    if role == "produce":
        produce(sdk, tasks, stream)
    else:
        work(huey, done)
    sdk.flush(10)


if __name__ == "__main__":
    main()
