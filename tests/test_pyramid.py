"""PyramidIntegration side by side with sentry_sdk: the same error events (an exception
that leaves the router, one an exception view answers with a 500; ``HTTPNotFound`` is
not one), the message event with the JSON body, transactions and streamed segments,
from a real Pyramid app; both SDKs in fresh interpreters with a real receiver."""

from __future__ import annotations

import json
from typing import Any, Dict, List

import pytest

from tests.receiver import Receiver
from tests.sdk_child import run_child
from tests.test_bottle import _event_view
from tests.test_side_by_side import diff

pytest.importorskip("pyramid")
pytest.importorskip("sentry_sdk")


def run(module: str) -> Dict[str, Any]:
    receiver = Receiver()
    try:
        out = run_child(["-m", "tests.pyramid_scenarios", module, receiver.dsn()])
        statuses = json.loads(out.strip().splitlines()[-1])
        events = [dict(_event_view(e), user=e.get("user")) for e in receiver.events]
        for item in receiver.items("transaction"):
            view = _event_view(item.get_json())
            # Deliberate (docs/migration.md): sentry_sdk reads a transaction's cookies from
            # the Pyramid request, which is gone when the view kept no reference to it;
            # sentry-lite reads them from the environ, as for error events.
            view.pop("cookies")
            events.append(view)
        return {"statuses": statuses, "events": sorted(events, key=json.dumps)}
    finally:
        receiver.close()


def test_same_events_and_transactions_as_sentry_sdk() -> None:
    lite = run("sentry_lite")
    sdk = run("sentry_sdk")
    assert lite["statuses"] == sdk["statuses"]
    assert sdk["statuses"] == ["raised", "404 Not Found", "500 Internal Server Error", "200 OK"]
    assert len(sdk["events"]) == 7  # the two failures, the message; 4 transactions
    assert {e["user"]["id"] for e in lite["events"] if e["type"] == "event"} == {"user-42"}
    problems = diff(lite["events"], sdk["events"])
    assert not problems, "\n".join(problems)


def segments(module: str) -> List[Dict[str, Any]]:
    receiver = Receiver()
    try:
        run_child(["-m", "tests.pyramid_scenarios", module, receiver.dsn(), "stream"])
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
                            "user.id": attributes.get("user.id", {}).get("value"),
                        }
                    )
        return sorted(out, key=json.dumps)
    finally:
        receiver.close()


def test_streamed_segments_named_by_route_as_sentry_sdk() -> None:
    lite = segments("sentry_lite")
    assert lite == segments("sentry_sdk")
    assert "/users/{user_id}" in {s["route"] for s in lite}
    assert {s["user.id"] for s in lite} == {"user-42"}  # from the security policy
