"""Celery: eager tasks in-process, a real prefork worker and beat in subprocesses, the
Redis broker and result backend of a real redis-server.

The worker runs one task per child process (``--max-tasks-per-child=1``): a child ends
right after its task, so its events arrive only because the integration flushes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from typing import Any, Callable, Dict, Iterator, List

import pytest

import sentry_lite
from tests.receiver import Receiver
from tests.services import RedisServer

celery = pytest.importorskip("celery")
from celery.exceptions import Ignore  # noqa: E402

from sentry_lite.integrations.celery import CeleryIntegration  # noqa: E402
from sentry_lite.integrations.redis import RedisIntegration  # noqa: E402
from tests.celery_app import make_app  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SECRET = "celery-secret-4711"


def eager_app() -> Any:
    app = celery.Celery("eager", set_as_current=False)
    app.conf.task_always_eager = True
    return app


def test_control_flow_and_expected_errors_are_not_reported(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    sentry_init(integrations=[CeleryIntegration()], traces_sample_rate=1.0)
    app = eager_app()

    @app.task(name="ignored")
    def ignored() -> None:
        raise Ignore()

    @app.task(name="expected", throws=(KeyError,))
    def expected() -> None:
        raise KeyError("expected")

    ignored.delay()
    expected.delay()
    sentry_lite.flush(5)
    assert receiver.events == []
    statuses = {t["transaction"]: t["contexts"]["trace"]["status"] for t in receiver.transactions}
    assert statuses == {"ignored": "aborted", "expected": "internal_error"}


def test_streaming_mode_reports_the_task_error(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    """With ``trace_lifecycle="stream"`` a failing task is still reported (before: the
    running-status update hit the raw streamed span and the error event was lost) and
    its segment is marked ``error``."""
    sentry_init(
        integrations=[CeleryIntegration()], traces_sample_rate=1.0, trace_lifecycle="stream"
    )
    app = eager_app()

    @app.task(name="divide")
    def divide(x: int, y: int) -> float:
        return x / y

    with sentry_lite.traces.start_span(name="caller") as caller:
        divide.delay(1, 0)
    sentry_lite.flush(5)
    (event,) = receiver.events
    assert event["exception"]["values"][0]["type"] == "ZeroDivisionError"
    assert event["exception"]["values"][0]["mechanism"]["type"] == "celery"
    assert event["contexts"]["trace"]["trace_id"] == caller.trace_id
    spans = [s for item in receiver.items("span") for s in item.get_json()["items"]]
    ops = {s["attributes"].get("sentry.op", {}).get("value"): s for s in spans}
    assert ops["queue.process"]["status"] == "error"


@pytest.mark.parametrize(
    ("integration_default", "per_call", "propagated"),
    [(True, None, True), (False, None, False), (True, False, False), (False, True, True)],
)
def test_propagate_traces(
    sentry_init: Callable[..., Any],
    receiver: Receiver,
    integration_default: bool,
    per_call: Any,
    propagated: bool,
) -> None:
    sentry_init(
        integrations=[CeleryIntegration(propagate_traces=integration_default)],
        traces_sample_rate=1.0,
    )
    app = eager_app()

    @app.task(name="boom")
    def boom() -> None:
        raise ValueError("boom")

    headers = {} if per_call is None else {"sentry-propagate-traces": per_call}
    with sentry_lite.start_transaction(name="producer") as txn:
        boom.apply_async(headers=headers)
    sentry_lite.flush(5)
    (event,) = receiver.events
    assert (event["contexts"]["trace"]["trace_id"] == txn.trace_id) is propagated
    assert event["transaction"] == "boom"


def test_producer_one_submit_span_and_no_broker_traffic(
    sentry_init: Callable[..., Any], receiver: Receiver, redis_db: RedisServer
) -> None:
    sentry_init(integrations=[CeleryIntegration(), RedisIntegration()], traces_sample_rate=1.0)
    app = make_app(redis_db.port)
    with sentry_lite.start_transaction(name="producer"):
        app.tasks["tests.celery_app.add"].delay(1, 2)
        app.send_task("tests.celery_app.add", (3, 4))
    sentry_lite.flush(5)
    (txn,) = receiver.transactions
    ops = [(s["op"], s["description"]) for s in txn["spans"]]
    assert ops == [
        ("queue.submit.celery", "tests.celery_app.add"),
        ("queue.publish", "tests.celery_app.add"),
        ("queue.submit.celery", "tests.celery_app.add"),
        ("queue.publish", "tests.celery_app.add"),
    ]
    publish = txn["spans"][1]
    assert publish["data"]["messaging.system"] == "redis"
    assert publish["data"]["messaging.destination.name"] == "sentry-lite-tests"
    assert publish["parent_span_id"] == txn["spans"][0]["span_id"]


# -- a real prefork worker and beat ----------------------------------------------------------


def _celery(argv: List[str], port: int, dsn: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CELERY_TEST_REDIS_PORT": str(port),
        "CELERY_TEST_SDK": "sentry_lite",
        "CELERY_TEST_DSN": dsn,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tests.celery_app", *argv, "-l", "WARNING"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


class Worker:
    def __init__(self, receiver: Receiver, port: int) -> None:
        self.receiver = receiver
        self.port = port

    def transactions(self, task: str) -> List[Dict[str, Any]]:
        name = f"tests.celery_app.{task}"
        return [t for t in self.receiver.transactions if t["transaction"] == name]

    def events(self, task: str) -> List[Dict[str, Any]]:
        name = f"tests.celery_app.{task}"
        return [e for e in self.receiver.events if e.get("transaction") == name]


@pytest.fixture(scope="module")
def worker(redis_server: RedisServer) -> Iterator[Worker]:
    import redis

    redis.Redis(host="127.0.0.1", port=redis_server.port).flushall()
    receiver = Receiver()
    proc = _celery(
        [
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "--max-tasks-per-child=1",
            "-Q",
            "sentry-lite-tests",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        redis_server.port,
        receiver.dsn(),
    )
    try:
        yield Worker(receiver, redis_server.port)
    finally:
        _stop(proc)
        receiver.close()
        redis.Redis(host="127.0.0.1", port=redis_server.port).flushall()  # beat's leftovers


def test_prefork_worker(
    sentry_init: Callable[..., Any], receiver: Receiver, worker: Worker
) -> None:
    sentry_init(integrations=[CeleryIntegration(), RedisIntegration()], traces_sample_rate=1.0)
    app = make_app(worker.port)
    with sentry_lite.start_transaction(name="producer") as producer:
        assert app.tasks["tests.celery_app.add"].delay(1, 2).get(timeout=30) == 3
        failing = app.tasks["tests.celery_app.fail"].delay(1, password=SECRET)
        flaky = app.tasks["tests.celery_app.flaky"].delay()
        for result in (failing, flaky):
            with pytest.raises(Exception):  # noqa: B017 - the tasks' own errors
                result.get(timeout=30)
    worker.receiver.wait_for(2, timeout=30)  # fail, flaky: the work-horses flushed
    worker.receiver.wait_for(5, timeout=30, item_type="transaction")
    sentry_lite.flush(5)
    (submitted,) = receiver.transactions
    submit_spans = [s for s in submitted["spans"] if s["op"] == "queue.submit.celery"]

    (add,) = worker.transactions("add")
    trace = add["contexts"]["trace"]
    assert trace["trace_id"] == producer.trace_id
    assert trace["parent_span_id"] == submit_spans[0]["span_id"]
    assert trace["op"] == "queue.task.celery" and trace["status"] == "ok"
    (process,) = add["spans"]
    assert process["op"] == "queue.process"
    assert process["data"]["messaging.system"] == "redis"
    assert process["data"]["messaging.message.receive.latency"] >= 0
    assert process["data"]["messaging.destination.name"] == "sentry-lite-tests"

    (event,) = worker.events("fail")
    assert event["exception"]["values"][0]["mechanism"] == {"type": "celery", "handled": False}
    assert event["extra"]["celery-job"] == {
        "task_name": "tests.celery_app.fail",
        "args": "[Filtered]",
        "kwargs": "[Filtered]",
    }
    assert event["contexts"]["trace"]["trace_id"] == producer.trace_id
    (failed,) = worker.transactions("fail")
    assert failed["contexts"]["trace"]["status"] == "internal_error"
    assert failed["tags"]["status"] == "internal_error"

    (flaky_event,) = worker.events("flaky")
    assert flaky_event["exception"]["values"][-1]["type"] == "ConnectionError"
    attempts = worker.transactions("flaky")
    assert [t["contexts"]["trace"]["status"] for t in attempts] == [
        "aborted",
        "aborted",
        "internal_error",
    ]
    for txn in worker.receiver.transactions:
        assert not [s for s in txn["spans"] if s["origin"] == "auto.db.redis"]
    bodies = b"".join(r.body for r in worker.receiver.requests + receiver.requests)
    at = bodies.find(SECRET.encode())
    assert at < 0, bodies[max(0, at - 2500) : at + 100].decode(errors="replace")


def test_beat_check_ins(worker: Worker) -> None:
    directory = tempfile.mkdtemp(prefix="sentry-lite-beat-")
    beat = _celery(
        ["beat", "-s", os.path.join(directory, "schedule"), "--max-interval", "1"],
        worker.port,
        worker.receiver.dsn(),
    )
    try:
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            by_id: Dict[str, List[Dict[str, Any]]] = {}
            for item in worker.receiver.items("check_in"):
                check_in = item.get_json()
                by_id.setdefault(check_in["check_in_id"], []).append(check_in)
            closed = {
                c[0]["monitor_slug"]: {x["status"] for x in c}
                for c in by_id.values()
                if len(c) == 2
            }
            if {"beat-ok", "beat-fail"} <= set(closed):
                break
            time.sleep(0.2)
    finally:
        _stop(beat)
    summary = [
        [c["status"] for c in v] for v in by_id.values() if v[0]["monitor_slug"] != "beat-ok"
    ]
    assert {"beat-fail", "beat-ok"} <= set(closed), summary
    assert closed["beat-ok"] == {"in_progress", "ok"}
    assert closed["beat-fail"] == {"in_progress", "error"}
    slugs = {c[0]["monitor_slug"] for c in by_id.values()}
    assert "beat-excluded" not in slugs
    first = next(c for c in by_id.values() if c[0]["monitor_slug"] == "beat-ok")
    start = next(c for c in first if c["status"] == "in_progress")
    assert start["monitor_config"] == {
        "schedule": {"type": "interval", "value": 1, "unit": "minute"},
        "timezone": "UTC",
    }
    end = next(c for c in first if c["status"] == "ok")
    assert end["duration"] >= 0


@pytest.mark.parametrize("sample_rate", [1.0, None])
def test_stream_mode_failing_task_is_reported_and_its_segment_errors(
    sentry_init: Callable[..., Any], receiver: Receiver, sample_rate: Any
) -> None:
    """Streamed segments have no ``set_status``: the failure must still be captured
    (it was skipped), with the segment's status ``error`` as sentry_sdk sets it."""
    sentry_init(
        integrations=[CeleryIntegration()],
        traces_sample_rate=sample_rate,
        trace_lifecycle="stream",
    )
    app = eager_app()

    @app.task(name="divide")
    def divide(x: int, y: int) -> float:
        return x / y

    divide.delay(1, 0)
    sentry_lite.flush(5)
    (event,) = receiver.events
    assert event["exception"]["values"][0]["mechanism"]["type"] == "celery"
    assert event["transaction"] == "divide"
    spans = [s for item in receiver.items("span") for s in item.get_json()["items"]]
    if sample_rate is None:
        assert spans == []
        return
    segment = next(s for s in spans if s["is_segment"])
    assert segment["name"] == "divide" and segment["status"] == "error"
    assert segment["attributes"]["sentry.op"]["value"] == "queue.task.celery"
    assert event["contexts"]["trace"]["trace_id"] == segment["trace_id"]
