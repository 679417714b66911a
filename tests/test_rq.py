"""RQ with a real forking worker in a subprocess and a real redis-server.

One worker run (module fixture) works a queue of jobs enqueued by this process with
sentry_lite on and no span running: trace continuation, the final failure only after
retries, the timeout fingerprint, flushing work-horses, clean breadcrumbs, recorded job
Redis traffic without the worker's own, and a Crons check-in pair for a scheduled job.
In-process ``SimpleWorker`` tests cover the rest.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any, Callable, Dict, Iterator, List

import pytest

import sentry_lite
from tests.receiver import Receiver
from tests.rq_jobs import crashing_job, ok_job, redis_job, sleepy_job
from tests.services import RedisServer

rq = pytest.importorskip("rq")
redis = pytest.importorskip("redis")
from sentry_lite.integrations.redis import RedisIntegration  # noqa: E402
from sentry_lite.integrations.rq import RqIntegration  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QUEUE = "sentry-lite-rq"


class WorkerRun:
    def __init__(self, receiver: Receiver, trace_id: str, port: int) -> None:
        self.receiver = receiver
        self.trace_id = trace_id
        self.port = port

    def of(self, kind: str, func: str) -> List[Dict[str, Any]]:
        items = self.receiver.transactions if kind == "transaction" else self.receiver.events
        return [i for i in items if i.get("transaction") == f"tests.rq_jobs.{func}"]


@pytest.fixture(scope="module")
def worker_run(redis_server: RedisServer) -> Iterator[WorkerRun]:
    from tests.conftest import reset_sdk

    conn = redis.Redis(host="127.0.0.1", port=redis_server.port)
    conn.flushall()
    worker_receiver = Receiver()
    producer_receiver = Receiver()
    reset_sdk()
    sentry_lite.init(dsn=producer_receiver.dsn(), integrations=[RqIntegration()])
    try:
        queue = rq.Queue(QUEUE, connection=conn)
        queue.enqueue(ok_job, 1)
        queue.enqueue(crashing_job, 1, password="rq-secret-4711", retry=rq.Retry(max=2))
        queue.enqueue(sleepy_job, 5, job_timeout=1)
        queue.enqueue(redis_job, redis_server.port)
        queue.enqueue(ok_job, 2, job_id="nightly-report", meta={"cron_string": "*/5 * * * *"})
        trace_id = sentry_lite.get_isolation_scope().get_propagation_context().trace_id
        env = {**os.environ, "TZ": "UTC"}
        for _ in range(3):  # the two retries are enqueued again by the first runs
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "tests.rq_worker",
                    "sentry_lite",
                    worker_receiver.dsn(),
                    str(redis_server.port),
                    QUEUE,
                ],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                timeout=60,
            )
        yield WorkerRun(worker_receiver, trace_id, redis_server.port)
    finally:
        reset_sdk()
        worker_receiver.close()
        producer_receiver.close()


def test_jobs_continue_the_enqueuers_trace_without_a_span(worker_run: WorkerRun) -> None:
    txn, scheduled = worker_run.of("transaction", "ok_job")
    assert scheduled["contexts"]["trace"]["trace_id"] == worker_run.trace_id
    assert txn["contexts"]["trace"]["op"] == "queue.task.rq"
    assert txn["contexts"]["trace"]["origin"] == "auto.queue.rq"
    assert txn["transaction_info"] == {"source": "task"}
    assert txn["contexts"]["trace"]["trace_id"] == worker_run.trace_id
    assert txn["contexts"]["trace"]["data"]["messaging.destination.name"] == QUEUE


def test_one_event_after_the_last_retry(worker_run: WorkerRun) -> None:
    (event,) = worker_run.of("event", "crashing_job")
    (exception,) = event["exception"]["values"]
    assert exception["type"] == "ZeroDivisionError"
    assert exception["mechanism"] == {"type": "rq", "handled": False}
    job = event["extra"]["rq-job"]
    assert job["args"] == "[Filtered]" and job["kwargs"] == "[Filtered]"
    assert job["description"] == "tests.rq_jobs.crashing_job"
    assert job["func"] == "tests.rq_jobs.crashing_job"
    txns = worker_run.of("transaction", "crashing_job")
    assert len(txns) == 3
    assert {t["contexts"]["trace"]["status"] for t in txns} == {"internal_error"}
    assert event["contexts"]["trace"]["status"] == "internal_error"
    bodies = b"".join(r.body for r in worker_run.receiver.requests)
    assert b"rq-secret-4711" not in bodies


def test_timeouts_have_their_fingerprint(worker_run: WorkerRun) -> None:
    (event,) = worker_run.of("event", "sleepy_job")
    assert event["exception"]["values"][-1]["type"] == "JobTimeoutException"
    assert event["fingerprint"] == ["rq", "JobTimeoutException", "tests.rq_jobs.sleepy_job"]


def test_only_the_jobs_own_redis_traffic_is_recorded(worker_run: WorkerRun) -> None:
    (txn,) = worker_run.of("transaction", "redis_job")
    assert [s["description"] for s in txn["spans"]] == ["SET 'job-key' [Filtered]"]
    for event in worker_run.receiver.events:
        crumbs = (event.get("breadcrumbs") or {}).get("values") or []
        assert not [c for c in crumbs if c.get("category") == "redis"]


def test_scheduled_jobs_send_check_ins(worker_run: WorkerRun) -> None:
    check_ins = [i.get_json() for i in worker_run.receiver.items("check_in")]
    start, end = check_ins
    assert start["monitor_slug"] == end["monitor_slug"] == "nightly-report"
    assert start["status"] == "in_progress" and end["status"] == "ok"
    assert start["check_in_id"] == end["check_in_id"]
    assert start["monitor_config"] == {
        "schedule": {"type": "crontab", "value": "*/5 * * * *"},
        "timezone": "UTC",
    }


def test_simple_worker_in_process(
    sentry_init: Callable[..., Any], receiver: Receiver, redis_db: RedisServer
) -> None:
    sentry_init(
        integrations=[RqIntegration(), RedisIntegration()],
        traces_sample_rate=1.0,
        send_default_pii=True,
    )
    conn = redis.Redis(host="127.0.0.1", port=redis_db.port)
    queue = rq.Queue("simple", connection=conn)
    with sentry_lite.start_transaction(name="enqueue") as txn:
        queue.enqueue(crashing_job, 3, password=None)  # "password" is scrubbed as a key
    rq.SimpleWorker([queue], connection=conn).work(burst=True)
    sentry_lite.flush(5)
    (event,) = receiver.events
    job = event["extra"]["rq-job"]
    assert job["args"] == [3] and job["kwargs"] == {"password": "[Filtered]"}
    assert job["description"] == "tests.rq_jobs.crashing_job(3, password=None)"
    assert event["contexts"]["trace"]["trace_id"] == txn.trace_id
    job_txn = next(t for t in receiver.transactions if t["transaction"].endswith("crashing_job"))
    assert job_txn["contexts"]["trace"]["parent_span_id"] is not None


@pytest.mark.parametrize("sample_rate", [1.0, None])
def test_stream_mode_failed_job_is_reported_and_its_segment_errors(
    sentry_init: Callable[..., Any], receiver: Receiver, redis_db: RedisServer, sample_rate: Any
) -> None:
    """In stream mode the running span is a StreamedSpan without ``op``: the failure
    was skipped. The job's segment carries sentry_sdk's streamed attributes."""
    sentry_init(
        integrations=[RqIntegration()],
        traces_sample_rate=sample_rate,
        trace_lifecycle="stream",
    )
    conn = redis.Redis(host="127.0.0.1", port=redis_db.port)
    queue = rq.Queue("stream", connection=conn)
    job = queue.enqueue(crashing_job, 3)
    rq.SimpleWorker([queue], connection=conn).work(burst=True)
    sentry_lite.flush(5)
    (event,) = receiver.events
    assert event["exception"]["values"][0]["mechanism"]["type"] == "rq"
    spans = [s for item in receiver.items("span") for s in item.get_json()["items"]]
    if sample_rate is None:
        assert spans == []
        return
    (segment,) = [s for s in spans if s["attributes"]["sentry.op"]["value"] == "queue.task.rq"]
    assert segment["status"] == "error"
    attributes = {k: v["value"] for k, v in segment["attributes"].items()}
    assert attributes["messaging.message.id"] == job.id
    assert attributes["messaging.destination.name"] == "stream"
    assert attributes["code.function.name"] == "tests.rq_jobs.crashing_job"
    assert attributes["sentry.origin"] == "auto.queue.rq"
    assert event["contexts"]["trace"]["span_id"] == segment["span_id"]
