"""PyramidIntegration side by side with sentry_sdk: the same error events (an exception
that leaves the router, one an exception view answers with a 500; ``HTTPNotFound`` is
not one), the message event with the JSON body, transactions and streamed segments,
from a real Pyramid app; both SDKs in fresh interpreters with a real receiver."""

from __future__ import annotations

from typing import Any, Dict

import pytest

from tests.framework_sidebyside import run_events, run_segments
from tests.test_side_by_side import diff

pytest.importorskip("pyramid")
pytest.importorskip("sentry_sdk")

SCENARIOS = "tests.pyramid_scenarios"


def _with_user(view: Dict[str, Any], event: Dict[str, Any]) -> Dict[str, Any]:
    if view["type"] == "transaction":
        # Deliberate (docs/migration.md): sentry_sdk reads a transaction's cookies from
        # the Pyramid request, which is gone when the view kept no reference to it;
        # sentry-lite reads them from the environ, as for error events.
        view.pop("cookies")
        return view
    return dict(view, user=event.get("user"))


def test_same_events_and_transactions_as_sentry_sdk() -> None:
    lite = run_events(SCENARIOS, "sentry_lite", _with_user)
    sdk = run_events(SCENARIOS, "sentry_sdk", _with_user)
    assert lite["statuses"] == sdk["statuses"]
    assert sdk["statuses"] == ["raised", "404 Not Found", "500 Internal Server Error", "200 OK"]
    assert len(sdk["events"]) == 7  # the two failures, the message; 4 transactions
    assert {e["user"]["id"] for e in lite["events"] if e["type"] == "event"} == {"user-42"}
    problems = diff(lite["events"], sdk["events"])
    assert not problems, "\n".join(problems)


def test_streamed_segments_named_by_route_as_sentry_sdk() -> None:
    lite = run_segments(SCENARIOS, "sentry_lite", "user.id")
    assert lite == run_segments(SCENARIOS, "sentry_sdk", "user.id")
    assert "/users/{user_id}" in {s["route"] for s in lite}
    assert {s["user.id"] for s in lite} == {"user-42"}  # from the security policy
