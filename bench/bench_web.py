"""Web benchmark: time an SDK adds to one request, no SDK vs sentry_sdk vs sentry_lite.

Each (framework, SDK, tracing) cell runs in a fresh interpreter. Requests are driven by
direct WSGI/ASGI calls (no test client, no sockets), so the numbers are the SDK's cost
plus the framework's. Events go over real HTTP to a sink on 127.0.0.1 (this process).
Each timed batch ends with a flush, so the worker threads' sending (serialising,
compressing, HTTP) is counted and no queue overflows. The clock is the child process's
CPU time (all its threads) by default, which other load on the machine does not inflate;
``BENCH_CLOCK=wall`` measures wall time instead.

Run: ``python bench/bench_web.py`` (env BENCH_FRAMEWORKS=flask,starlette,fastapi,django;
BENCH_TRACING=unset,1.0,stream,stream0; BENCH_REQUESTS per batch; BENCH_BATCHES). Prints
per-request µs and the added-time ratios sentry_lite / sentry_sdk, with the targets.
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
FRAMEWORKS = os.environ.get("BENCH_FRAMEWORKS", "flask,starlette,fastapi,django").split(",")
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
"""Each cell runs this many times, interleaved across SDKs; the minimum is kept."""
TRACING = os.environ.get("BENCH_TRACING", "unset,1.0,stream,stream0").split(",")
"""unset / 1.0: transactions off / sampled; stream / stream0: span streaming
(``trace_lifecycle="stream"``), sampled / unsampled (issue 14's traced request)."""
TARGETS = {
    "ok_unset": 0.10,
    "ok_1.0": 0.15,
    "fail_unset": 0.25,
    "fail_1.0": 0.25,
    "ok_stream": 0.2,
    "fail_stream": 0.25,
    "ok_stream0": 0.1,
    "fail_stream0": 0.25,
}

CHILD = r"""
import asyncio, gc, json, os, sys, time
framework, mode, tracing, dsn = sys.argv[1:5]
# CPU time of the whole process (app thread + the SDK's worker threads), not wall time:
# on a shared machine other processes' load would swamp the differences we measure.
CLOCK = time.process_time if os.environ.get("BENCH_CLOCK", "cpu") == "cpu" else time.perf_counter
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "100"))
BATCHES = int(os.environ.get("BENCH_BATCHES", "15"))
sdk = None if mode == "none" else __import__(mode)
if sdk is not None:
    opts = dict(dsn=dsn, release="bench@1", environment="bench")
    if tracing == "1.0":
        opts["traces_sample_rate"] = 1.0
    elif tracing.startswith("stream"):
        opts["traces_sample_rate"] = 0.0 if tracing == "stream0" else 1.0
        opts["trace_lifecycle"] = "stream"
    sdk.init(**opts)
    # the framework is imported after init, as in the tutorials: auto-enabling applies

import logging
logging.disable(logging.CRITICAL)

def wsgi_env(path):
    return {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "a=1",
        "SERVER_NAME": "localhost", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "localhost", "HTTP_USER_AGENT": "bench", "HTTP_ACCEPT": "*/*",
        "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http", "wsgi.input": None,
        "wsgi.errors": sys.stderr, "wsgi.multithread": False, "wsgi.multiprocess": False,
        "wsgi.run_once": False, "wsgi.version": (1, 0),
    }

def start_response(status, headers, exc_info=None):
    return lambda data: None

def wsgi_runner(app):
    import io
    def one(path):
        env = wsgi_env(path)
        env["wsgi.input"] = io.BytesIO(b"")
        try:
            resp = app(env, start_response)
            for _ in resp:
                pass
            close = getattr(resp, "close", None)
            if close:
                close()
        except Exception:
            pass
    return one

def asgi_runner(app):
    loop = asyncio.new_event_loop()
    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}
    async def send(message):
        pass
    def scope(path):
        return {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": "GET", "scheme": "http", "path": path, "raw_path": path.encode(),
            "root_path": "", "query_string": b"a=1",
            "headers": [(b"host", b"localhost"), (b"user-agent", b"bench"), (b"accept", b"*/*")],
            "client": ("127.0.0.1", 5000), "server": ("localhost", 80),
        }
    async def many(path, n):
        for _ in range(n):
            try:
                await app(scope(path), receive, send)
            except Exception:
                pass
    def batch(path, n):
        loop.run_until_complete(many(path, n))
    return batch

if framework == "flask":
    from flask import Flask
    app = Flask("bench")
    @app.route("/ok")
    def ok():
        return "ok"
    @app.route("/fail")
    def fail():
        items = {"a": 1, "b": [1, 2, 3]}
        raise ValueError("boom %d" % len(items))
    one = wsgi_runner(app)
    def batch(path, n):
        for _ in range(n):
            one(path)
elif framework == "django":
    import django
    from django.conf import settings
    settings.configure(
        DEBUG=False, SECRET_KEY="x", ROOT_URLCONF=__name__, ALLOWED_HOSTS=["*"],
        MIDDLEWARE=[], INSTALLED_APPS=[], LOGGING_CONFIG=None,
    )
    django.setup()
    from django.http import HttpResponse
    from django.urls import path as url_path
    def ok(request):
        return HttpResponse("ok")
    def fail(request):
        items = {"a": 1, "b": [1, 2, 3]}
        raise ValueError("boom %d" % len(items))
    urlpatterns = [url_path("ok", ok), url_path("fail", fail)]
    from django.core.handlers.wsgi import WSGIHandler
    one = wsgi_runner(WSGIHandler())
    def batch(path, n):
        for _ in range(n):
            one(path)
else:
    if framework == "fastapi":
        from fastapi import FastAPI
        app = FastAPI()
        @app.get("/ok")
        async def ok():
            return {"ok": True}
        @app.get("/fail")
        async def fail():
            items = {"a": 1, "b": [1, 2, 3]}
            raise ValueError("boom %d" % len(items))
    else:
        from starlette.applications import Starlette
        from starlette.responses import PlainTextResponse
        from starlette.routing import Route
        async def ok(request):
            return PlainTextResponse("ok")
        async def fail(request):
            items = {"a": 1, "b": [1, 2, 3]}
            raise ValueError("boom %d" % len(items))
        app = Starlette(routes=[Route("/ok", ok), Route("/fail", fail)])
    batch = asgi_runner(app)

out = {}
for name, path in (("ok", "/ok"), ("fail", "/fail")):
    # Failing requests cost milliseconds with an SDK: fewer per batch, same precision.
    per_batch = REQUESTS if name == "ok" else max(REQUESTS // 10, 5)
    batch(path, 20)  # warm up
    if sdk is not None:
        sdk.flush(5)
    times = []
    for _ in range(BATCHES):
        gc.collect()
        t0 = CLOCK()
        batch(path, per_batch)
        if sdk is not None:
            sdk.flush(5)  # the worker's sending is part of the cost: inside the timing
        times.append((CLOCK() - t0) / per_batch * 1e6)
    times.sort()
    out[name] = times[len(times) // 2]
print(json.dumps(out))
"""


class _Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def _cell(framework: str, mode: str, tracing: str, dsn: str) -> Optional[Dict[str, float]]:
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"))
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, framework, mode, tracing, dsn],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    if proc.returncode != 0:
        sys.stderr.write(f"{framework}/{mode}/{tracing} failed:\n{proc.stderr[-2000:]}\n")
        return None
    result: Dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    dsn = f"http://public@127.0.0.1:{server.server_address[1]}/1"
    rows: List[str] = []
    misses: List[str] = []
    header = (
        f"{'framework':<10} {'tracing':<7} {'endpoint':<8} {'no SDK':>9} {'sentry_sdk':>11} "
        f"{'sentry_lite':>12} {'sdk adds':>9} {'lite adds':>10} {'ratio':>6} {'target':>7}"
    )
    print(header)
    print("-" * len(header))
    for framework in FRAMEWORKS:
        for tracing in TRACING:
            runs: Dict[str, List[Dict[str, float]]] = {
                "none": [],
                "sentry_sdk": [],
                "sentry_lite": [],
            }
            for _ in range(RUNS):
                for mode in runs:
                    result = _cell(framework, mode, tracing, dsn)
                    if result:
                        runs[mode].append(result)
            if not all(runs.values()):
                continue
            base, ref, lite = (
                {key: min(r[key] for r in runs[mode]) for key in ("ok", "fail")}
                for mode in ("none", "sentry_sdk", "sentry_lite")
            )
            for endpoint in ("ok", "fail"):
                sdk_adds = ref[endpoint] - base[endpoint]
                lite_adds = lite[endpoint] - base[endpoint]
                ratio = lite_adds / sdk_adds if sdk_adds > 0 else float("nan")
                target = TARGETS[f"{endpoint}_{tracing}"]
                ok = ratio <= target
                if not ok:
                    misses.append(f"{framework}/{tracing}/{endpoint}")
                line = (
                    f"{framework:<10} {tracing:<7} {endpoint:<8} {base[endpoint]:>8.1f}µ "
                    f"{ref[endpoint]:>10.1f}µ {lite[endpoint]:>11.1f}µ {sdk_adds:>8.1f}µ "
                    f"{lite_adds:>9.1f}µ {ratio:>6.3f} {'<=' + str(target):>7}"
                    f"{'' if ok else '  MISS'}"
                )
                print(line, flush=True)
                rows.append(line)
    server.shutdown()
    server.server_close()
    print()
    print("all targets met" if not misses else "targets missed: " + ", ".join(misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
