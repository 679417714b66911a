"""LitestarIntegration side by side with sentry_sdk: a real Litestar app served by uvicorn
on a free 127.0.0.1 port, called over HTTP, under each SDK in a fresh interpreter with a
real receiver. Compared: the error events of a handler that raises (answered by
Litestar's own 500) and of an ``HTTPException(503)`` (in ``failed_request_status_codes``),
message events of a JSON POST (with its body) and of a request carrying an incoming
trace, request data with ``send_default_pii`` on and off, the transactions with their
middleware spans, and the streamed segments of ``trace_lifecycle="stream"``."""

from __future__ import annotations

import json
import re
from typing import Any, Dict

import pytest

from tests.framework_sidebyside import run_events, run_segments
from tests.sdk_child import run_child
from tests.test_side_by_side import diff

pytest.importorskip("litestar")
pytest.importorskip("uvicorn")
pytest.importorskip("httpx")
pytest.importorskip("sentry_sdk")

SCENARIOS = "tests.litestar_scenarios"
STATUSES = [500, 503, 201, 200]
_PORT = re.compile(r"127\.0\.0\.1:\d+")
_CLIENT_HEADERS = ("accept-encoding", "baggage", "sentry-trace")


def _view(view: Dict[str, Any], event: Dict[str, Any]) -> Dict[str, Any]:
    """Litestar's request fields and middleware spans too, the server's port hidden."""
    request = event.get("request", {})
    trace = event.get("contexts", {}).get("trace", {})
    view.update(
        headers={
            k: v
            for k, v in (request.get("headers") or {}).items()
            if k.lower() not in _CLIENT_HEADERS
        },
        env=request.get("env"),
        content_length=request.get("content_length"),
        user=event.get("user"),
        tags=event.get("tags"),
        spans=sorted(
            (
                s.get("op"),
                s.get("description"),
                (s.get("tags") or {}).get("litestar.middleware_name"),
            )
            for s in event.get("spans", [])
            # not sentry_sdk's own uploads, recorded when they happen during a request
            if str(s.get("op")).startswith("middleware.")
        ),
        incoming_trace=trace.get("trace_id") == "471a43a4192642f0b136d5159a501701",
    )
    return json.loads(_PORT.sub("127.0.0.1:PORT", json.dumps(view)))  # type: ignore[no-any-return]


@pytest.mark.parametrize("pii", [True, False], ids=["pii", "nopii"])
def test_same_events_and_transactions_as_sentry_sdk(pii: bool) -> None:
    extra = () if pii else ("nopii",)
    lite = run_events(SCENARIOS, "sentry_lite", _view, *extra)
    sdk = run_events(SCENARIOS, "sentry_sdk", _view, *extra)
    assert lite["statuses"] == sdk["statuses"] == STATUSES
    assert len(sdk["events"]) == 8  # 2 errors, 2 messages, 4 transactions
    problems = diff(lite["events"], sdk["events"])
    assert not problems, "\n".join(problems)
    errors = [e for e in lite["events"] if e.get("exceptions")]
    assert {e["exceptions"][0][2]["type"] for e in errors} == {"litestar"}
    middleware = {
        s[1] for e in lite["events"] for s in e.get("spans", []) if s[0] == "middleware.litestar"
    }
    assert middleware == {"TimingMiddleware"}


def test_streamed_segments_named_by_handler_as_sentry_sdk() -> None:
    attributes = (
        "http.request.method",
        "http.response.status_code",
        "url.path",
        "client.address",
        "sentry.origin",
        "sentry.op",
    )
    lite = run_segments(SCENARIOS, "sentry_lite", *attributes)
    assert lite == run_segments(SCENARIOS, "sentry_sdk", *attributes)
    assert {s["source"] for s in lite} == {"component"}
    assert len(lite) == 4


def test_enabled_when_litestar_is_imported() -> None:
    """Auto-enabling (as sentry_sdk): on after ``import litestar``, which ``init`` itself
    does not import; an app built then gets the SDK's middleware."""
    code = (
        "import sys, sentry_lite\n"
        "sentry_lite.init(dsn='http://public@127.0.0.1:9/1')\n"
        "assert 'litestar' not in sys.modules\n"
        "import litestar\n"
        "assert 'litestar' in sentry_lite.get_client().integrations\n"
        "app = litestar.Litestar(route_handlers=[])\n"
        "assert 'SentryLitestarASGIMiddleware' in repr(app.middleware)\n"
        "print('ok')\n"
    )
    assert run_child(["-c", code]).strip() == "ok"
