"""Instructions per Flask request, no SDK vs sentry_sdk vs sentry_lite, under callgrind.

Why: the timed benchmarks (``bench_web.py``) move by a few µs between runs on a shared
machine, as much as a change to the request path saves. The number of instructions a
request runs does not depend on the machine's load: it tells whether a change made the
path shorter, to a fraction of a percent. It is not a time (cache misses and GIL
switches are not in it), so the targets stay with ``bench_web``.

Each cell runs a fresh interpreter under ``valgrind --tool=callgrind`` twice, with 0
and with ``BENCH_REQUESTS`` requests after the same warm-up; the difference divided by
the requests is one request's instructions (all threads: the SDK's sending included, as
each run ends with a flush). Events go to a sink on 127.0.0.1 in this process.

Run: ``python bench/bench_instructions.py`` (env BENCH_TRACING=unset,stream0,1.0,
BENCH_REQUESTS). Needs valgrind (``apt-get install valgrind``); about 12 minutes for the
three tracing modes (sentry_sdk's import and sending under valgrind are most of it).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
from http.server import ThreadingHTTPServer
from typing import Dict, Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_web import ROOT, _Sink  # noqa: E402 - the same sink as the timed benchmark

TRACING = os.environ.get("BENCH_TRACING", "unset,stream0,1.0").split(",")
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "1000"))

CHILD = r"""
import io, os, sys
mode, tracing, dsn, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
sdk = None if mode == "none" else __import__(mode)
if sdk is not None:
    opts = dict(dsn=dsn, release="bench@1", environment="bench")
    if tracing == "1.0":
        opts["traces_sample_rate"] = 1.0
    elif tracing == "stream0":
        opts.update(traces_sample_rate=0.0, trace_lifecycle="stream")
    sdk.init(**opts)
import logging
logging.disable(logging.CRITICAL)
from flask import Flask
app = Flask("bench")
@app.route("/ok")
def ok():
    return "ok"
base = {
    "REQUEST_METHOD": "GET", "PATH_INFO": "/ok", "QUERY_STRING": "a=1",
    "SERVER_NAME": "localhost", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
    "HTTP_HOST": "localhost", "HTTP_USER_AGENT": "bench", "HTTP_ACCEPT": "*/*",
    "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
    "wsgi.multithread": False, "wsgi.multiprocess": False, "wsgi.run_once": False,
    "wsgi.version": (1, 0),
}
def one():
    env = dict(base, **{"wsgi.input": io.BytesIO(b"")})
    response = app(env, lambda status, headers, exc_info=None: None)
    for _ in response:
        pass
    response.close()
for _ in range(300):
    one()
if sdk is not None:
    sdk.flush(10)
for _ in range(n):
    one()
if sdk is not None and n:
    sdk.flush(10)
os._exit(0)
"""


def _instructions(mode: str, tracing: str, dsn: str, requests: int) -> int:
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"))
    proc = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            "-c",
            CHILD,
            mode,
            tracing,
            dsn,
            str(requests),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    found = re.search(r"Collected : (\d+)", proc.stderr)
    if proc.returncode != 0 or found is None:
        raise RuntimeError(proc.stderr[-2000:])
    return int(found.group(1))


def per_request(mode: str, tracing: str, dsn: str) -> float:
    return (
        _instructions(mode, tracing, dsn, REQUESTS) - _instructions(mode, tracing, dsn, 0)
    ) / REQUESTS


def main() -> None:
    if shutil.which("valgrind") is None:
        print("valgrind is not installed: apt-get install valgrind")
        return
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    dsn = f"http://public@127.0.0.1:{server.server_address[1]}/1"
    print(f"Flask request, instructions (callgrind Ir, all threads), {REQUESTS} requests")
    print(
        f"{'tracing':8} {'no SDK':>10} {'sentry_sdk':>11} {'sentry_lite':>12} "
        f"{'sdk adds':>10} {'lite adds':>10} {'ratio':>6}"
    )
    for tracing in TRACING:
        row: Dict[str, float] = {}
        for mode in ("none", "sentry_sdk", "sentry_lite"):
            row[mode] = per_request(mode, tracing, dsn)
        sdk_adds = row["sentry_sdk"] - row["none"]
        lite_adds = row["sentry_lite"] - row["none"]
        ratio: Optional[float] = lite_adds / sdk_adds if sdk_adds > 0 else None
        print(
            f"{tracing:8} {row['none']:10.0f} {row['sentry_sdk']:11.0f} "
            f"{row['sentry_lite']:12.0f} {sdk_adds:10.0f} {lite_adds:10.0f} "
            f"{ratio if ratio is not None else float('nan'):6.3f}"
        )


if __name__ == "__main__":
    main()
