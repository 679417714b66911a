"""HueyIntegration side by side with sentry_sdk: a producer and a real huey consumer on
a ``RedisHuey``, each in its own interpreter, against a real redis-server; the same
events, transactions, check-ins and streamed spans from both SDKs
(``tests/huey_scenarios.py``)."""

from __future__ import annotations

from typing import Any, Dict, Iterator

import pytest

from tests.queue_sidebyside import flush_redis, run_both_sdks, run_queue, run_spans
from tests.services import RedisServer
from tests.test_side_by_side import diff

pytest.importorskip("huey")
pytest.importorskip("sentry_sdk")
redis = pytest.importorskip("redis")

SCENARIOS = "tests.huey_scenarios"


@pytest.fixture(scope="module")
def runs(redis_server: RedisServer) -> Iterator[Dict[str, Dict[str, Any]]]:
    yield run_both_sdks(SCENARIOS, redis_server.port)


def test_same_events_and_transactions_as_sentry_sdk(runs: Dict[str, Dict[str, Any]]) -> None:
    lite, sdk = runs["sentry_lite"]["events"], runs["sentry_sdk"]["events"]
    # producer, 8 executions, 2 error events (the failing task and its retry)
    assert len(sdk) == 11
    problems = diff(lite, sdk)
    assert not problems, "\n".join(problems)
    errors = [e for e in lite if e["type"] == "event"]
    assert [e["exceptions"][0][2] for e in errors] == [{"type": "huey", "handled": False}] * 2
    assert {e["extra"]["huey-job"]["args"] for e in errors} == {"[Filtered]"}
    tasks = [e for e in lite if e["type"] == "transaction" and e["transaction"] != "producer"]
    statuses = {(e["transaction"], e["status"]) for e in tasks}
    assert statuses == {
        ("ok_task", "ok"),
        ("redis_task", "ok"),
        ("cleanup", "ok"),
        ("failing_task", "internal_error"),
        ("retry_task", "aborted"),
        ("retry_task", "ok"),
        ("cancel_task", "aborted"),
    }
    # every task the producer enqueued continues its trace (the periodic task does not)
    assert {e["transaction"] for e in tasks if not e["in_producer_trace"]} == {"cleanup"}
    assert b"huey-secret-4711" not in runs["sentry_lite"]["bodies"]


def test_only_the_tasks_own_redis_traffic_is_recorded(runs: Dict[str, Dict[str, Any]]) -> None:
    """sentry_sdk records huey's enqueue, result and revocation commands in every task
    and in the producer; sentry-lite records the task's own commands only."""
    lite = runs["sentry_lite"]["redis_spans"]
    assert lite.pop("redis_task") == ["SET 'job-key' [Filtered]"]
    assert all(spans == [] for spans in lite.values())
    assert any(runs["sentry_sdk"]["redis_spans"]["ok_task"])


def test_periodic_task_check_ins_as_sentry_sdk(runs: Dict[str, Dict[str, Any]]) -> None:
    lite = runs["sentry_lite"]["check_ins"]
    assert lite == runs["sentry_sdk"]["check_ins"]
    assert [(c["slug"], c["status"], c["pair"]) for c in lite] == [
        ("cleanup", "in_progress", 2),
        ("cleanup", "ok", 2),
    ]
    assert lite[0]["config"] == {
        "schedule": {"type": "crontab", "value": "*/5 * * * *"},
        "timezone": "UTC",
    }


def test_streamed_spans_as_sentry_sdk(redis_server: RedisServer) -> None:
    attributes = (
        "sentry.op",
        "sentry.origin",
        "sentry.segment.name.source",
        "messaging.destination.name",
        "messaging.message.id",
        "messaging.message.system",
        "messaging.message.retry.count",
    )
    flush_redis(redis_server.port)
    sdk = run_spans(SCENARIOS, "sentry_sdk", redis_server.port, attributes)
    flush_redis(redis_server.port)
    lite = run_spans(SCENARIOS, "sentry_lite", redis_server.port, attributes)
    problems = diff(lite, sdk)
    assert not problems, "\n".join(problems)
    failed = [s for s in lite if s["name"] == "failing_task" and s["segment"]]
    assert [s["status"] for s in failed] == ["error", "error"]
    (ok,) = [s for s in lite if s["name"] == "ok_task" and s["segment"]]
    assert ok["parent"] == "ok_task"  # the producer's submit span


def test_arq_and_huey_are_enabled_by_default(sentry_init: Any) -> None:
    """As in sentry_sdk, both are auto-enabling integrations (Dramatiq is not)."""
    import importlib.util

    import sentry_lite

    has_arq = importlib.util.find_spec("arq") is not None
    if has_arq:
        import arq  # noqa: F401 - auto-enabling integrations start when their library loads
    sentry_init()
    enabled = sentry_lite.get_client().integrations
    assert "huey" in enabled and "dramatiq" not in enabled
    assert ("arq" in enabled) is has_arq


def test_one_trace_across_the_two_sdks(redis_server: RedisServer) -> None:
    """sentry_lite's consumer continues the trace sentry_sdk's producer sent (its format,
    ``sentry_headers``); ``test_dramatiq`` checks the other way round."""
    flush_redis(redis_server.port)
    run = run_queue(SCENARIOS, "sentry_sdk", redis_server.port, worker_module="sentry_lite")
    tasks = [
        e for e in run["events"] if e["type"] == "transaction" and e["transaction"] != "producer"
    ]
    assert {e["transaction"] for e in tasks if e["in_producer_trace"]} == {
        "ok_task",
        "failing_task",
        "retry_task",
        "cancel_task",
        "redis_task",
    }
