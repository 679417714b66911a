"""The pytest plugin users get: capture_events / capture_envelopes in their own tests."""

from __future__ import annotations

import pytest


def test_fixtures_in_a_users_test_suite(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_app="""
        import logging
        import sentry_lite

        def checkout():
            try:
                raise LookupError("empty cart")
            except LookupError:
                sentry_lite.capture_exception(tags={"region": "eu"})

        def test_events(capture_events):
            checkout()
            logging.getLogger("shop").error("declined")
            kinds = [e.get("exception", {}).get("values", [{}])[0].get("type")
                     for e in capture_events]
            assert kinds == ["LookupError", None]
            assert capture_events[0]["tags"] == {"region": "eu"}
            assert capture_events[1]["logentry"]["formatted"] == "declined"

        def test_envelopes(capture_envelopes):
            sentry_lite.capture_message("hello")
            (envelope,) = capture_envelopes
            assert envelope.headers["event_id"]
            assert envelope.items[0].type == "event"

        """
    )
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_fixture_swaps_the_transport_of_an_active_client(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_active="""
        import sentry_lite

        sentry_lite.init(dsn="http://key@127.0.0.1:9/1")

        def test_recorded(capture_events):
            sentry_lite.capture_message("kept in memory")
            assert [e["message"] for e in capture_events] == ["kept in memory"]

        def test_restored_after():
            client = sentry_lite.get_client()
            assert type(client.transport).__name__ == "HttpTransport"
        """
    )
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
