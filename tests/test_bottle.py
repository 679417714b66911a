"""BottleIntegration side by side with sentry_sdk: the same error events (a route that
raises, which Bottle answers with its own 500; a returned ``HTTPError(503)``), message
event with the request's JSON body, and transactions (names, sources, statuses), from
a real Bottle app; both SDKs in fresh interpreters with a real receiver."""

from __future__ import annotations

import pytest

from tests.framework_sidebyside import run_events, run_segments
from tests.test_side_by_side import diff

pytest.importorskip("bottle")
pytest.importorskip("sentry_sdk")

SCENARIOS = "tests.bottle_scenarios"


def test_same_events_and_transactions_as_sentry_sdk() -> None:
    lite = run_events(SCENARIOS, "sentry_lite")
    sdk = run_events(SCENARIOS, "sentry_sdk")
    assert (
        lite["statuses"]
        == sdk["statuses"]
        == ["500 Internal Server Error", "503 Service Unavailable", "200 OK"]
    )
    assert len(sdk["events"]) == 6  # 3 events (error, 503, message) and 3 transactions
    problems = diff(lite["events"], sdk["events"])
    assert not problems, "\n".join(problems)


def test_streamed_segments_named_by_route_as_sentry_sdk() -> None:
    lite = run_segments(SCENARIOS, "sentry_lite")
    assert lite == run_segments(SCENARIOS, "sentry_sdk")
    assert {s["route"] for s in lite} == {"/users/<user_id:int>", "/busy", "/orders"}
