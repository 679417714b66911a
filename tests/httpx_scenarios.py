"""Outgoing httpx requests under sentry_sdk or sentry_lite, in a fresh interpreter.

Usage: python -m tests.httpx_scenarios <sdk module> <dsn> <scenario> <httpx or httpx2>

Each scenario sends the same requests (sync and async clients, a 404, a refused
connection, an app's own ``baggage``) to a local upstream server and prints, as JSON,
the trace headers that server received. Only the import differs between the runs.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import socket
import sys
from typing import Any, Dict, List

from tests.upstream import start_recording_upstream

RECEIVED: List[Dict[str, str]] = []


def refused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # closed again: nothing listens there


def requests(port: int, library: str) -> None:
    httpx = importlib.import_module(library)

    base = f"http://127.0.0.1:{port}"
    with httpx.Client() as client:
        client.get(f"{base}/items?page=2&sort=asc#top")
        client.post(f"{base}/missing", json={"a": 1})
        client.get(f"{base}/with-baggage", headers={"baggage": "other-vendor=1,sentry-x=old"})
    try:
        httpx.get(f"http://127.0.0.1:{refused_port()}/down", timeout=2)
    except httpx.HTTPError:
        pass

    async def async_requests() -> None:
        async with httpx.AsyncClient() as client:
            await client.get(f"{base}/async?q=1")

    asyncio.run(async_requests())


SCENARIOS = {
    "transaction": {"traces_sample_rate": 1.0},
    "unsampled": {"traces_sample_rate": 0.0},
    "no_tracing": {},
    "streaming": {"traces_sample_rate": 1.0, "trace_lifecycle": "stream"},
    "streaming_pii": {
        "traces_sample_rate": 1.0,
        "trace_lifecycle": "stream",
        "send_default_pii": True,
    },
    "no_targets": {"traces_sample_rate": 1.0, "trace_propagation_targets": ["example.org"]},
}


def main() -> None:
    module, dsn, name, library = sys.argv[1:5]
    sdk = importlib.import_module(module)
    options: Dict[str, Any] = dict(SCENARIOS[name])
    sdk.init(dsn=dsn, release="httpx@1", **options)
    importlib.import_module(library)  # after init: the integration enables itself

    server = start_recording_upstream(RECEIVED)
    if options.get("trace_lifecycle") == "stream":
        with sdk.traces.start_span(name="job"):
            requests(server.server_port, library)
    elif "traces_sample_rate" in options:
        with sdk.start_transaction(name="job", op="task"):
            requests(server.server_port, library)
    else:
        requests(server.server_port, library)
    sdk.capture_message("after the requests")  # carries the breadcrumbs
    sdk.flush(5)
    server.shutdown()
    print(json.dumps(RECEIVED))


if __name__ == "__main__":
    main()
