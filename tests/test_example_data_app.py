"""The Flask + Celery + Redis + SQLAlchemy example runs as documented and reports one
trace from the web request through the worker, on a real Redis and PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from tests.receiver import Receiver
from tests.services import Postgres, RedisServer

pytest.importorskip("celery")
pytest.importorskip("flask")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CARD = "4111111111111111"

WEB = f"""
import time
from examples.flask_celery.app import app, cache
import sentry_lite
client = app.test_client()
created = client.post("/orders", json={{"item": "book", "card_number": "{CARD}"}}).get_json()
order_id = created["id"]
# The worker's task ends by deleting this order's cache entry: read only once its result
# is stored (after the delete), else the second read may miss the cache (a race).
deadline = time.monotonic() + 30
while not cache.keys("celery-task-meta-*") and time.monotonic() < deadline:
    time.sleep(0.05)
client.get(f"/orders/{{order_id}}")
client.get(f"/orders/{{order_id}}")
client.post(f"/orders/{{order_id + 1000}}/fail")
sentry_lite.flush(10)
"""


def test_example_app_traces_request_to_worker(redis_db: RedisServer, postgres: Postgres) -> None:
    receiver = Receiver()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")},
        "SENTRY_DSN": receiver.dsn(),
        "REDIS_URL": redis_db.url,
        "DATABASE_URL": postgres.url("psycopg"),
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "examples.flask_celery.app:celery_app",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        subprocess.run([sys.executable, "-c", WEB], cwd=ROOT, env=env, check=True, timeout=60)
        receiver.wait_for(1, timeout=30)  # the failing task's event, from the worker
        receiver.wait_for(6, timeout=30, item_type="transaction")
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(20)
        receiver.close()

    by_name = {t["transaction"]: t for t in receiver.transactions}
    web = by_name["create_order"]
    ops = [s["op"] for s in web["spans"]]
    assert "db" in ops and "queue.submit.celery" in ops and "queue.publish" in ops
    assert any(s["description"].startswith("INSERT INTO orders") for s in web["spans"])

    task = next(
        t
        for t in receiver.transactions
        if t["transaction"] == "orders.fulfil" and t["contexts"]["trace"]["status"] == "ok"
    )
    assert task["contexts"]["trace"]["trace_id"] == web["contexts"]["trace"]["trace_id"]
    task_ops = [s["op"] for s in task["spans"]]
    assert task_ops[0] == "queue.process"
    assert task_ops.count("db") >= 2  # SELECT and UPDATE of the order
    redis_calls = [s["description"] for s in task["spans"] if s["op"] == "db.redis"]
    assert len(redis_calls) == 1 and redis_calls[0].startswith("DEL 'order:")

    reads = [t for t in receiver.transactions if t["transaction"] == "read_order"]
    cache_ops = [s["op"] for t in reads for s in t["spans"] if s["op"].startswith("cache.")]
    assert cache_ops == ["cache.get", "cache.put", "cache.get"]
    hit = [s for t in reads for s in t["spans"] if s["op"] == "cache.get"][-1]
    assert hit["data"]["cache.hit"] is True

    (event,) = receiver.events
    assert event["exception"]["values"][-1]["type"] == "LookupError"
    assert event["exception"]["values"][-1]["mechanism"]["type"] == "celery"
    assert event["transaction"] == "orders.fulfil"
    # The task argument never leaves with PII off. The POST's own JSON body is in its
    # transaction's request.data, as sentry_sdk sends it (bodies regardless of PII).
    leaks = [
        r.body
        for r in receiver.requests
        if CARD.encode() in r.body
        and not (b'"type":"transaction"' in r.body and b'"transaction":"create_order"' in r.body)
    ]
    assert leaks == []
    assert any(
        t["transaction"] == "create_order" and t["request"]["data"]["card_number"] == CARD
        for t in receiver.transactions
    )
