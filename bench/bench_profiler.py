"""Profiling benchmark: sentry_sdk vs sentry_lite side by side, in one run.

1. **Sampler cost per tick** with 10 and 50 idle threads, waiting 7 frames deep (a bare
   thread) or 30 (a web server's worker under framework code), and 10 busy threads for
   information: both SDKs' samplers are called directly, in this process, with one
   transaction profile open, 1 ms apart (so caches are as cold as between real ticks),
   after an untimed warm-up round (the first cell of a run was at times 2-5x slow for
   both SDKs); the figure is the CPU one tick costs (target: sentry_lite at most 0.1x of
   sentry_sdk).
2. **A busy Flask app** (an app thread serving requests back to back, each about 10 ms of
   work, plus 10 idle worker threads waiting 30 frames deep), each cell in a fresh
   interpreter, for no SDK and for each SDK with tracing only, tracing + transaction
   profiles (rate 1.0) and tracing + continuous profiling (``profile_lifecycle="trace"``).
   The clock is the process's CPU time (all threads: sampling and sending included).
   Reported: what each SDK adds to a traced request with profiling on (target: sentry_lite
   at most 0.2x of sentry_sdk) and what profiling itself costs, as a share of the one core
   the app keeps busy (target: at most 1%). Two cells without an SDK measure the floor
   any pure-Python sampler pays: a thread that only wakes at 101 Hz (``none/wake``), and
   one that also walks every thread's stack (``none/frames``): each wake takes the GIL
   from the busy app thread, whatever the thread then does. The added time is the app
   thread's CPU *outside the view* (the request minus its 10 ms of work): the work itself
   varies by 5-10% between interpreters, more than all an SDK adds, so whole-request
   figures (also printed) cannot tell the SDKs apart.

Run: ``python bench/bench_profiler.py`` (env BENCH_SECONDS per Flask cell, BENCH_TICKS).
Events go to a sink on 127.0.0.1 in this process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "src"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "3"))
TICKS = int(os.environ.get("BENCH_TICKS", "300"))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
"""Flask cells run this many times, interleaved across SDKs; each figure's median is kept."""


# -- 1. the sampler, per tick -----------------------------------------------------------


def _idle_threads(count: int, depth: int) -> Callable[[], None]:
    """Threads waiting for work ``depth`` frames down, as a web server's workers wait
    under its framework's frames (7 is a bare thread blocked in ``Event.wait``)."""
    stop = threading.Event()

    def idle(level: int) -> None:
        if level > 7:
            idle(level - 1)
        else:
            stop.wait()

    threads = [threading.Thread(target=idle, args=(depth,), name=f"idle-{i}") for i in range(count)]
    for thread in threads:
        thread.start()

    def release() -> None:
        stop.set()
        for thread in threads:
            thread.join()

    return release


def _busy_threads(count: int) -> Callable[[], None]:
    stop = threading.Event()

    def spin() -> None:
        def compute(n: int) -> int:
            return sum(i * i for i in range(n))

        while not stop.is_set():
            compute(500)

    threads = [threading.Thread(target=spin, name=f"busy-{i}") for i in range(count)]
    for thread in threads:
        thread.start()

    def release() -> None:
        stop.set()
        for thread in threads:
            thread.join()

    return release


def _sdk_tick() -> Callable[[], None]:
    from sentry_sdk.profiler.transaction_profiler import Profile, ThreadScheduler

    scheduler = ThreadScheduler(frequency=101)
    profile = Profile(True, time.perf_counter_ns(), scheduler=scheduler)
    profile.active = True
    scheduler.new_profiles.append(profile)
    return scheduler.sampler  # type: ignore[no-any-return]


def _lite_tick() -> Callable[[], None]:
    from sentry_lite.profiler.engine import Engine
    from sentry_lite.profiler.sampler import Sampler
    from sentry_lite.profiler.stacks import StackWalker
    from sentry_lite.profiler.transaction_profile import TransactionProfile

    engine = Engine(Sampler(StackWalker({"project_root": ROOT})))
    engine.sampler.set_own_ident(threading.get_ident())
    profile = TransactionProfile(engine, {}, lambda *a: None, threading.get_ident())
    engine._pending.append(profile)
    return engine.tick


def _per_tick(tick: Callable[[], None]) -> float:
    """CPU µs of one tick, median of batches; ticks spaced like the real thread's."""
    tick()
    samples: List[float] = []
    for _ in range(TICKS):
        t0 = time.thread_time()
        tick()
        samples.append(time.thread_time() - t0)
        time.sleep(0.001)  # the app's threads run between ticks, as they would
    samples.sort()
    return samples[len(samples) // 2] * 1e6


def sampler_section() -> Dict[str, Dict[str, float]]:
    release = _idle_threads(10, 7)  # warm-up, not reported
    try:
        _per_tick(_sdk_tick())
        _per_tick(_lite_tick())
    finally:
        release()
    out: Dict[str, Dict[str, float]] = {}
    for label, make in (
        ("10 idle, 7 frames", lambda: _idle_threads(10, 7)),
        ("50 idle, 7 frames", lambda: _idle_threads(50, 7)),
        ("10 idle, 30 frames", lambda: _idle_threads(10, 30)),
        ("50 idle, 30 frames", lambda: _idle_threads(50, 30)),
        ("10 busy threads", lambda: _busy_threads(10)),
    ):
        release = make()
        try:
            time.sleep(0.05)
            out[label] = {
                "sentry_sdk": _per_tick(_sdk_tick()),
                "sentry_lite": _per_tick(_lite_tick()),
            }
        finally:
            release()
    return out


# -- 2. a busy Flask app --------------------------------------------------------------------

CHILD = r"""
import json, os, sys, threading, time, warnings
mode, profiling, dsn, seconds = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
warnings.simplefilter("ignore", DeprecationWarning)
import logging
logging.disable(logging.CRITICAL)
stop = threading.Event()
def wait_for_work(level):  # a worker pool's thread, waiting 30 frames down
    return wait_for_work(level - 1) if level > 7 else stop.wait()
workers = [threading.Thread(target=wait_for_work, args=(30,)) for _ in range(10)]
for w in workers:
    w.start()
sdk = None if mode == "none" else __import__(mode)
if sdk is None and profiling in ("wake", "frames"):
    def floor_sampler():  # the least any pure-Python 101 Hz sampler thread does
        interval = 1 / 101
        next_tick = time.perf_counter()
        while True:
            next_tick += interval
            time.sleep(max(next_tick - time.perf_counter(), 0))
            if profiling == "frames":  # read every thread's stack, record nothing
                for frame in sys._current_frames().values():
                    while frame is not None:
                        frame = frame.f_back
    threading.Thread(target=floor_sampler, name="floor-profiler", daemon=True).start()
in_ticks = [0.0]
def counted(tick):  # CPU spent inside the SDK's per-tick sampling function
    def run(*args, **kwargs):
        t0 = time.thread_time()
        try:
            return tick(*args, **kwargs)
        finally:
            in_ticks[0] += time.thread_time() - t0
    return run
if mode == "sentry_sdk":
    from sentry_sdk.profiler import continuous_profiler as cp, transaction_profiler as tp
    for cls in (tp.Scheduler, cp.ContinuousScheduler):
        cls.make_sampler = (lambda make: lambda self: counted(make(self)))(cls.make_sampler)
elif mode == "sentry_lite":
    from sentry_lite.profiler.engine import Engine
    Engine.tick = counted(Engine.tick)
if sdk is not None:
    opts = dict(dsn=dsn, release="bench@1", environment="bench", traces_sample_rate=1.0)
    if profiling == "transaction":
        opts["profiles_sample_rate"] = 1.0
    elif profiling == "continuous":
        opts.update(profile_session_sample_rate=1.0, profile_lifecycle="trace")
    sdk.init(**opts)
from flask import Flask
import io
app = Flask("bench")

def render(n):
    return sum(i * i for i in range(n))

in_view = [0.0]
@app.route("/work")
def work():  # a fixed amount of work (about 10 ms here), so CPU per request compares
    t0 = time.thread_time()
    for _ in range(500):
        render(300)
    in_view[0] += time.thread_time() - t0
    return "ok"

def one():
    env = {
        "REQUEST_METHOD": "GET", "PATH_INFO": "/work", "QUERY_STRING": "", "SERVER_NAME": "x",
        "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": "x",
        "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr,
        "wsgi.multithread": True, "wsgi.multiprocess": False, "wsgi.run_once": False,
        "wsgi.version": (1, 0), "REMOTE_ADDR": "127.0.0.1",
    }
    for _ in app(env, lambda status, headers, exc_info=None: None):
        pass

for _ in range(20):
    one()
if sdk is not None:
    sdk.flush(5)
def profiler_thread():
    for t in threading.enumerate():
        if "profiler" in t.name.lower():
            return t
    return None
def thread_cpu(thread):
    if thread is None:
        return 0.0
    try:
        return time.clock_gettime(time.pthread_getcpuclockid(thread.ident))
    except (OSError, AttributeError):
        return 0.0
one()
prof = profiler_thread()
p0, k0 = thread_cpu(prof), in_ticks[0]
c0, a0, w0, v0 = time.process_time(), time.thread_time(), time.perf_counter(), in_view[0]
n = 0
while time.perf_counter() - w0 < seconds:
    one()
    n += 1
app = time.thread_time() - a0
outside = app - (in_view[0] - v0)  # the request minus its view: Flask's and the SDK's part
if sdk is not None:
    sdk.flush(10)
wall = time.perf_counter() - w0
cpu = time.process_time() - c0
print(json.dumps({"requests": n, "cpu_per_request_us": cpu / n * 1e6,
                  "app_per_request_us": app / n * 1e6,
                  "outside_view_us": outside / n * 1e6,
                  "tick_core_share": (in_ticks[0] - k0) / wall,
                  "profiler_core_share": (thread_cpu(prof) - p0) / wall,
                  "profiler_thread": prof.name if prof else None}))
stop.set()
os._exit(0)
"""


class _Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def _cell(mode: str, profiling: str, dsn: str) -> Dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"))
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, mode, profiling, dsn, str(SECONDS)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def flask_section(dsn: str) -> Dict[str, Dict[str, Any]]:
    cells = [("none", "off"), ("none", "wake"), ("none", "frames")] + [
        (sdk, profiling)
        for sdk in ("sentry_sdk", "sentry_lite")
        for profiling in ("off", "transaction", "continuous")
    ]
    runs: Dict[str, List[Dict[str, Any]]] = {}
    for _ in range(RUNS):
        for mode, profiling in cells:
            runs.setdefault(f"{mode}/{profiling}", []).append(_cell(mode, profiling, dsn))
    return {key: _median_run(results) for key, results in runs.items()}


def _median_run(runs: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Each figure's median over the runs (the machine is shared: load comes and goes)."""
    out = dict(runs[0])
    for field in (
        "cpu_per_request_us",
        "app_per_request_us",
        "outside_view_us",
        "tick_core_share",
    ):
        values = sorted(run[field] for run in runs)
        out[field] = values[len(values) // 2]
    out["profiler_core_share"] = sorted(r["profiler_core_share"] for r in runs)[len(runs) // 2]
    return out


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    dsn = f"http://public@127.0.0.1:{server.server_address[1]}/1"

    print("1. Sampler CPU per tick, one transaction profile open (median µs)")
    print(f"{'':20} {'sentry_sdk':>12} {'sentry_lite':>12} {'ratio':>7}  target")
    for label, row in sampler_section().items():
        ratio = row["sentry_lite"] / row["sentry_sdk"]
        target = "<= 0.1" if "idle" in label else "(info)"
        sdk, lite = row["sentry_sdk"], row["sentry_lite"]
        print(f"{label:20} {sdk:12.1f} {lite:12.1f} {ratio:7.3f}  {target}")

    print(
        f"\n2. Busy Flask app, 10 ms requests + 10 idle threads, {SECONDS:g} s per cell, "
        f"median of {RUNS}"
    )
    results = flask_section(dsn)
    base = results["none/off"]
    print(
        f"{'cell':24} {'req':>5} {'CPU/req µs':>11} {'added':>7} {'app thread':>11}"
        f" {'added':>7} {'outside view':>13} {'added':>7} {'sampling % core':>16}"
    )
    for key, row in results.items():
        cpu, app = row["cpu_per_request_us"], row["app_per_request_us"]
        print(
            f"{key:24} {row['requests']:5d} {cpu:11.1f} {cpu - base['cpu_per_request_us']:7.1f}"
            f" {app:11.1f} {app - base['app_per_request_us']:7.1f}"
            f" {row['outside_view_us']:13.1f}"
            f" {row['outside_view_us'] - base['outside_view_us']:7.1f}"
            f" {row['tick_core_share'] * 100:16.3f}"
        )
    print("\nprofiling, sentry_lite vs sentry_sdk")
    for profiling in ("transaction", "continuous"):
        sdk, lite = results[f"sentry_sdk/{profiling}"], results[f"sentry_lite/{profiling}"]
        added = {
            name: row["outside_view_us"] - base["outside_view_us"]
            for name, row in (("sdk", sdk), ("lite", lite))
        }
        print(
            f"  {profiling}: app-thread time added to a traced request (outside its view)"
            f" {added['lite']:.0f} vs {added['sdk']:.0f} µs ="
            f" {added['lite'] / added['sdk']:.3f} (target <= 0.2);"
            f" sampling {lite['tick_core_share'] * 100:.2f}% vs"
            f" {sdk['tick_core_share'] * 100:.2f}% of a core (target <= 1%);"
            f" sentry_lite's whole profiler thread {lite['profiler_core_share'] * 100:.2f}%"
        )
    floor = {
        kind: results[f"none/{kind}"]["outside_view_us"] - base["outside_view_us"]
        for kind in ("wake", "frames")
    }
    print(
        f"  floor, no SDK: a Python thread waking at 101 Hz adds {floor['wake']:.0f} µs to a"
        f" request outside its view, {floor['frames']:.0f} µs if it also walks every stack"
        " (the same wakes cost more after a longer request path: see docs/benchmarks.md)"
    )
    server.shutdown()


if __name__ == "__main__":
    main()
