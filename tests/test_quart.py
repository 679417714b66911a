"""QuartIntegration side by side with sentry_sdk: a real Quart app served by uvicorn on a
free 127.0.0.1 port, called over HTTP, under each SDK in a fresh interpreter with a real
receiver. Compared: the error event of a view that raises (answered by Quart's own 500
page), message events of an async JSON POST, of a sync view (on a worker thread) and of
a request carrying an incoming trace, their request data with ``send_default_pii`` on
and off, the transactions named by endpoint and by URL rule, and the streamed segments
of ``trace_lifecycle="stream"``."""

from __future__ import annotations

import json
import re
from typing import Any, Dict

import pytest

from tests.framework_sidebyside import run_events, run_segments
from tests.sdk_child import run_child
from tests.test_side_by_side import diff

pytest.importorskip("quart")
pytest.importorskip("uvicorn")
pytest.importorskip("httpx")
pytest.importorskip("sentry_sdk")

SCENARIOS = "tests.quart_scenarios"
STATUSES = [500, 503, 200, 200, 200]
_PORT = re.compile(r"127\.0\.0\.1:\d+")
_CLIENT_HEADERS = ("accept-encoding", "baggage", "sentry-trace")
"""Set by the HTTP client (and its SDK integration), not by the app: left out."""


def _view(view: Dict[str, Any], event: Dict[str, Any]) -> Dict[str, Any]:
    """Quart's own request fields too, with the server's (random) port hidden."""
    request = event.get("request", {})
    trace = event.get("contexts", {}).get("trace", {})
    headers = {
        k: v for k, v in (request.get("headers") or {}).items() if k.lower() not in _CLIENT_HEADERS
    }
    view.update(
        headers=headers,
        env=request.get("env"),
        user=event.get("user"),
        tags=event.get("tags"),
        thread=(trace.get("data") or {}).get("thread.name"),
        incoming_trace=trace.get("trace_id") == "471a43a4192642f0b136d5159a501701",
    )
    return json.loads(_PORT.sub("127.0.0.1:PORT", json.dumps(view)))  # type: ignore[no-any-return]


def _without_pii(view: Dict[str, Any], event: Dict[str, Any]) -> Dict[str, Any]:
    """Quart's own ``Remote-Addr`` header is withheld by sentry-lite's scrubber too without
    pii (keys match ignoring ``-``/``_``: a documented difference, docs/privacy.md)."""
    view = _view(view, event)
    assert view["env"] is None and not (view["user"] or {}).get("ip_address")
    view["address_sent"] = view["headers"].pop("Remote-Addr", None) != "[Filtered]"
    return view


@pytest.mark.parametrize(
    "flags",
    [(), ("nopii", "url")],
    ids=["endpoint-pii", "url-nopii"],
)
def test_same_events_and_transactions_as_sentry_sdk(flags: Any) -> None:
    view = _without_pii if "nopii" in flags else _view
    lite = run_events(SCENARIOS, "sentry_lite", view, *flags)
    sdk = run_events(SCENARIOS, "sentry_sdk", view, *flags)
    if "nopii" in flags:
        assert not any(e.pop("address_sent") for e in lite["events"])
        assert all(e.pop("address_sent") for e in sdk["events"])
    assert lite["statuses"] == sdk["statuses"] == STATUSES
    # 4 events (the error and three messages; the 503 abort is the app's answer) and
    # 5 transactions
    assert len(sdk["events"]) == 9
    problems = diff(lite["events"], sdk["events"])
    assert not problems, "\n".join(problems)
    errors = [e for e in lite["events"] if e.get("exceptions")]
    assert [e["exceptions"][0][2] for e in errors] == [{"type": "quart", "handled": False}]
    sync = {e["thread"] for e in lite["events"] if e["transaction"] in ("sync_view", "/sync")}
    assert len(sync) == 1 and sync != {"MainThread"}


def test_streamed_segments_named_by_route_as_sentry_sdk() -> None:
    attributes = (
        "http.request.method",
        "http.response.status_code",
        "url.query",
        "url.path",
        "client.address",
        "user.ip_address",
        "thread.name",
        "sentry.origin",
        "sentry.op",
    )
    lite = run_segments(SCENARIOS, "sentry_lite", *attributes)
    assert lite == run_segments(SCENARIOS, "sentry_sdk", *attributes)
    assert {s["route"] for s in lite} == {
        "/users/<int:user_id>",
        "/busy",
        "/orders",
        "/sync",
        "/traced",
    }


def test_enabled_when_quart_is_imported() -> None:
    """Auto-enabling (as sentry_sdk): on after ``import quart``, which ``init`` itself
    does not import."""
    code = (
        "import sys, sentry_lite\n"
        "sentry_lite.init(dsn='http://public@127.0.0.1:9/1')\n"
        "assert 'quart' not in sys.modules\n"
        "import quart\n"
        "assert 'quart' in sentry_lite.get_client().integrations\n"
        "print('ok')\n"
    )
    assert run_child(["-c", code]).strip() == "ok"
