"""Data and queue integrations: time added per operation, no SDK vs sentry_sdk vs
sentry_lite, with tracing on and off, in one run.

Operations (each in a fresh interpreter per SDK, runs interleaved, the minimum kept:
on a shared machine the least disturbed run is the one that measures the code):
  * ``sqlalchemy``: ``conn.execute(text("SELECT 1"))`` on SQLite in memory,
  * ``redis``: ``GET`` on a local redis-server (started here on a free port),
  * ``celery``: one task round trip without the broker's wait: ``delay()`` publishing to
    the Redis broker (producer) plus the worker's code path for the task (``apply()``,
    which runs Celery's tracer as a worker does),
  * ``rq``: ``enqueue`` plus the job run by a ``SimpleWorker`` (burst) on local Redis.
With tracing on, operations run inside transactions of 100 operations each (their
finishing and sending included). Measured as the process's CPU time over all threads
(the SDK's sending thread included: every batch ends with a flush), fastest of several
batches, so the wait for Redis' answers, which no SDK changes, does not drown the SDK's
cost in network noise. "Added" is the SDK's time minus the no-SDK time for the same
operation; the table gives sentry_lite's added time as a share of sentry_sdk's.

Run: ``python bench/bench_data.py`` (or ``nox -s bench``); needs redis-server.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from typing import Dict, List, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
MODES = ("none", "sentry_sdk", "sentry_lite")
OPERATIONS = tuple(
    os.environ.get("BENCH_DATA_OPS", "sqlalchemy,redis,celery,rq").split(",")
)  # a subset: BENCH_DATA_OPS=redis,rq

CHILD = r"""
import json, os, sys, time, logging
logging.disable(logging.CRITICAL)
mode, dsn, operation, tracing, port = sys.argv[1:6]
tracing = tracing == "on"
port = int(port)
sys.path.insert(0, os.environ["BENCH_ROOT"])
sdk = None
if mode != "none":
    sdk = __import__(mode)
    integrations = __import__(f"{mode}.integrations.{operation}", fromlist=["x"])
    name = {"sqlalchemy": "SqlalchemyIntegration", "redis": "RedisIntegration",
            "celery": "CeleryIntegration", "rq": "RqIntegration"}[operation]
    redis_mod = __import__(mode + ".integrations.redis", fromlist=["x"])
    used = [getattr(integrations, name)()]
    if operation in ("celery", "rq"):
        used.append(redis_mod.RedisIntegration())
    sdk.init(dsn=dsn, release="bench@1", traces_sample_rate=1.0 if tracing else None,
             integrations=used)

BATCH = 100

def setup():
    if operation == "sqlalchemy":
        from sqlalchemy import create_engine, text
        conn = create_engine("sqlite:///:memory:").connect()
        stmt = text("SELECT 1")
        return lambda: conn.execute(stmt)
    if operation == "redis":
        import redis
        client = redis.Redis(host="127.0.0.1", port=port)
        client.set("bench-key", "value")
        return lambda: client.get("bench-key")
    if operation == "celery":
        from celery import Celery
        app = Celery("bench", broker=f"redis://127.0.0.1:{port}/1", backend=None,
                     set_as_current=False)
        app.conf.update(broker_connection_retry_on_startup=True, task_ignore_result=True)
        @app.task(name="bench.add")
        def add(x, y):
            return x + y
        add.delay(0, 0)  # connect, declare the queue
        def round_trip():
            add.delay(1, 2)  # the producer: submit and publish to Redis
            add.apply((1, 2))  # the worker's path: tracer, task call
        return round_trip
    if operation == "rq":
        import redis, rq
        conn = redis.Redis(host="127.0.0.1", port=port, db=2)
        queue = rq.Queue("bench", connection=conn)
        worker = rq.SimpleWorker([queue], connection=conn)
        from bench_rq_job import job
        def run_jobs(n):
            for _ in range(n):
                queue.enqueue(job, 1, result_ttl=0)
            worker.work(burst=True, logging_level="ERROR")
        return run_jobs
    raise SystemExit(operation)

op = setup()
N = {"sqlalchemy": 5000, "redis": 5000, "celery": 2000, "rq": 1000}[operation]

def run_batch():
    if operation == "rq":  # one worker run for the batch: its start-up is not per job
        if sdk is not None and tracing:
            with sdk.start_transaction(name="bench", op="bench"):
                op(BATCH)
        else:
            op(BATCH)
        return
    if sdk is not None and tracing:
        with sdk.start_transaction(name="bench", op="bench"):
            for _ in range(BATCH):
                op()
    else:
        for _ in range(BATCH):
            op()

def measured_batch():
    # Process CPU time, all threads: the SDK's sending thread counts (each batch ends
    # with a flush), the wait for Redis' answers does not (it is the same for all).
    t0 = time.process_time()
    run_batch()
    if sdk is not None:
        sdk.flush(10)
    return time.process_time() - t0

measured_batch()  # warm up (first-call imports, caches, connections)
batches = max(1, N // BATCH)
best = min(measured_batch() for _ in range(batches))  # the least disturbed batch
elapsed = best * batches
if sdk is not None:
    sdk.flush(10)
print(json.dumps({"us_per_op": elapsed / (batches * BATCH) * 1e6}))
"""

JOB_MODULE = "def job(x):\n    return x\n"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_redis(directory: str) -> Tuple[subprocess.Popen, int]:  # type: ignore[type-arg]
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("bench_data: redis-server is not installed")
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--dir", directory],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, port
        except OSError:
            time.sleep(0.05)
    raise SystemExit("bench_data: redis-server did not start")


def run_child(mode: str, dsn: str, operation: str, tracing: str, port: int, path: str) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
    env["BENCH_ROOT"] = ROOT
    env["PYTHONPATH"] = os.pathsep.join([path, os.path.join(ROOT, "src")])
    out = subprocess.run(
        [sys.executable, "-c", CHILD, mode, dsn, operation, tracing, str(port)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=path,
    )
    if out.returncode != 0:
        raise SystemExit(f"bench_data child failed ({mode} {operation}):\n{out.stderr[-3000:]}")
    return float(json.loads(out.stdout.strip().splitlines()[-1])["us_per_op"])


def main() -> None:
    from tests.receiver import Receiver

    directory = tempfile.mkdtemp(prefix="bench-data-")
    with open(os.path.join(directory, "bench_rq_job.py"), "w") as fh:
        fh.write(JOB_MODULE)
    proc, port = start_redis(directory)
    receiver = Receiver()
    results: Dict[Tuple[str, str, str], List[float]] = {}
    try:
        for _ in range(RUNS):
            for operation in OPERATIONS:
                for tracing in ("on", "off"):
                    for mode in MODES:
                        value = run_child(mode, receiver.dsn(), operation, tracing, port, directory)
                        results.setdefault((operation, tracing, mode), []).append(value)
                    receiver.clear()
    finally:
        receiver.close()
        proc.terminate()
        proc.wait(5)
        shutil.rmtree(directory, ignore_errors=True)

    print(f"\nbench_data: CPU time per operation (fastest batch of {RUNS} interleaved runs, µs)")
    header = (
        f"{'operation':<12}{'tracing':<9}{'no SDK':>9}{'sentry_sdk':>12}{'sentry_lite':>13}"
        f"{'sdk added':>11}{'lite added':>12}{'lite/sdk':>10}{'paired':>8}"
    )
    print(header)
    print("-" * len(header))
    for operation in OPERATIONS:
        for tracing in ("on", "off"):
            base, sdk, lite = (min(results[(operation, tracing, mode)]) for mode in MODES)
            sdk_added, lite_added = sdk - base, lite - base
            ratio = lite_added / sdk_added if sdk_added > 0 else float("nan")
            paired = paired_ratio(*(results[(operation, tracing, mode)] for mode in MODES))
            print(
                f"{operation:<12}{tracing:<9}{base:>9.1f}{sdk:>12.1f}{lite:>13.1f}"
                f"{sdk_added:>11.1f}{lite_added:>12.1f}{ratio:>10.2f}{paired:>8.2f}"
            )
    print(
        "paired: the median over runs of each run's own ratio (its three cells ran one after"
        " the other), less moved by a baseline that drifts between runs than the fastest"
        " cells of different runs"
    )


def paired_ratio(base: List[float], sdk: List[float], lite: List[float]) -> float:
    ratios = sorted((lt - b) / (s - b) for b, s, lt in zip(base, sdk, lite) if s - b > 0)
    return ratios[len(ratios) // 2] if ratios else float("nan")


if __name__ == "__main__":
    main()
