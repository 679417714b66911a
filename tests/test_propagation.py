"""Trace propagation: header parsing, outgoing headers, targets, W3C, and a distributed
trace across two processes (each may be sentry_lite or sentry_sdk).

The two-process test runs this module as a script: ``serve <sdk> <dsn>`` is service B
(an HTTP server continuing the incoming trace), ``call <sdk> <dsn> <url>`` is service A.
"""

from __future__ import annotations

import http.client
import importlib
import os
import subprocess
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, Callable, Dict, List
from urllib.parse import urlsplit

import pytest

import sentry_lite
from sentry_lite.tracing.propagation import (
    Baggage,
    parse_sentry_trace,
    parse_w3c_traceparent,
    propagation_context_from_headers,
    should_propagate_trace,
)
from tests.receiver import Receiver

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
Init = Callable[..., Any]
TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
SPAN = "00f067aa0ba902b7"


# -- parsing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (f"{TRACE}-{SPAN}-1", (TRACE, SPAN, True)),
        (f"{TRACE}-{SPAN}-0", (TRACE, SPAN, False)),
        (f"{TRACE}-{SPAN}", (TRACE, SPAN, None)),
        (f"  {TRACE.upper()}-{SPAN}-1 ", (TRACE, SPAN, True)),
        (f"{TRACE}-{SPAN}-1, {'1' * 32}-{'2' * 16}-0", (TRACE, SPAN, True)),
        (f"00-{TRACE}-{SPAN}-00", (TRACE, SPAN, None)),
        ("garbage", None),
        ("", None),
    ],
)
def test_parse_sentry_trace(header: str, expected: Any) -> None:
    assert parse_sentry_trace(header) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (f"00-{TRACE}-{SPAN}-01", (TRACE, SPAN, True)),
        (f"00-{TRACE}-{SPAN}-00", (TRACE, SPAN, False)),
        (f"00-{TRACE}-{SPAN}-03", (TRACE, SPAN, True)),
        (f"00-{'0' * 32}-{SPAN}-01", None),
        (f"ff-{TRACE}-{SPAN}-01", None),
        ("00-xyz", None),
    ],
)
def test_parse_w3c_traceparent(header: str, expected: Any) -> None:
    assert parse_w3c_traceparent(header) == expected


def test_baggage_round_trip_keeps_third_party_items() -> None:
    baggage = Baggage.from_incoming_header(
        "other=1, sentry-trace_id=abc,sentry-release=a%40b , sentry-sample_rand=0.5,x"
    )
    assert baggage.sentry_items == {"trace_id": "abc", "release": "a@b", "sample_rand": "0.5"}
    assert baggage.third_party_items == "other=1"
    assert not baggage.mutable
    assert baggage.serialize() == "sentry-trace_id=abc,sentry-release=a%40b,sentry-sample_rand=0.5"
    assert baggage.serialize(include_third_party=True).endswith(",other=1")
    assert Baggage.from_incoming_header("other=1").mutable
    assert Baggage.strip_sentry_baggage("a=1,sentry-x=2, b=3") == "a=1, b=3"


def test_environ_and_header_mappings_are_both_read(sentry_init: Init) -> None:
    sentry_init()
    environ = {"HTTP_SENTRY_TRACE": f"{TRACE}-{SPAN}-1", "HTTP_BAGGAGE": "sentry-release=r"}
    for incoming in (environ, {"Sentry-Trace": f"{TRACE}-{SPAN}-1", "Baggage": "sentry-release=r"}):
        context = propagation_context_from_headers(incoming, sentry_lite.get_client())
        assert (context.trace_id, context.parent_span_id, context.parent_sampled) == (
            TRACE,
            SPAN,
            True,
        )
        assert context.dynamic_sampling_context["release"] == "r"


def test_w3c_traceparent_is_read_when_sentry_trace_is_absent(sentry_init: Init) -> None:
    sentry_init(traces_sample_rate=0.0)
    txn = sentry_lite.continue_trace({"traceparent": f"00-{TRACE}-{SPAN}-01"})
    assert txn.trace_id == TRACE and txn.parent_span_id == SPAN and txn.parent_sampled is True
    assert sentry_lite.start_transaction(txn).sampled is True
    both = {"traceparent": f"00-{'1' * 32}-{SPAN}-01", "sentry-trace": f"{TRACE}-{SPAN}-0"}
    assert sentry_lite.continue_trace(both).trace_id == TRACE, "sentry-trace wins"


def test_org_id_mismatch_starts_a_new_trace(sentry_init: Init) -> None:
    sentry_init(org_id="1")
    incoming = {"sentry-trace": f"{TRACE}-{SPAN}-1", "baggage": "sentry-org_id=2"}
    assert sentry_lite.continue_trace(incoming).trace_id != TRACE
    incoming["baggage"] = "sentry-org_id=1"
    assert sentry_lite.continue_trace(incoming).trace_id == TRACE


def test_strict_trace_continuation_needs_both_org_ids(sentry_init: Init) -> None:
    sentry_init(org_id="1", strict_trace_continuation=True)
    assert sentry_lite.continue_trace({"sentry-trace": f"{TRACE}-{SPAN}-1"}).trace_id != TRACE


# -- outgoing ------------------------------------------------------------------------------


def test_trace_propagation_targets(sentry_init: Init) -> None:
    sentry_init(trace_propagation_targets=["api.example.com", r"^https://internal\."])
    client = sentry_lite.get_client()
    assert should_propagate_trace(client, "https://api.example.com/v1")
    assert should_propagate_trace(client, "https://internal.corp/x")
    assert not should_propagate_trace(client, "https://other.org/internal.")
    assert not should_propagate_trace(client, client.dsn or "")
    sentry_init(trace_propagation_targets=[])
    assert not should_propagate_trace(sentry_lite.get_client(), "https://api.example.com")


def test_w3c_traceparent_is_written_when_enabled(sentry_init: Init) -> None:
    sentry_init(traces_sample_rate=1.0, w3c_traceparent=True)
    with sentry_lite.start_transaction(name="t") as txn:
        headers = dict(sentry_lite.get_current_scope().iter_trace_propagation_headers())
        assert headers["traceparent"] == f"00-{txn.trace_id}-{txn.span_id}-01"
    sentry_init(traces_sample_rate=1.0)
    with sentry_lite.start_transaction(name="t"):
        assert "traceparent" not in dict(
            sentry_lite.get_current_scope().iter_trace_propagation_headers()
        )


def test_headers_without_tracing_come_from_the_propagation_context(sentry_init: Init) -> None:
    sentry_init(release="r")
    context = sentry_lite.get_isolation_scope().get_propagation_context()
    assert sentry_lite.get_traceparent() == f"{context.trace_id}-{context.span_id}"
    baggage = sentry_lite.get_baggage() or ""
    assert f"sentry-trace_id={context.trace_id}" in baggage and "sentry-release=r" in baggage


def test_propagate_traces_false_sends_nothing(sentry_init: Init) -> None:
    sentry_init(traces_sample_rate=1.0, propagate_traces=False)
    with sentry_lite.start_transaction(name="t"):
        assert list(sentry_lite.get_current_scope().iter_trace_propagation_headers()) == []


# -- two processes, one trace ----------------------------------------------------------------


def serve(sdk_name: str, dsn: str) -> None:
    """Service B: continue the caller's trace for each request, report, answer."""
    sdk = importlib.import_module(sdk_name)
    sdk.init(dsn=dsn, traces_sample_rate=1.0, release="b@1", environment="test")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

        def do_GET(self) -> None:  # noqa: N802
            with sdk.isolation_scope():
                txn = sdk.continue_trace(
                    dict(self.headers), op="http.server", name="/work", source="route"
                )
                with sdk.start_transaction(txn), sdk.start_span(op="work", name="compute"):
                    sdk.capture_message("service B saw the request")
            sdk.flush(10)
            body = b"done"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = HTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.handle_request()
    server.server_close()


def call(sdk_name: str, dsn: str, url: str) -> None:
    """Service A: a transaction that calls B over http.client."""
    sdk = importlib.import_module(sdk_name)
    sdk.init(dsn=dsn, traces_sample_rate=1.0, release="a@1", environment="test")
    parts = urlsplit(url)
    with sdk.start_transaction(op="task", name="caller"):
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
        conn.request("GET", parts.path)
        assert conn.getresponse().read() == b"done"
        conn.close()
    sdk.flush(10)


def _python(*args: str) -> List[str]:
    return [sys.executable, "-m", "tests.test_propagation", *args]


def _env() -> Dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}


@pytest.mark.parametrize(
    ("caller", "callee"),
    [
        ("sentry_lite", "sentry_lite"),
        ("sentry_sdk", "sentry_lite"),
        ("sentry_lite", "sentry_sdk"),
    ],
)
def test_distributed_trace_across_two_processes(caller: str, callee: str) -> None:
    receiver = Receiver()
    server = subprocess.Popen(
        _python("serve", callee, receiver.dsn()),
        cwd=ROOT,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        out = subprocess.run(
            _python("call", caller, receiver.dsn(), f"http://127.0.0.1:{port}/work"),
            cwd=ROOT,
            env=_env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert out.returncode == 0, out.stderr
        server.wait(30)
        receiver.wait_for(2, item_type="transaction")
        receiver.wait_for(1, item_type="event")
        envelopes = receiver.envelopes
    finally:
        if server.poll() is None:
            server.kill()
        server.communicate(timeout=10)
        receiver.close()

    txns = {
        e.items[0].get_json()["transaction"]: e
        for e in envelopes
        if e.items[0].type == "transaction"
    }
    a_env, b_env = txns["caller"], txns["/work"]
    a, b = a_env.items[0].get_json(), b_env.items[0].get_json()
    (error_env,) = [e for e in envelopes if e.items[0].type == "event"]
    error = error_env.items[0].get_json()

    trace_id = a["contexts"]["trace"]["trace_id"]
    assert b["contexts"]["trace"]["trace_id"] == trace_id
    assert error["contexts"]["trace"]["trace_id"] == trace_id, "one trace id end to end"
    (http_span,) = [s for s in a["spans"] if s["op"] == "http.client"]
    assert b["contexts"]["trace"]["parent_span_id"] == http_span["span_id"]
    assert b["transaction_info"] == {"source": "route"}
    # The head's DSC travels unchanged: B's envelopes carry A's release and sample_rand.
    assert b_env.headers["trace"] == a_env.headers["trace"]
    assert error_env.headers["trace"]["release"] == "a@1"
    assert a_env.headers["trace"]["transaction"] == "caller"


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], sys.argv[3])
    else:
        call(sys.argv[2], sys.argv[3], sys.argv[4])
