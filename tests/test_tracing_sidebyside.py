"""The tutorial's tracing patterns under sentry_sdk and sentry_lite send the same envelopes.

Each scenario runs in a fresh interpreter (``python -m tests.test_tracing_sidebyside
<sdk module> <dsn> <scenario> <url>``) against its own real receiver; the received
transaction envelopes are reduced to their shape (ops, descriptions, parent structure,
data keys, DSC keys, ...) and compared.
"""

from __future__ import annotations

import asyncio
import http.client
import importlib
import os
import subprocess
import sys
import threading
from typing import Any, Callable, Dict, Iterator, List, Tuple
from urllib.parse import urlsplit

import pytest

from tests.httpserver import HeaderServer
from tests.receiver import Receiver

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCENARIOS: Dict[str, Callable[[Any, str], None]] = {}


def scenario(func: Callable[[Any, str], None]) -> Callable[[Any, str], None]:
    SCENARIOS[func.__name__] = func
    return func


# -- scenarios (identical code for both SDKs) ----------------------------------------------


@scenario
def async_transaction_with_child(sdk: Any, url: str) -> None:
    async def fetch_rows() -> int:
        with sdk.start_span(op="db.query", name="SELECT * FROM rows") as span:
            span.set_data("db.system", "sqlite")
            await asyncio.sleep(0.001)
            return 3

    async def main() -> None:
        with sdk.start_transaction(op="task", name="nightly-report") as txn:
            rows = await fetch_rows()
            child = txn.start_child(op="render", description="report.html")
            await asyncio.sleep(0)
            child.set_data("rows", rows)
            child.finish()

    asyncio.run(main())


@scenario
def start_span_with_data(sdk: Any, url: str) -> None:
    with sdk.start_transaction(op="task", name="process-order") as txn:
        txn.set_tag("shop", "eu")
        with sdk.start_span(op="http.client", description="GET /api/items") as span:
            span.set_data("http.method", "GET")
            span.set_data("items", [1, 2, 3])
            span.set_tag("endpoint", "items")
            span.set_http_status(503)
        with sdk.start_span(op="db.query", name="UPDATE orders") as span:
            span.set_status("ok")
        sdk.capture_message("order processed")


@scenario
def outgoing_http_call(sdk: Any, url: str) -> None:
    parts = urlsplit(url)
    with sdk.start_transaction(op="task", name="sync-inventory"):
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port)
        conn.request("GET", parts.path + "?page=2", headers={"baggage": "vendor=acme"})
        conn.getresponse().read()
        conn.close()


@scenario
def thread_in_transaction(sdk: Any, url: str) -> None:
    def work() -> None:
        with sdk.start_span(op="thread.work", name="resize"):
            pass
        raise ValueError("worker failed")

    with sdk.start_transaction(op="task", name="thumbnails"):
        sdk.set_tag("batch", "b1")
        thread = threading.Thread(target=work, name="worker-1")
        thread.start()
        thread.join()


def main() -> None:
    module_name, dsn, name, url = sys.argv[1:5]
    sdk = importlib.import_module(module_name)
    sdk.init(
        dsn=dsn,
        traces_sample_rate=1.0,
        release="side@1",
        environment="test",
        server_name="host",
    )
    threading.excepthook = lambda args: None  # keep the worker's traceback off stderr
    SCENARIOS[name](sdk, url)
    sdk.flush(10)


# -- comparison -----------------------------------------------------------------------------

VOLATILE_DATA = {"thread.id"}


def _span_shape(span: Dict[str, Any], index: Dict[str, str]) -> Dict[str, Any]:
    data = dict(span.get("data") or {})
    return {
        "op": span.get("op"),
        "description": span.get("description"),
        "parent": index.get(span.get("parent_span_id") or "", "?"),
        "same_process_as_parent": span.get("same_process_as_parent"),
        "origin": span.get("origin"),
        "status": span.get("status"),
        "tags": span.get("tags"),
        "data": {k: (None if k in VOLATILE_DATA else v) for k, v in sorted(data.items())},
        "keys": sorted(span),
    }


def transaction_shape(envelope: Any) -> Dict[str, Any]:
    event = envelope.items[0].get_json()
    trace = dict(event["contexts"]["trace"])
    index = {trace["span_id"]: "root"}
    spans = sorted(event["spans"], key=lambda s: (s["start_timestamp"], s.get("op") or ""))
    for number, span in enumerate(spans):
        index[span["span_id"]] = f"span{number}"
    dsc = envelope.headers.get("trace") or {}
    assert dsc.get("trace_id") == trace["trace_id"]
    trace_data = trace.get("data") or {}
    return {
        # Intentional: our ArgvIntegration leaves sys.argv (``extra``) off transactions.
        # sentry_sdk sometimes adds ``_meta.spans.len``: its http.client patch traces its
        # own envelope POST (DSN on a non-default port) in a worker thread that inherited
        # the transaction, and that span is dropped unfinished. We skip our ingest exactly.
        "top_keys": sorted(k for k in event if k not in {"sdk", "modules", "extra", "_meta"}),
        "transaction": event["transaction"],
        "transaction_info": event["transaction_info"],
        "tags": event.get("tags"),
        "measurements": event.get("measurements"),
        "trace": {
            "keys": sorted(trace),
            "op": trace.get("op"),
            "description": trace.get("description"),
            "status": trace.get("status"),
            "origin": trace.get("origin"),
            "data_keys": sorted(trace_data),
        },
        "spans": [_span_shape(s, index) for s in spans],
        "dsc": {
            k: (
                v
                if k
                in {"environment", "release", "public_key", "transaction", "sampled", "sample_rate"}
                else None
            )
            for k, v in sorted(dsc.items())
        },
        "header_keys": sorted(envelope.headers),
    }


def error_shape(envelope: Any) -> Dict[str, Any]:
    event = envelope.items[0].get_json()
    trace = event["contexts"]["trace"]
    mechanism = (event.get("exception") or {"values": [{}]})["values"][-1].get("mechanism")
    return {
        "trace_keys": sorted(trace),
        "mechanism": mechanism,
        "tags": event.get("tags"),
        "dsc_keys": sorted(envelope.headers.get("trace") or {}),
    }


@pytest.fixture
def header_server() -> Iterator[HeaderServer]:
    server = HeaderServer()
    try:
        yield server
    finally:
        server.close()


def run(module: str, name: str, url: str) -> Tuple[List[Any], List[Any]]:
    """(transaction envelopes, error envelopes) the scenario sent."""
    receiver = Receiver()
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "tests.test_tracing_sidebyside",
                module,
                receiver.dsn(),
                name,
                url,
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert out.returncode == 0, out.stderr
        envelopes = receiver.envelopes
        txns = [e for e in envelopes if e.items and e.items[0].type == "transaction"]
        errors = [e for e in envelopes if e.items and e.items[0].type == "event"]
        return txns, errors
    finally:
        receiver.close()


def compare(name: str, url: str) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    ref_txns, ref_errors = run("sentry_sdk", name, url)
    our_txns, our_errors = run("sentry_lite", name, url)
    assert len(our_txns) == len(ref_txns) == 1
    ours, ref = transaction_shape(our_txns[0]), transaction_shape(ref_txns[0])
    assert ours == ref
    assert [error_shape(e) for e in our_errors] == [error_shape(e) for e in ref_errors]
    return ours, ref


def test_async_transaction_with_child_span() -> None:
    ours, _ = compare("async_transaction_with_child", "")
    assert [s["op"] for s in ours["spans"]] == ["db.query", "render"]
    assert all(s["parent"] == "root" for s in ours["spans"])


def test_start_span_with_set_data() -> None:
    ours, _ = compare("start_span_with_data", "")
    assert ours["spans"][0]["data"]["items"] == [1, 2, 3]
    assert ours["spans"][0]["status"] == "unavailable"


def test_outgoing_http_call_carries_trace_headers(header_server: HeaderServer) -> None:
    ours, _ = compare("outgoing_http_call", header_server.url)
    (span,) = ours["spans"]
    assert span["op"] == "http.client" and span["description"] == f"GET {header_server.url}"
    ref_headers, our_headers = header_server.headers
    for headers in (ref_headers, our_headers):
        trace_id, span_id, sampled = headers["sentry-trace"].split("-")
        assert len(trace_id) == 32 and len(span_id) == 16 and sampled == "1"
        items = headers["baggage"].split(",")
        assert "vendor=acme" in items and "sentry-trace_id=" + trace_id in items

    def baggage_keys(headers: Dict[str, str]) -> List[str]:
        return [item.split("=")[0] for item in headers["baggage"].split(",")]

    assert baggage_keys(our_headers) == baggage_keys(ref_headers)


def test_thread_started_inside_a_transaction() -> None:
    ours, _ = compare("thread_in_transaction", "")
    (span,) = ours["spans"]
    assert span["op"] == "thread.work" and span["parent"] == "root"
    assert span["data"]["thread.name"] == "worker-1"


if __name__ == "__main__":
    main()
