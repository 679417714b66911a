"""A dramatiq sender and a real dramatiq worker on a ``RedisBroker``, under either SDK:
``python -m tests.dramatiq_scenarios SDK DSN REDIS_PORT produce|work [stream]``.

``produce`` sends four messages inside a ``producer`` transaction (a segment in
streaming mode); ``work`` runs a one-thread ``Worker`` until the queue (and its delay
queue, where the retry waits) is empty. Both with ``send_default_pii`` off. The SDK is
initialised before the broker is made, as the integration requires.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any, Dict, Tuple


def build(port: int) -> Tuple[Any, Dict[str, Any]]:
    import dramatiq
    from dramatiq.brokers.redis import RedisBroker
    from dramatiq.middleware import default_middleware

    # dramatiq 1.x (Python 3.9) has Prometheus among its defaults: without its CLI's
    # worker-boot hook it raises in every message's hooks, noise for both SDKs.
    middleware = [m() for m in default_middleware if m.__name__ != "Prometheus"]
    broker = RedisBroker(host="127.0.0.1", port=port, middleware=middleware)
    dramatiq.set_broker(broker)

    class Expected(Exception):
        pass

    @dramatiq.actor(max_retries=0)
    def ok_actor(number: int) -> int:
        return number + 1

    @dramatiq.actor(max_retries=1, min_backoff=10, max_backoff=10)
    def failing_actor(number: int, note: str = "") -> float:
        return number / 0

    @dramatiq.actor(max_retries=0, throws=Expected)
    def expected_actor() -> None:
        raise Expected("not reported")

    @dramatiq.actor(max_retries=0)
    def message_actor() -> None:
        import sentry_sdk  # the alias: whichever SDK the scenario runs under

        sentry_sdk.capture_message("from the actor")

    actors = {"ok": ok_actor, "failing": failing_actor, "expected": expected_actor}
    actors["message"] = message_actor
    return broker, actors


def _init(sdk_name: str, dsn: str, stream: bool) -> Any:
    sdk = importlib.import_module(sdk_name)
    if sdk_name == "sentry_lite":
        sdk.install_as_sentry_sdk()
    dramatiq_integration = importlib.import_module(f"{sdk_name}.integrations.dramatiq")
    redis_integration = importlib.import_module(f"{sdk_name}.integrations.redis").RedisIntegration
    if sdk_name == "sentry_sdk":
        # sentry_lite does this itself; sentry_sdk's own tests do it by hand, else the
        # worker's log line is reported first (mechanism "logging") and the failure's
        # own event is dropped as a duplicate.
        logging_integration = importlib.import_module("sentry_sdk.integrations.logging")
        logging_integration.ignore_logger("dramatiq.worker.WorkerThread")
    sdk.init(
        dsn=dsn,
        release="dramatiq@1",
        traces_sample_rate=1.0,
        trace_lifecycle="stream" if stream else "static",
        integrations=[dramatiq_integration.DramatiqIntegration(), redis_integration()],
        auto_enabling_integrations=False,  # importing every installed library takes seconds
    )
    return sdk


def produce(sdk: Any, actors: Dict[str, Any], stream: bool) -> None:
    if stream:
        parent = sdk.traces.start_span(name="producer")
    else:
        parent = sdk.start_transaction(op="function", name="producer")
    with parent:
        actors["ok"].send(1)
        actors["failing"].send(2, note="sent as sentry_sdk sends it")
        actors["expected"].send()
        actors["message"].send()


def work(broker: Any) -> None:
    import dramatiq

    worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=50)
    worker.start()
    try:
        broker.join("default", timeout=30_000)
        worker.join()
    finally:
        worker.stop()


def main() -> None:
    sdk_name, dsn, port, role = sys.argv[1:5]
    stream = sys.argv[5:] == ["stream"]
    sdk = _init(sdk_name, dsn, stream)
    broker, actors = build(int(port))
    if role == "produce":
        produce(sdk, actors, stream)
    else:
        work(broker)
    sdk.flush(10)


if __name__ == "__main__":
    main()
