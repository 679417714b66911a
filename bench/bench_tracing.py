"""Tracing benchmark: no SDK vs sentry_sdk vs sentry_lite, in one run.

Workload: one transaction with 10 child spans (``with start_transaction(...)`` around ten
``with start_span(...)``), sampled (``traces_sample_rate=1.0``, so the app thread also
pays for building and capturing the transaction event) and unsampled (rate 0.0).

Each (SDK, rate) pair runs in a fresh interpreter against a receiver on 127.0.0.1 in this
process. Transactions are timed in small batches (``BENCH_BATCH``), each followed by an
untimed ``flush()``, so the SDK's worker thread delivers the envelopes while nothing is
timed: the figure is app-thread cost, not GIL contention with the worker. It is the
median over ``BENCH_BATCHES`` batches. Run: ``python bench/bench_tracing.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BATCHES = int(os.environ.get("BENCH_BATCHES", "500"))
BATCH = int(os.environ.get("BENCH_BATCH", "2"))
PAUSE = float(os.environ.get("BENCH_PAUSE", "0"))
"""Extra seconds between batches, after the untimed ``flush``."""

CHILD = r"""
import contextlib, json, statistics, sys, time
mode, dsn, rate = sys.argv[1], sys.argv[2], float(sys.argv[3])
batches, batch, pause = int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])

if mode == "none":
    class sdk:
        start_transaction = staticmethod(lambda **kw: contextlib.nullcontext())
        start_span = staticmethod(lambda **kw: contextlib.nullcontext())
        flush = staticmethod(lambda *a: None)
else:
    sdk = __import__(mode)
    sdk.init(dsn=dsn, traces_sample_rate=rate, release="bench@1")

def transaction():
    with sdk.start_transaction(op="task", name="bench"):
        for i in range(10):
            with sdk.start_span(op="db.query", name="SELECT 1"):
                pass

for _ in range(200):
    transaction()
sdk.flush(10)
per_txn = []
clock = time.perf_counter
for _ in range(batches):
    start = clock()
    for _ in range(batch):
        transaction()
    per_txn.append((clock() - start) / batch)
    sdk.flush(10)  # untimed: the worker delivers while nothing is measured
    time.sleep(pause)
sdk.flush(10)
print(json.dumps({"median_us": statistics.median(per_txn) * 1e6,
                  "best_us": min(per_txn) * 1e6}))
"""


class Sink:
    """Accepts envelopes and answers 200, counting requests."""

    def __init__(self) -> None:
        self.count = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

            def do_POST(self) -> None:  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.count += 1
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.dsn = f"http://public@127.0.0.1:{self.server.server_address[1]}/1"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def measure(mode: str, rate: float, dsn: str) -> Dict[str, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
    # Unsampled transactions send nothing: bigger batches, less timer and flush noise.
    batch = BATCH if rate else BATCH * 10
    out = subprocess.run(
        [sys.executable, "-c", CHILD, mode, dsn, str(rate), str(BATCHES), str(batch), str(PAUSE)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def ratio(ours: float, theirs: Optional[float]) -> str:
    return f"{ours / theirs:.3f}x" if theirs else "-"


def main() -> None:
    sink = Sink()
    try:
        results: Dict[str, Dict[str, Dict[str, float]]] = {}
        for mode in ("none", "sentry_sdk", "sentry_lite"):
            results[mode] = {
                "sampled": measure(mode, 1.0, sink.dsn),
                "unsampled": measure(mode, 0.0, sink.dsn),
            }
    finally:
        sink.close()
    rows: List[str] = [
        "transaction + 10 child spans, app-thread time per transaction (median of "
        f"{BATCHES} batches of {BATCH} sampled / {BATCH * 10} unsampled; best in brackets)",
        f"{'':14}{'sampled':>22}{'unsampled':>22}",
    ]
    for mode, res in results.items():
        cells = "".join(
            f"{res[k]['median_us']:>12.1f} us ({res[k]['best_us']:.1f})".rjust(22)
            for k in ("sampled", "unsampled")
        )
        rows.append(f"{mode:14}{cells}")
    sdk, lite = results["sentry_sdk"], results["sentry_lite"]
    rows.append(
        f"{'lite / sdk':14}"
        f"{ratio(lite['sampled']['median_us'], sdk['sampled']['median_us']):>22}"
        f"{ratio(lite['unsampled']['median_us'], sdk['unsampled']['median_us']):>22}"
    )
    rows.append(f"{'targets':14}{'<= 0.2x':>22}{'<= 0.1x':>22}")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
