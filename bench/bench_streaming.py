"""Span streaming benchmark: no SDK vs sentry_sdk vs sentry_lite, in one run.

Workload: a segment with 10 child spans through ``sdk.traces.start_span`` with
``trace_lifecycle="stream"``, sampled (rate 1.0: the app thread also pays for queueing
11 spans in the batcher) and unsampled (rate 0.0: no-op spans). Same method as
``bench_tracing.py`` (fresh interpreter per case, small timed batches, untimed flush
between them); the figure that counts is the time *added* over no SDK.
Run: ``python bench/bench_streaming.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Dict, List

from bench_tracing import BATCH, BATCHES, PAUSE, ROOT, Sink, ratio

CHILD = r"""
import contextlib, json, statistics, sys, time
mode, dsn, rate = sys.argv[1], sys.argv[2], float(sys.argv[3])
batches, batch, pause = int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])

if mode == "none":
    class traces:
        start_span = staticmethod(lambda **kw: contextlib.nullcontext())
    class sdk:
        flush = staticmethod(lambda *a: None)
    sdk.traces = traces
else:
    sdk = __import__(mode)
    sdk.init(dsn=dsn, traces_sample_rate=rate, release="bench@1", trace_lifecycle="stream")

start_span = sdk.traces.start_span

def segment():
    with start_span(name="bench", attributes={"sentry.op": "task"}):
        for i in range(10):
            with start_span(name="SELECT 1", attributes={"sentry.op": "db"}):
                pass

for _ in range(200):
    segment()
sdk.flush(10)
per = []
clock = time.perf_counter
for _ in range(batches):
    start = clock()
    for _ in range(batch):
        segment()
    per.append((clock() - start) / batch)
    sdk.flush(10)
    time.sleep(pause)
sdk.flush(10)
print(json.dumps({"median_us": statistics.median(per) * 1e6, "best_us": min(per) * 1e6}))
"""


def measure(mode: str, rate: float, dsn: str) -> Dict[str, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
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
        "streamed segment + 10 child spans, app-thread time per segment (median of "
        f"{BATCHES} batches; best in brackets)",
        f"{'':14}{'sampled':>22}{'unsampled':>22}",
    ]
    for mode, res in results.items():
        cells = "".join(
            f"{res[k]['median_us']:>12.1f} us ({res[k]['best_us']:.1f})".rjust(22)
            for k in ("sampled", "unsampled")
        )
        rows.append(f"{mode:14}{cells}")
    none, sdk, lite = results["none"], results["sentry_sdk"], results["sentry_lite"]

    def added(res: Dict[str, Dict[str, float]], key: str) -> float:
        return res[key]["median_us"] - none[key]["median_us"]

    rows.append(
        f"{'added lite/sdk':14}"
        f"{ratio(added(lite, 'sampled'), added(sdk, 'sampled')):>22}"
        f"{ratio(added(lite, 'unsampled'), added(sdk, 'unsampled')):>22}"
    )
    rows.append(f"{'targets':14}{'<= 0.2x':>22}{'<= 0.1x':>22}")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
