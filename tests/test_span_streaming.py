"""Span streaming (``trace_lifecycle="stream"``) side by side with sentry_sdk: the same
scenarios (tests/stream_scenarios.py) send the same span items, envelope headers and
client reports to a real receiver. Ids, timestamps and SDK identity differ by nature
and are normalised; parent links are compared by span name."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from typing import Any, Dict, List, Tuple

import pytest

from tests.receiver import Receiver
from tests.stream_scenarios import SCENARIOS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VOLATILE = {"thread.id", "sentry.sdk.version", "process.command_args", "sentry.sdk.integrations"}

Run = Tuple[List[Dict[str, Any]], List[Dict[str, Any]], Dict[Tuple[str, str], int]]


def run_scenario(module: str, name: str) -> Run:
    receiver = Receiver()
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
        out = subprocess.run(
            [sys.executable, "-m", "tests.stream_scenarios", module, receiver.dsn(), name],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert out.returncode == 0, out.stderr
        headers = [
            env.headers
            for env in receiver.envelopes
            if any(item.type == "span" for item in env.items)
        ]
        spans = [span for item in receiver.items("span") for span in item.get_json()["items"]]
        return spans, headers, receiver.discarded()
    finally:
        receiver.close()


def normalise_spans(spans: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    names = {span["span_id"]: span["name"] for span in spans}
    trace_ids = {span["trace_id"] for span in spans}
    assert len(trace_ids) <= 1
    out = []
    for span in spans:
        assert span["end_timestamp"] >= span["start_timestamp"] > 0
        attributes = {k: v for k, v in span.get("attributes", {}).items() if k not in VOLATILE}
        segment_id = attributes.pop("sentry.segment.id", None)
        if segment_id is not None:
            attributes["sentry.segment.id"] = names.get(segment_id["value"], "?")
        parent = span.get("parent_span_id")
        out.append(
            {
                "name": re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", span["name"]),
                "status": span["status"],
                "is_segment": span["is_segment"],
                "parent": re.sub(
                    r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", names.get(parent, parent or "")
                )
                if parent in names
                else parent and "<remote>",
                "attributes": attributes,
            }
        )
    return sorted(out, key=lambda s: s["name"])


def normalise_headers(headers: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    out = []
    for header in headers:
        trace = dict(header.get("trace") or {})
        if trace.get("trace_id") != "771a43a4192642f0b136d5159a501700":  # a new trace
            assert len(trace.pop("trace_id", "")) == 32
            if "sample_rand" in trace:  # absent when the scope's trace went out first
                assert 0 <= float(trace["sample_rand"]) < 1
                trace["sample_rand"] = "<random>"
        assert header.get("sent_at")
        out.append(trace)
    return out


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_same_spans_as_sentry_sdk(name: str) -> None:
    want_spans, want_headers, want_lost = run_scenario("sentry_sdk", name)
    got_spans, got_headers, got_lost = run_scenario("sentry_lite", name)
    assert want_spans, "the scenario sends spans"
    assert normalise_spans(got_spans) == normalise_spans(want_spans)
    assert normalise_headers(got_headers) == normalise_headers(want_headers)
    assert got_lost == want_lost
