"""Delivery at a real ingest's latency: sentry_sdk and sentry_lite side by side, one run.

Usage: ``python bench/bench_latency.py [--latency 0.05] [--rate 200] [--seconds 5]
[--burst 10000]``

The receiver (its own process, from bench_transport.py) answers every request after
``--latency`` seconds, as an ingest tens of milliseconds away does. Both SDKs:

* sustained: the app captures ``--rate`` messages per second for ``--seconds``, then
  ``flush(30)``; delivered, lost, and delivered events per second until the last arrived.
* burst: ``--burst`` messages in a tight loop, then ``flush(60)``; sentry_lite with
  ``cache_dir`` (its outbox). Delivered, and how long it took.

Throughput at latency is connections / round trip (see docs/delivery.md). A script that
prints a table, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from typing import Any, Dict, List, Optional

from bench_transport import ROOT, ReceiverProcess

APP = textwrap.dedent(
    """
    import json, sys, time
    sdk, scenario, dsn, rate, seconds, cache = sys.argv[1:7]
    rate, seconds = float(rate), float(seconds)
    if sdk == "sentry_sdk":
        import sentry_sdk as S
    else:
        import sentry_lite as S
    options = dict(dsn=dsn)
    if cache != "-":
        options.update(cache_dir=cache, cache_max_envelopes=100_000)
    S.init(**options)
    out = {}
    start = time.perf_counter()
    captured = 0
    if scenario == "sustained":
        while time.perf_counter() - start < seconds:
            due = int((time.perf_counter() - start) * rate)
            while captured < due:
                S.capture_message(f"m{captured}")
                captured += 1
            time.sleep(0.001)
        S.flush(30)
    else:
        for captured in range(int(rate)):
            S.capture_message(f"m{captured}")
        captured += 1
        S.flush(60)
    out["captured"] = captured
    out["elapsed"] = time.perf_counter() - start
    print(json.dumps(out), flush=True)
    """
)


def run(sdk: str, scenario: str, dsn: str, rate: float, seconds: float, cache: str) -> Any:
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"))
    for name in ("SENTRY_DSN", "SENTRY_CACHE_DIR"):
        env.pop(name, None)
    args = [sys.executable, "-c", APP, sdk, scenario, dsn, str(rate), str(seconds), cache]
    proc = subprocess.run(args, capture_output=True, text=True, env=env, timeout=600)
    lines = [x for x in proc.stdout.splitlines() if x.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"{sdk} {scenario} failed: {proc.stderr[-2000:]}")
    return json.loads(lines[-1])


def measure(sdk: str, scenario: str, args: argparse.Namespace) -> Dict[str, Any]:
    receiver = ReceiverProcess(latency=args.latency)
    cache = "-"
    if sdk == "sentry_lite" and scenario == "burst":
        cache = tempfile.mkdtemp(prefix=".bench-outbox-", dir=os.path.dirname(__file__))
    try:
        if scenario == "sustained":
            result = run(sdk, scenario, receiver.dsn, args.rate, args.seconds, cache)
        else:
            result = run(sdk, scenario, receiver.dsn, args.burst, 0, cache)
        time.sleep(0.3)
        result["delivered"] = receiver.counts()["events"]
        return result  # type: ignore[no-any-return]
    finally:
        receiver.close()
        if cache != "-":
            import shutil

            shutil.rmtree(cache, ignore_errors=True)


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--burst", type=int, default=10_000)
    args = parser.parse_args(argv)
    sdks = ("sentry_sdk", "sentry_lite")
    rows: List[List[str]] = []
    sustained = {sdk: measure(sdk, "sustained", args) for sdk in sdks}
    rates = {
        sdk: r["delivered"] / r["elapsed"] if r["elapsed"] else 0.0 for sdk, r in sustained.items()
    }
    rows.append(
        [
            f"sustained {args.rate:g}/s for {args.seconds:g} s: delivered / captured",
            *(f"{sustained[s]['delivered']} / {sustained[s]['captured']}" for s in sdks),
            f"in {sustained['sentry_lite']['elapsed']:.1f} s "
            f"(sdk {sustained['sentry_sdk']['elapsed']:.1f} s)",
        ]
    )
    rows.append(
        [
            "  delivered events/s",
            *(f"{rates[s]:.0f}" for s in sdks),
            f"{rates['sentry_lite'] / max(rates['sentry_sdk'], 1e-9):.1f}x (target >= 10x, >= 150)",
        ]
    )
    burst = {sdk: measure(sdk, "burst", args) for sdk in sdks}
    rows.append(
        [
            f"burst of {args.burst}, flush(60): delivered",
            f"{burst['sentry_sdk']['delivered']}",
            f"{burst['sentry_lite']['delivered']} (outbox)",
            f"in {burst['sentry_lite']['elapsed']:.1f} s "
            f"(sdk {burst['sentry_sdk']['elapsed']:.1f} s) (target: all within 60 s)",
        ]
    )
    header = ["measurement", "sentry_sdk", "sentry_lite", "note"]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {load:.1f}, "
        f"ingest latency {args.latency * 1000:.0f} ms"
    )
    for row in [header, ["-" * w for w in widths], *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)))


if __name__ == "__main__":
    main()
