"""Issue 16: the local receiver is not open to other web pages.

A page on another origin, open in the same browser while the receiver runs, must not
read events (``/stream``, ``/live``, ``/json/*``) nor wipe them (``/json/clear``), while
the ingest endpoints stay open to browser SDKs. Checked in real headless Chromium with
a page served from a second origin.
"""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from typing import Any, Dict

from sentry_lite.envelope import Envelope
from tests.browser.cdp import Browser, find_chromium
from tests.browser.pages import PageServer
from tests.browser.serve import ServeProcess
from tests.conftest import require

SECRET = "TOPSECRET-" + uuid.uuid4().hex[:8]

ATTACKER = """<!doctype html><html><body><script>
const VIEWER = "%(viewer)s";
window.results = {stream: [], live: [], json: null, clearSimple: null, clearJson: null,
                  clearDelete: null, ingest: null, ready: 0};
const stream = new EventSource(VIEWER + "/stream");
stream.addEventListener("application/x-sentry-envelope", (e) => results.stream.push(e.data));
stream.onopen = () => results.ready++;
const live = new EventSource(VIEWER + "/live");
live.addEventListener("item", (e) => results.live.push(e.data));
live.onopen = () => results.ready++;
fetch(VIEWER + "/json/issues").then((r) => r.text()).then((t) => results.json = t)
  .catch(() => results.json = "blocked");
// A simple request: no preflight, the response is opaque but the request is sent.
fetch(VIEWER + "/json/clear", {method: "POST", mode: "no-cors",
  headers: {"Content-Type": "text/plain; charset=json"}, body: "{}"})
  .then(() => results.clearSimple = "sent").catch(() => results.clearSimple = "failed");
fetch(VIEWER + "/json/clear", {method: "POST", headers: {"Content-Type": "application/json"},
  body: "{}"}).then((r) => results.clearJson = r.status).catch(() => results.clearJson = "blocked");
fetch(VIEWER + "/json/clear", {method: "DELETE"})
  .then((r) => results.clearDelete = r.status).catch(() => results.clearDelete = "blocked");
// A browser SDK on this origin may still send events.
fetch(VIEWER + "/api/1/envelope/", {method: "POST", body: %(envelope)s,
  headers: {"Content-Type": "application/x-sentry-envelope"}})
  .then((r) => results.ingest = r.status).catch(() => results.ingest = "blocked");
</script></body></html>"""


def _event(message: str, secret: str = "") -> bytes:
    event: Dict[str, Any] = {
        "event_id": uuid.uuid4().hex,
        "level": "error",
        "platform": "python",
        "exception": {
            "values": [
                {
                    "type": "ValueError",
                    "value": message,
                    "stacktrace": {
                        "frames": [
                            {
                                "function": "charge_" + message.replace(" ", "_"),
                                "module": "billing",
                                "in_app": True,
                                "vars": {"note": repr(secret)},
                            }
                        ]
                    },
                }
            ]
        },
    }
    env = Envelope({"event_id": event["event_id"]})
    env.add_event(event)
    return env.serialize()


def _post(url: str, body: bytes) -> None:
    request = urllib.request.Request(url + "/api/1/envelope/", data=body, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200


def test_a_page_on_another_origin_can_neither_read_nor_wipe() -> None:
    require(find_chromium() is not None, "chromium is not installed (apt-get install chromium)")
    with ServeProcess() as srv:
        _post(srv.url, _event("before the attack"))
        page_html = ATTACKER % {
            "viewer": srv.url,
            "envelope": json.dumps(_event("from a browser SDK").decode()),
        }
        with (
            PageServer({"/attack.html": page_html}) as site,
            Browser(site.url + "/attack.html") as page,
        ):
            page.wait_for(
                "results.json !== null && results.clearJson !== null &&"
                " results.clearDelete !== null && results.clearSimple !== null &&"
                " results.ingest !== null"
            )
            time.sleep(0.5)  # the streams had their chance to open
            _post(srv.url, _event("after the attack", secret=SECRET))
            srv.wait_json("/json/issues", lambda d: len(d) == 3)
            time.sleep(1.0)  # time for a live message to reach the page, were it allowed
            results = page.evaluate("JSON.stringify(results)")
        data = json.loads(results)
        assert data["stream"] == [] and data["live"] == [], "no event reaches another origin"
        assert SECRET not in results
        assert data["json"] == "blocked"
        assert data["clearJson"] == "blocked" and data["clearDelete"] == "blocked"
        assert data["ingest"] == 200, "browser SDKs on any origin can still send"
        titles = {i["title"] for i in srv.get_json("/json/issues")}
        assert "ValueError: before the attack" in titles, "nothing was wiped"
        assert "ValueError: from a browser SDK" in titles


def test_the_viewer_itself_reads_live_and_clears() -> None:
    require(find_chromium() is not None, "chromium is not installed (apt-get install chromium)")
    with ServeProcess() as srv:
        _post(srv.url, _event("first"))
        srv.wait_json("/json/issues", lambda d: len(d) == 1)
        with Browser(srv.url + "/") as page:
            page.wait_for("document.getElementById('live').classList.contains('on')")
            _post(srv.url, _event("second", secret=SECRET))
            page.wait_for("document.querySelectorAll('a.issue-link').length === 2")
            page.evaluate("window.confirm = () => true")
            page.evaluate("document.getElementById('clear').click()")
            page.wait_for("document.querySelectorAll('a.issue-link').length === 0")
        assert srv.get_json("/json/stats")["errors"] == 0
