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
import json
import os
import re
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
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


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


def _span(span: Dict[str, Any], ops: Dict[Any, Any]) -> Dict[str, Any]:
    data = {k: v for k, v in (span.get("data") or {}).items() if k not in VOLATILE_DATA}
    tags = dict(span.get("tags") or {})
    for key in ("redis.key",):
        if isinstance(tags.get(key), str):
            tags[key] = UUID.sub("<uuid>", tags[key])
    return {
        "op": span.get("op"),
        "description": UUID.sub("<uuid>", str(span.get("description"))),
        "origin": span.get("origin"),
        "status": span.get("status"),
        "data": json.loads(UUID.sub("<uuid>", json.dumps(data))),
        "tags": tags,
        "parent": ops.get(span.get("parent_span_id"), "?"),
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
        spans = item.get("spans") or ()
        ops = {s.get("span_id"): s.get("op") for s in spans}
        ops[trace.get("span_id")] = "root"
        reduced["spans"] = [_span(s, ops) for s in spans]
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


def improve_quiet_queue_traffic(items: List[Dict[str, Any]], runner_ops: Tuple[str, ...]) -> None:
    """The task runner's own Redis traffic is not recorded: not in a task's transaction
    (outside the task's code), not under a submit/publish span, not as breadcrumbs of a
    task's events. sentry_sdk records all of it."""
    removed = 0
    for item in items:
        spans = item.get("spans")
        if spans is not None:
            in_task = item.get("op") in runner_ops
            kept = [
                s
                for s in spans
                if not (
                    _is_redis(s)
                    and (
                        (in_task and s["parent"] == "root")
                        or s["parent"] in ("queue.submit.celery", "queue.publish")
                    )
                )
            ]
            removed += len(spans) - len(kept)
            item["spans"] = kept
        crumbs = item.get("breadcrumbs")
        if crumbs is not None and item.get("op") in runner_ops:
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
        failed_task = item.get("op") == "queue.task.celery" and item.get("status") != "ok"
        if item["kind"] == "transaction" and failed_task:
            assert item["tags"].get("status") == "ok"
            item["tags"]["status"] = item["status"]


def fill_connection_data(spans: List[Dict[str, Any]], key: str = "data") -> int:
    """sentry_sdk's asyncpg spans of simple queries (``execute`` without arguments,
    ``BEGIN;``/``COMMIT;``, the pool's reset) with the connection's ``db.*``/``server.*``
    data the other statements carry, as sentry-lite sends it; how many it filled.
    ``key``: where a span keeps it (``data``, or ``attributes`` of a streamed span)."""
    system = "db.system" if key == "data" else "db.system.name"
    statements = [
        s for s in spans if s[key].get("sentry.origin", s.get("origin")) == "auto.db.asyncpg"
    ]
    known = [
        s[key]
        for s in statements
        if system in s[key] and s.get("description", s.get("name")) != "connect"
    ]
    if not known:
        return 0
    prefixes = ("db.system", "db.driver", "db.name", "db.user", "server.")
    connection = {k: v for k, v in known[0].items() if k.startswith(prefixes)}
    filled = 0
    for span in statements:
        if system not in span[key]:
            span[key].update(connection)
            filled += 1
    return filled


def improve_simple_queries(items: List[Dict[str, Any]]) -> None:
    """Async SQLAlchemy on asyncpg: the driver's spans of simple queries (``BEGIN``)
    carry the connection's data, as its other statements do (sentry_sdk: not those)."""
    assert sum(fill_connection_data(item.get("spans") or []) for item in items)


def improve_serving_node(items: List[Dict[str, Any]], lite: Run) -> None:
    """A cluster command's span names the node that served it; sentry_sdk names the
    default node for every command."""
    nodes = [int(p) for p in lite.stdout.split("NODES", 1)[1].split()]
    spans = [s for item in items for s in item.get("spans") or () if s["op"] == "db.redis"]
    assert len({s["data"]["server.port"] for s in spans}) == 1, "sentry_sdk names nodes now"
    assert len(set(nodes)) > 1, "the keys should land on different nodes"
    for span, port in zip(spans, nodes):
        span["data"]["server.port"] = port


def improve_rq_job(items: List[Dict[str, Any]]) -> None:
    """A failed job's transaction (and its error's trace context) says ``internal_error``;
    with PII off the job's arguments stay out of ``rq-job.description``."""
    for item in items:
        job = item.get("extra", {}).get("rq-job")
        if job is not None:
            assert "(" in job["description"], "sentry_sdk keeps arguments out now"
            job["description"] = job["func"]
        if item.get("op") == "queue.task.rq" and item["transaction"].endswith("crashing_job"):
            assert item["status"] is None
            item["status"] = "internal_error"


COMPARISONS: Dict[str, Callable[[List[Dict[str, Any]], Run], Any]] = {
    "sqlalchemy_asyncpg": lambda items, lite: improve_simple_queries(items),
    "redis_cluster": improve_serving_node,
    "rq_simple": lambda items, lite: (
        improve_quiet_queue_traffic(items, ("queue.task.rq",)),
        improve_rq_job(items),
    ),
    "celery_worker": lambda items, lite: (
        improve_quiet_queue_traffic(items, ("queue.task.celery",)),
        improve_one_submit_span(items),
        improve_status_tag(items),
    ),
}


def compare(name: str, lite: Run, sdk: Run) -> None:
    expected = reduced_items(sdk)
    actual = reduced_items(lite)
    improve = COMPARISONS.get(name)
    if improve is not None:
        improve(expected, lite)
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
    [
        "sqlalchemy_sqlite",
        "sqlalchemy_postgres",
        "sqlalchemy_asyncpg",
        "redis_sync",
        "redis_async",
        "redis_cluster",
        "celery_worker",
        "rq_simple",
        "crons",
    ],
)
def test_same_as_sentry_sdk(name: str, service_env: Dict[str, str]) -> None:
    lite = run("sentry_lite", name, service_env)
    sdk = run("sentry_sdk", name, service_env)
    assert lite.items
    compare(name, lite, sdk)
    assert_no_secret(lite)
