"""FalconIntegration side by side with sentry_sdk: the same error events (an exception
Falcon answers with its own 500, a 503 ``HTTPError``; a 404 is not one), the message
event with the JSON body the app read, transactions and streamed segments, from a real
Falcon app; both SDKs in fresh interpreters with a real receiver."""

from __future__ import annotations

import json
from typing import Any, Dict, List

import pytest

from tests.receiver import Receiver
from tests.sdk_child import run_child
from tests.test_bottle import _event_view
from tests.test_side_by_side import diff

pytest.importorskip("falcon")
pytest.importorskip("sentry_sdk")


def run(module: str) -> Dict[str, Any]:
    receiver = Receiver()
    try:
        out = run_child(["-m", "tests.falcon_scenarios", module, receiver.dsn()])
        statuses = json.loads(out.strip().splitlines()[-1])
        events = [_event_view(e) for e in receiver.events]
        events += [_event_view(item.get_json()) for item in receiver.items("transaction")]
        return {"statuses": statuses, "events": sorted(events, key=json.dumps)}
    finally:
        receiver.close()


def test_same_events_and_transactions_as_sentry_sdk() -> None:
    lite = run("sentry_lite")
    sdk = run("sentry_sdk")
    assert lite["statuses"] == sdk["statuses"]
    assert sdk["statuses"][0].startswith("500") and sdk["statuses"][2].startswith("404")
    assert len(sdk["events"]) == 7  # the 500, the 503, the message; 4 transactions
    problems = diff(lite["events"], sdk["events"])
    assert not problems, "\n".join(problems)


def segments(module: str) -> List[Dict[str, Any]]:
    receiver = Receiver()
    try:
        run_child(["-m", "tests.falcon_scenarios", module, receiver.dsn(), "stream"])
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
    assert "/users/{user_id:int}" in {s["route"] for s in lite}
