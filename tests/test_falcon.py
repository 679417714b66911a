"""FalconIntegration side by side with sentry_sdk: the same error events (an exception
Falcon answers with its own 500, a 503 ``HTTPError``; a 404 is not one), the message
event with the JSON body the app read, transactions and streamed segments, from a real
Falcon app; both SDKs in fresh interpreters with a real receiver."""

from __future__ import annotations

import pytest

from tests.framework_sidebyside import run_events, run_segments
from tests.test_side_by_side import diff

pytest.importorskip("falcon")
pytest.importorskip("sentry_sdk")

SCENARIOS = "tests.falcon_scenarios"


def test_same_events_and_transactions_as_sentry_sdk() -> None:
    lite = run_events(SCENARIOS, "sentry_lite")
    sdk = run_events(SCENARIOS, "sentry_sdk")
    assert lite["statuses"] == sdk["statuses"]
    assert sdk["statuses"][0].startswith("500") and sdk["statuses"][2].startswith("404")
    assert len(sdk["events"]) == 7  # the 500, the 503, the message; 4 transactions
    problems = diff(lite["events"], sdk["events"])
    assert not problems, "\n".join(problems)


def test_streamed_segments_named_by_route_as_sentry_sdk() -> None:
    lite = run_segments(SCENARIOS, "sentry_lite")
    assert lite == run_segments(SCENARIOS, "sentry_sdk")
    assert "/users/{user_id:int}" in {s["route"] for s in lite}
