"""TornadoIntegration side by side with sentry_sdk: a real Tornado server on a free
127.0.0.1 port, called over HTTP, under each SDK in a fresh interpreter with a real
receiver. Compared: error events (a handler that raises, answered by Tornado's own 500
page; a form POST that raises), the message events of a JSON POST and of a request
carrying an incoming trace, their request data with ``send_default_pii`` on and off,
the transactions, and the streamed segments of ``trace_lifecycle="stream"``."""

from __future__ import annotations

import json
import re
from typing import Any, Dict

import pytest

from tests.framework_sidebyside import run_events, run_segments
from tests.sdk_child import run_child
from tests.test_side_by_side import diff

pytest.importorskip("tornado")
pytest.importorskip("sentry_sdk")

SCENARIOS = "tests.tornado_scenarios"
STATUSES = [500, 503, 200, 500, 200]
_PORT = re.compile(r"127\.0\.0\.1:\d+")


def _view(view: Dict[str, Any], event: Dict[str, Any]) -> Dict[str, Any]:
    """Tornado's own request fields too, with the server's (random) port hidden."""
    request = event.get("request", {})
    trace = event.get("contexts", {}).get("trace", {})
    view.update(
        headers=request.get("headers"),
        env=request.get("env"),
        user=event.get("user"),
        tags=event.get("tags"),
        meta=(event.get("_meta") or {}).get("request"),  # not sentry_sdk's own upload spans
        incoming_trace=trace.get("trace_id") == "471a43a4192642f0b136d5159a501701",
    )
    return json.loads(_PORT.sub("127.0.0.1:PORT", json.dumps(view)))  # type: ignore[no-any-return]


def _view_without_pii(view: Dict[str, Any], event: Dict[str, Any]) -> Dict[str, Any]:
    """sentry-lite's scrubber also withholds ``request.env`` without pii (a documented
    difference, docs/privacy.md), so the address and its ``_meta`` are left out."""
    view = _view(view, event)
    env = view.pop("env")
    view.pop("meta")
    view["address_sent"] = env is not None and env.get("REMOTE_ADDR") != "[Filtered]"
    return view


@pytest.mark.parametrize("pii", [True, False], ids=["pii", "nopii"])
def test_same_events_and_transactions_as_sentry_sdk(pii: bool) -> None:
    extra = () if pii else ("nopii",)
    view = _view if pii else _view_without_pii
    lite = run_events(SCENARIOS, "sentry_lite", view, *extra)
    sdk = run_events(SCENARIOS, "sentry_sdk", view, *extra)
    if not pii:
        assert not any(e["address_sent"] for e in lite["events"])
        assert all(e["address_sent"] for e in sdk["events"])
        for events in (lite["events"], sdk["events"]):
            for event in events:
                del event["address_sent"]
    assert lite["statuses"] == sdk["statuses"] == STATUSES
    # 4 events (two errors, two messages; the 503 HTTPError is the app's answer) and
    # 5 transactions
    assert len(sdk["events"]) == 9
    problems = diff(lite["events"], sdk["events"])
    assert not problems, "\n".join(problems)
    errors = [e for e in lite["events"] if e.get("exceptions")]
    assert {e["exceptions"][0][2]["type"] for e in errors} == {"tornado"}


def test_streamed_segments_named_by_handler_as_sentry_sdk() -> None:
    attributes = (
        "http.request.method",
        "http.response.status_code",
        "http.request.body.data",
        "url.query",
        "url.path",
        "client.address",
        "sentry.origin",
        "sentry.op",
    )
    lite = run_segments(SCENARIOS, "sentry_lite", *attributes)
    assert lite == run_segments(SCENARIOS, "sentry_sdk", *attributes)
    assert {s["source"] for s in lite} == {"component"}
    assert len(lite) == 5


def test_enabled_when_tornado_is_imported() -> None:
    """Auto-enabling (as sentry_sdk): on after ``import tornado``, which ``init`` itself
    does not import."""
    code = (
        "import sys, sentry_lite\n"
        "sentry_lite.init(dsn='http://public@127.0.0.1:9/1')\n"
        "assert 'tornado' not in sys.modules\n"
        "import tornado.web\n"
        "assert 'tornado' in sentry_lite.get_client().integrations\n"
        "print('ok')\n"
    )
    assert run_child(["-c", code]).strip() == "ok"
