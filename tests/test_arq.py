"""ArqIntegration side by side with sentry_sdk: a producer and a real arq worker, each
in its own interpreter, against a real redis-server; the same events, transactions,
check-ins and streamed spans from both SDKs (``tests/arq_scenarios.py``)."""

from __future__ import annotations

from typing import Any, Dict, Iterator

import pytest

from tests.queue_sidebyside import flush_redis, run_both_sdks, run_spans
from tests.services import RedisServer
from tests.test_side_by_side import diff

pytest.importorskip("arq")
pytest.importorskip("sentry_sdk")
redis = pytest.importorskip("redis")

SCENARIOS = "tests.arq_scenarios"


@pytest.fixture(scope="module")
def runs(redis_server: RedisServer) -> Iterator[Dict[str, Dict[str, Any]]]:
    yield run_both_sdks(SCENARIOS, redis_server.port)


def test_same_events_and_transactions_as_sentry_sdk(runs: Dict[str, Dict[str, Any]]) -> None:
    lite, sdk = runs["sentry_lite"]["events"], runs["sentry_sdk"]["events"]
    # producer, ok, failing (+ its error), retry twice (aborted, then ok), redis, cron
    assert len(sdk) == 8
    problems = diff(lite, sdk)
    assert not problems, "\n".join(problems)
    (error,) = [e for e in lite if e["type"] == "event"]
    assert error["exceptions"] == [
        ("ZeroDivisionError", "division by zero", {"type": "arq", "handled": False})
    ]
    assert error["extra"]["arq-job"] == {
        "task": "failing_job",
        "retry": 1,
        "args": "[Filtered]",
        "kwargs": "[Filtered]",
    }
    statuses = sorted(e["status"] for e in lite if e["transaction"] == "retry_job")
    assert statuses == ["aborted", "ok"]
    assert b"arq-secret-4711" not in runs["sentry_lite"]["bodies"]


def test_only_the_jobs_own_redis_traffic_is_recorded(runs: Dict[str, Dict[str, Any]]) -> None:
    """sentry_sdk records arq's own pipelines in every job and in the enqueue; sentry-lite
    records the job's own commands only."""
    lite = runs["sentry_lite"]["redis_spans"]
    assert lite.pop("redis_job") == ["SET 'job-key' [Filtered]"]
    assert all(spans == [] for spans in lite.values())
    assert any(runs["sentry_sdk"]["redis_spans"]["ok_job"])


def test_cron_job_check_ins_as_sentry_sdk(runs: Dict[str, Dict[str, Any]]) -> None:
    lite = runs["sentry_lite"]["check_ins"]
    assert lite == runs["sentry_sdk"]["check_ins"]
    assert [c["status"] for c in lite] == ["in_progress", "ok"]
    assert lite[0]["slug"] == "nightly" and lite[0]["pair"] == 2
    assert lite[0]["config"] == {
        "schedule": {"type": "crontab", "value": "0 3 * * *"},
        "timezone": "UTC",
    }


def test_streamed_spans_as_sentry_sdk(redis_server: RedisServer) -> None:
    attributes = (
        "sentry.op",
        "sentry.origin",
        "sentry.segment.name.source",
        "messaging.destination.name",
        "messaging.message.id",
    )
    flush_redis(redis_server.port)
    sdk = run_spans(SCENARIOS, "sentry_sdk", redis_server.port, attributes)
    flush_redis(redis_server.port)
    lite = run_spans(SCENARIOS, "sentry_lite", redis_server.port, attributes)
    # On purpose: a failed job's segment is an error (sentry_sdk leaves it ok).
    (failed,) = [s for s in lite if s["name"] == "failing_job" and s["segment"]]
    assert failed["status"] == "error"
    failed["status"] = "ok"
    problems = diff(lite, sdk)
    assert not problems, "\n".join(problems)
    assert {s["name"] for s in lite if s["segment"]} >= {"ok_job", "cron:nightly", "producer"}
