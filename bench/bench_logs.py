"""Logs, metrics and sessions: no SDK vs sentry_sdk vs sentry_lite, in one run.

App-thread time per call (median of several fresh interpreters, each timing batches of
calls) of:
  * ``logger.info`` with a template parameter and two attributes,
  * a stdlib ``logging.info`` with ``enable_logs=True`` (the record becomes a Sentry Log),
  * ``metrics.count`` with an attribute,
  * a WSGI request through the SDK's WSGI middleware with release-health sessions on.
Items go to a local sink on 127.0.0.1, so the batching threads do real HTTP work while
the app thread is timed. Run: ``python bench/bench_logs.py``. Prints the ratios
sentry_lite / sentry_sdk, of the whole call and of the SDK's part (call minus no SDK).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))

CHILD = r"""
import json, logging, sys, time, warnings
warnings.simplefilter("ignore")
mode, dsn = sys.argv[1], sys.argv[2]
sdk = None if mode == "none" else __import__(mode)
if sdk is not None:
    sdk.init(dsn=dsn, release="bench@1", enable_logs=True)
    Middleware = __import__(mode + ".integrations.wsgi", fromlist=["x"]).SentryWsgiMiddleware
log = logging.getLogger("bench.app")
log.setLevel(logging.INFO)
log.propagate = False  # no handler output; the SDK hooks callHandlers, not a handler

def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]

wsgi = app if sdk is None else Middleware(app)
environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/x", "SERVER_NAME": "h", "SERVER_PORT": "80",
           "wsgi.url_scheme": "http", "HTTP_HOST": "h", "QUERY_STRING": ""}
def start_response(status, headers, exc_info=None):
    return None

def per_call_us(fn, n=500, batches=9):
    # Batches of 500 spaced 50 ms apart: an app logging hard, yet below the point where
    # either SDK drops (1000 waiting logs); wall time includes waiting for the GIL while
    # the SDK's threads encode and send, CPU time is the calling thread's own.
    wall, cpu = [], []
    for _ in range(batches):
        t, c = time.perf_counter(), time.thread_time()
        for _ in range(n):
            fn()
        cpu.append((time.thread_time() - c) / n * 1e6)
        wall.append((time.perf_counter() - t) / n * 1e6)
        time.sleep(0.05)
    return sorted(wall)[len(wall) // 2], sorted(cpu)[len(cpu) // 2]

def logger_info():
    sdk.logger.info("Paid {amount}", amount=3, attributes={"shop": "north", "tier": 2})

def stdlib_info():
    log.info("order %s shipped", 42)

def metric_count():
    sdk.metrics.count("orders", 1, attributes={"shop": "north"})

def request():
    body = wsgi(dict(environ), start_response)
    for _ in body:
        pass
    close = getattr(body, "close", None)
    if close is not None:
        close()

out = {"stdlib_info": per_call_us(stdlib_info), "wsgi_request": per_call_us(request)}
if sdk is not None:
    out["logger_info"] = per_call_us(logger_info)
    out["metrics_count"] = per_call_us(metric_count)
    sdk.flush(5)
print(json.dumps(out))
"""


class _Sink(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def run(mode: str, dsn: str) -> Dict[str, List[float]]:
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"))
    env = {k: v for k, v in env.items() if not k.startswith("SENTRY_")}
    out = subprocess.run(
        [sys.executable, "-c", CHILD, mode, dsn],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=300,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    dsn = f"http://public@127.0.0.1:{server.server_address[1]}/1"
    results: Dict[str, List[Dict[str, List[float]]]] = {
        "none": [],
        "sentry_sdk": [],
        "sentry_lite": [],
    }
    for _ in range(RUNS):
        for mode in results:  # interleaved, so machine noise hits all three alike
            results[mode].append(run(mode, dsn))
    server.shutdown()
    for index, label in ((0, "wall"), (1, "thread CPU")):
        med = {
            mode: {key: statistics.median(r[key][index] for r in runs) for key in runs[0]}
            for mode, runs in results.items()
        }
        print(f"\napp-thread {label}, us/call")
        print(
            f"{'':<16}{'no SDK':>9}{'sentry_sdk':>12}{'sentry_lite':>13}"
            f"{'lite/sdk':>10}{'SDK part lite/sdk':>19}"
        )
        for key in ("logger_info", "stdlib_info", "metrics_count", "wsgi_request"):
            base = med["none"].get(key, 0.0)
            ref, lite = med["sentry_sdk"][key], med["sentry_lite"][key]
            over = (lite - base) / (ref - base) if ref > base else float("nan")
            print(f"{key:<16}{base:>9.2f}{ref:>12.2f}{lite:>13.2f}{lite / ref:>10.2f}{over:>19.2f}")


if __name__ == "__main__":
    main()
