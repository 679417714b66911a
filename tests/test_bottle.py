"""BottleIntegration side by side with sentry_sdk: the same error events (a route that
raises, which Bottle answers with its own 500; a returned ``HTTPError(503)``), message
event with the request's JSON body, and transactions (names, sources, statuses), from
a real Bottle app; both SDKs in fresh interpreters with a real receiver."""

from __future__ import annotations

import json
from typing import Any, Dict, List

import pytest

from tests.receiver import Receiver
from tests.sdk_child import run_child
from tests.test_side_by_side import diff

pytest.importorskip("bottle")
pytest.importorskip("sentry_sdk")


def _event_view(event: Dict[str, Any]) -> Dict[str, Any]:
    request = event.get("request", {})
    view: Dict[str, Any] = {
        "type": event.get("type", "event"),
        "transaction": event.get("transaction"),
        "transaction_info": event.get("transaction_info"),
        "level": event.get("level"),
        "message": event.get("message") or (event.get("logentry") or {}).get("message"),
        "url": request.get("url"),
        "method": request.get("method"),
        "query_string": request.get("query_string"),
        "data": request.get("data"),
        "cookies": request.get("cookies"),
    }
    for value in event.get("exception", {}).get("values", []):
        view.setdefault("exceptions", []).append(
            (value.get("type"), value.get("value"), value.get("mechanism"))
        )
    trace = event.get("contexts", {}).get("trace", {})
    if event.get("type") == "transaction":
        view["status"] = trace.get("status")
        view["op"] = trace.get("op")
        view["origin"] = trace.get("origin")
    return view


def run(module: str) -> Dict[str, Any]:
    receiver = Receiver()
    try:
        out = run_child(["-m", "tests.bottle_scenarios", module, receiver.dsn()])
        statuses = json.loads(out.strip().splitlines()[-1])
        events = [_event_view(e) for e in receiver.events]
        events += [_event_view(item.get_json()) for item in receiver.items("transaction")]
        return {"statuses": statuses, "events": sorted(events, key=json.dumps)}
    finally:
        receiver.close()


def test_same_events_and_transactions_as_sentry_sdk() -> None:
    lite = run("sentry_lite")
    sdk = run("sentry_sdk")
    assert (
        lite["statuses"]
        == sdk["statuses"]
        == ["500 Internal Server Error", "503 Service Unavailable", "200 OK"]
    )
    assert len(sdk["events"]) == 6  # 3 events (error, 503, message) and 3 transactions
    problems = diff(lite["events"], sdk["events"])
    assert not problems, "\n".join(problems)


def segments(module: str) -> List[Dict[str, Any]]:
    receiver = Receiver()
    try:
        run_child(["-m", "tests.bottle_scenarios", module, receiver.dsn(), "stream"])
        out = []
        for item in receiver.items("span"):
            for span in item.get_json()["items"]:
                if span.get("is_segment"):
                    attributes = span["attributes"]
                    out.append(
                        {
                            "name": span["name"],
                            "status": span["status"],
                            "source": attributes["sentry.segment.name.source"]["value"],
                            "route": attributes.get("http.route", {}).get("value"),
                        }
                    )
        return sorted(out, key=json.dumps)
    finally:
        receiver.close()


def test_streamed_segments_named_by_route_as_sentry_sdk() -> None:
    lite = segments("sentry_lite")
    assert lite == segments("sentry_sdk")
    assert {s["route"] for s in lite} == {"/users/<user_id:int>", "/busy", "/orders"}
