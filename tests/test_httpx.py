"""httpx and httpx2 side by side with sentry_sdk: the same spans (transaction mode) or span items
(streaming), the same breadcrumbs and the same trace headers at the upstream server, for
sync and async clients, a 404, a refused connection and an app's own ``baggage``.
Real httpx, a real upstream server and a real receiver; both SDKs in fresh interpreters.
Ids, timestamps, ports and SDK identity differ by nature and are normalised."""

from __future__ import annotations

import json
import re
from typing import Any, Dict, List

import pytest

from tests.receiver import Receiver
from tests.sdk_child import run_child

pytest.importorskip("sentry_sdk")

VOLATILE_DATA = {
    "thread.id",
    "thread.name",
    "sentry.sdk.name",  # sentry_sdk says "sentry.python.django" when Django is installed
    "sentry.sdk.version",
    "sentry.sdk.integrations",
    "process.command_args",  # names the SDK module
}
OWN_INGEST = "/api/42/envelope/"
"""sentry_sdk in streaming mode also makes spans of its own envelope uploads."""


def _ports(value: Any) -> Any:
    if isinstance(value, str):
        return re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", value)
    if isinstance(value, dict):
        return {k: _ports(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_ports(v) for v in value]
    return value


def _spans(receiver: Receiver) -> List[Dict[str, Any]]:
    out = []
    for item in receiver.items("transaction"):
        for span in item.get_json().get("spans", []):
            if OWN_INGEST in str(span.get("description")):
                continue
            data = {k: v for k, v in span.get("data", {}).items() if k not in VOLATILE_DATA}
            out.append(
                {
                    "op": span.get("op"),
                    "description": span.get("description"),
                    "origin": span.get("origin"),
                    "status": span.get("status"),
                    "tags": span.get("tags"),
                    "data": data,
                }
            )
    for item in receiver.items("span"):
        for span in item.get_json()["items"]:
            if OWN_INGEST in span["name"]:
                continue
            attributes = {
                k: v for k, v in span.get("attributes", {}).items() if k not in VOLATILE_DATA
            }
            attributes.pop("sentry.segment.id", None)
            attributes.pop("sentry.segment.name", None)
            out.append({"name": span["name"], "status": span["status"], "attributes": attributes})
    return sorted(_ports(out), key=lambda s: json.dumps(s, sort_keys=True))


def _breadcrumbs(receiver: Receiver) -> List[Dict[str, Any]]:
    crumbs = []
    for event in receiver.events:
        for crumb in (event.get("breadcrumbs") or {}).get("values", []):
            if crumb.get("category") == "httplib":
                crumbs.append({k: v for k, v in crumb.items() if k != "timestamp"})
    return _ports(crumbs)  # type: ignore[no-any-return]


def _headers(received: List[Dict[str, str]]) -> List[Dict[str, Any]]:
    """Which trace headers arrived: sentry-trace's sampled flag, the baggage's foreign
    entries and the names of its sentry- entries (values are per trace)."""
    out = []
    for request in received:
        trace = request["sentry-trace"]
        entries = [part.strip() for part in request["baggage"].split(",") if part.strip()]
        out.append(
            {
                "path": request["path"],
                "sentry-trace": trace.split("-")[2] if trace.count("-") == 2 else bool(trace),
                "foreign": [e for e in entries if not e.startswith("sentry-")],
                "sentry": sorted(e.split("=")[0] for e in entries if e.startswith("sentry-")),
            }
        )
    return out


def run(module: str, scenario: str, library: str) -> Dict[str, Any]:
    receiver = Receiver()
    try:
        out = run_child(["-m", "tests.httpx_scenarios", module, receiver.dsn(), scenario, library])
        received = json.loads(out.strip().splitlines()[-1])
        return {
            "spans": _spans(receiver),
            "breadcrumbs": _breadcrumbs(receiver),
            "headers": _headers(received),
        }
    finally:
        receiver.close()


SCENARIOS = ["transaction", "unsampled", "no_tracing", "streaming", "streaming_pii", "no_targets"]


@pytest.mark.parametrize("library", ["httpx", "httpx2"])
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_same_spans_breadcrumbs_and_headers_as_sentry_sdk(scenario: str, library: str) -> None:
    pytest.importorskip(library)
    lite = run("sentry_lite", scenario, library)
    sdk = run("sentry_sdk", scenario, library)
    assert lite["headers"] == sdk["headers"]
    assert lite["breadcrumbs"] == sdk["breadcrumbs"]
    assert lite["spans"] == sdk["spans"]
    assert len(lite["breadcrumbs"]) == 4  # the refused connection leaves none
    origins = {
        span.get("origin") or span["attributes"]["sentry.origin"]["value"] for span in lite["spans"]
    }
    assert not origins or f"auto.http.{library}" in origins
    if scenario == "transaction":
        assert len(lite["spans"]) == 5  # 4 requests answered, 1 refused
    if scenario == "streaming":
        assert len(lite["spans"]) == 6  # the same and the segment
