"""SanicIntegration side by side with sentry_sdk: a real Sanic app on Sanic's own server
on a free 127.0.0.1 port, called over HTTP, under each SDK in a fresh interpreter with a
real receiver. Compared: the error event of a route that raises (answered by Sanic's
own 500), message events of a JSON POST (with its body) and of a request carrying an
incoming trace, request data with ``send_default_pii`` on and off, the transactions (a
``SanicException`` answer is not an event; the 404's transaction is dropped by
``unsampled_statuses``), and the streamed segments of ``trace_lifecycle="stream"``.

Skipped where Sanic is not installed (it pulls in httptools and uvloop, which change how
uvicorn serves every other test, so the shared development venv leaves it out)."""

from __future__ import annotations

import json
import re
from typing import Any, Dict

import pytest

from tests.framework_sidebyside import run_events, run_segments
from tests.sdk_child import run_child
from tests.test_side_by_side import diff

pytest.importorskip("sanic")
pytest.importorskip("httpx")
pytest.importorskip("sentry_sdk")

SCENARIOS = "tests.sanic_scenarios"
STATUSES = [500, 503, 200, 404, 200]
_PORT = re.compile(r"127\.0\.0\.1:\d+")


def _view(view: Dict[str, Any], event: Dict[str, Any]) -> Dict[str, Any]:
    """Sanic's request fields too, with the server's (random) port hidden."""
    request = event.get("request", {})
    trace = event.get("contexts", {}).get("trace", {})
    view.update(
        headers={k: v for k, v in (request.get("headers") or {}).items() if k != "accept-encoding"},
        user=event.get("user"),
        tags=event.get("tags"),
        incoming_trace=trace.get("trace_id") == "471a43a4192642f0b136d5159a501701",
    )
    return json.loads(_PORT.sub("127.0.0.1:PORT", json.dumps(view)))  # type: ignore[no-any-return]


@pytest.mark.parametrize("pii", [True, False], ids=["pii", "nopii"])
def test_same_events_and_transactions_as_sentry_sdk(pii: bool) -> None:
    extra = () if pii else ("nopii",)
    lite = run_events(SCENARIOS, "sentry_lite", _view, *extra)
    sdk = run_events(SCENARIOS, "sentry_sdk", _view, *extra)
    assert lite["statuses"] == sdk["statuses"] == STATUSES
    assert len(sdk["events"]) == 7  # 1 error, 2 messages, 4 transactions (not the 404's)
    problems = diff(lite["events"], sdk["events"])
    assert not problems, "\n".join(problems)
    errors = [e for e in lite["events"] if e.get("exceptions")]
    assert [e["exceptions"][0][2] for e in errors] == [{"type": "sanic", "handled": False}]


def test_streamed_segments_named_by_route_as_sentry_sdk() -> None:
    attributes = (
        "http.request.method",
        "http.response.status_code",
        "url.path",
        "http.query",
        "sentry.origin",
        "sentry.op",
    )
    lite = run_segments(SCENARIOS, "sentry_lite", *attributes)
    assert lite == run_segments(SCENARIOS, "sentry_sdk", *attributes)
    assert len(lite) == 5


def test_enabled_when_sanic_is_imported() -> None:
    """Auto-enabling (as sentry_sdk): on after ``import sanic``."""
    code = (
        "import sys, sentry_lite\n"
        "sentry_lite.init(dsn='http://public@127.0.0.1:9/1')\n"
        "assert 'sanic' not in sys.modules\n"
        "import sanic\n"
        "assert 'sanic' in sentry_lite.get_client().integrations\n"
        "print('ok')\n"
    )
    assert run_child(["-c", code]).strip() == "ok"
