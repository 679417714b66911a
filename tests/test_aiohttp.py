"""AioHttpIntegration side by side with sentry_sdk: a real aiohttp.web app on a free
127.0.0.1 port whose handlers call a real upstream through ``aiohttp.ClientSession``
(``tests/aiohttp_scenarios.py``), run under each SDK in a fresh interpreter against a
real receiver. Compared: error and message events (mechanism, transaction name and
source, request data with and without pii, breadcrumbs), transactions and their
``http.client`` spans, streamed spans, and the trace headers upstream received; sampled,
unsampled, without tracing, in streaming mode, with pii, ``method_and_path_pattern``
names, a custom ``failed_request_status_codes``, a small body limit and
``trace_propagation_targets`` that leave the upstream out.

Two deliberate differences are checked as such: ``request.env.REMOTE_ADDR`` only with
``send_default_pii`` (sentry_sdk's aiohttp integration always sends it), and a client
request that gets no answer still ends its span, as failed (sentry_sdk leaves it open).
"""

from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Tuple

import pytest

from tests.receiver import Receiver
from tests.sdk_child import run_child
from tests.test_side_by_side import diff

pytest.importorskip("aiohttp")
pytest.importorskip("sentry_sdk")

INCOMING_TRACE_ID = "771a43a4192642f0b136d5159a501700"
VOLATILE = {
    "thread.id",
    "thread.name",
    "sentry.sdk.name",
    "sentry.sdk.version",
    "sentry.sdk.integrations",
    "process.command_args",
    "sentry.segment.id",
    "code.line.number",
    "code.lineno",
}
OWN_INGEST = "/api/42/envelope/"
"""sentry_sdk in streaming mode also makes spans of its own envelope uploads."""
REFUSED = "/down"
"""The upstream call to a closed port: only sentry-lite ends its span."""


def _normalise(value: Any) -> Any:
    if isinstance(value, str):
        return re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", value)
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    return value


def _span_view(span: Dict[str, Any]) -> Dict[str, Any]:
    return {
        "op": span.get("op"),
        "description": span.get("description"),
        "origin": span.get("origin"),
        "status": span.get("status"),
        "data": {k: v for k, v in span.get("data", {}).items() if k not in VOLATILE},
    }


def _event_view(event: Dict[str, Any]) -> Dict[str, Any]:
    trace = event.get("contexts", {}).get("trace", {})
    view: Dict[str, Any] = {
        "type": event.get("type", "event"),
        "transaction": event.get("transaction"),
        "transaction_info": event.get("transaction_info"),
        "level": event.get("level"),
        "message": event.get("message") or (event.get("logentry") or {}).get("message"),
        "request": event.get("request"),
        "request_meta": event.get("_meta", {}).get("request"),
        "continued": trace.get("trace_id") == INCOMING_TRACE_ID,
        "exceptions": [
            (v.get("type"), v.get("value"), v.get("mechanism"))
            for v in event.get("exception", {}).get("values", [])
        ],
        "breadcrumbs": [
            {k: v for k, v in crumb.items() if k != "timestamp"}
            for crumb in (event.get("breadcrumbs") or {}).get("values", [])
            if crumb.get("category") == "httplib"
        ],
    }
    if event.get("type") == "transaction":
        view["op"] = trace.get("op")
        view["origin"] = trace.get("origin")
        view["status"] = trace.get("status")
        view["spans"] = sorted(
            (_span_view(s) for s in event.get("spans", [])), key=lambda s: json.dumps(s)
        )
    return view


def _streamed(receiver: Receiver) -> List[Dict[str, Any]]:
    out = []
    for item in receiver.items("span"):
        for span in item.get_json()["items"]:
            if OWN_INGEST in span["name"]:
                continue
            attributes = {
                k: v["value"] for k, v in span.get("attributes", {}).items() if k not in VOLATILE
            }
            out.append(
                {
                    "name": span["name"],
                    "status": span["status"],
                    "is_segment": span.get("is_segment"),
                    "continued": span["trace_id"] == INCOMING_TRACE_ID,
                    "attributes": attributes,
                }
            )
    return out


def _headers(received: List[Dict[str, str]]) -> List[Dict[str, Any]]:
    """Which trace headers upstream got: sentry-trace's sampled flag, the baggage's
    foreign entries and the names of its sentry- entries (values are per trace)."""
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
    return sorted(out, key=lambda h: json.dumps(h, sort_keys=True))


def run(module: str, scenario: str) -> Dict[str, Any]:
    receiver = Receiver()
    try:
        out = run_child(["-m", "tests.aiohttp_scenarios", module, receiver.dsn(), scenario])
        printed = json.loads(out.strip().splitlines()[-1])
        events = list(receiver.events)
        events += [item.get_json() for item in receiver.items("transaction")]
        views = _normalise([_event_view(e) for e in events])
        return {
            "statuses": printed["statuses"],
            "headers": _headers(printed["upstream"]),
            "events": sorted(views, key=lambda v: json.dumps(v, sort_keys=True)),
            "streamed": sorted(
                _normalise(_streamed(receiver)), key=lambda s: json.dumps(s, sort_keys=True)
            ),
        }
    finally:
        receiver.close()


def _without_refused_spans(result: Dict[str, Any]) -> Tuple[Dict[str, Any], List[Any]]:
    """sentry-lite's spans of the refused upstream call, taken out of ``result``."""
    refused: List[Any] = []
    for view in result["events"]:
        for span in list(view.get("spans", ())):
            if REFUSED in str(span["description"]):
                view["spans"].remove(span)
                refused.append(span)
    for span in list(result["streamed"]):
        if REFUSED in span["name"]:
            result["streamed"].remove(span)
            refused.append(span)
    return result, refused


def _without_remote_addr(result: Dict[str, Any]) -> List[Any]:
    """The ``request.env`` of each event, taken out of ``result``."""
    return [view["request"].pop("env", None) for view in result["events"] if view["request"]]


SCENARIOS = [
    "transaction",
    "pii_routes",
    "unsampled",
    "no_tracing",
    "streaming",
    "streaming_pii",
]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_same_events_spans_and_headers_as_sentry_sdk(scenario: str) -> None:
    lite, refused = _without_refused_spans(run("sentry_lite", scenario))
    sdk = run("sentry_sdk", scenario)
    assert lite["statuses"] == sdk["statuses"] == [500, 503, 403, 200, 500, 302, 404, 200]
    assert lite["headers"] == sdk["headers"]

    pii = "pii" in scenario
    lite_envs, sdk_envs = _without_remote_addr(lite), _without_remote_addr(sdk)
    assert all(env == {"REMOTE_ADDR": "127.0.0.1"} for env in sdk_envs)
    assert all(env == ({"REMOTE_ADDR": "127.0.0.1"} if pii else None) for env in lite_envs)

    propagated = [h["sentry-trace"] for h in lite["headers"]]
    if scenario == "pii_routes":  # trace_propagation_targets leaves the upstream out
        assert propagated == [False, False, False]
    else:
        assert len(propagated) == 3 and all(propagated)

    problems = diff(lite["events"], sdk["events"]) + diff(lite["streamed"], sdk["streamed"])
    assert not problems, "\n".join(problems)

    traced = scenario not in ("unsampled", "no_tracing")
    assert [s["status"] for s in refused] == (
        ["error" if "streaming" in scenario else "internal_error"] if traced else []
    )


AUTO_ENABLE = r"""
import sys
import sentry_lite
sentry_lite.init(dsn="http://public@127.0.0.1:9/1")
assert "aiohttp" not in sys.modules  # sentry_lite imports no library the app does not use
import aiohttp
assert "aiohttp" in sentry_lite.get_client().integrations
sentry_lite.init(dsn="http://public@127.0.0.1:9/1", disabled_integrations=["aiohttp"])
assert "aiohttp" not in sentry_lite.get_client().integrations
print("ok")
"""


def test_enabled_when_the_app_imports_aiohttp() -> None:
    assert run_child(["-c", AUTO_ENABLE]).strip() == "ok"


def test_trace_headers_a_sigv4_signature_covers_are_left_alone() -> None:
    from sentry_lite.integrations.http_client import signed_trace_headers

    auth = "AWS4-HMAC-SHA256 Credential=k/20260804/eu/s3/aws4_request, "
    assert signed_trace_headers(auth + "SignedHeaders=baggage;host;sentry-trace, Signature=x", "")
    assert signed_trace_headers(auth + "SignedHeaders=host;sentry-trace", "") == {"sentry-trace"}
    assert not signed_trace_headers("Bearer SignedHeaders=baggage", "https://s3.example/o")
    presigned = (
        "https://s3.example/o?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-SignedHeaders=baggage%3Bhost"
    )
    assert signed_trace_headers(None, presigned) == {"baggage"}
