"""The viewer in real headless Chromium: the list updates live, an issue opens, and the
stack trace with source and local variables is on screen. Saves screenshots to
tests/artifacts/ (gitignored)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
import urllib.request
import uuid
from pathlib import Path

from sentry_lite.envelope import Envelope
from tests.browser.cdp import Browser, find_chromium
from tests.browser.serve import ServeProcess
from tests.conftest import require

ARTIFACTS = Path(__file__).with_name("artifacts")

APP = textwrap.dedent(
    """
    import sys
    import sentry_lite

    sentry_lite.init(dsn=sys.argv[1], release="shop@1.0.0", environment="browser-test")
    sentry_lite.set_tag("feature", "checkout")
    sentry_lite.add_breadcrumb(category="ui.click", message="clicked pay")

    def apply_discount(price, percent):
        discounted_price = price * (1 - percent / 100)
        return round(price / (100 - percent), 2)

    if sys.argv[2] == "error":
        try:
            apply_discount(price=80, percent=100)
        except ZeroDivisionError:
            sentry_lite.capture_exception()
    else:
        sentry_lite.capture_message(sys.argv[2])
    sentry_lite.flush(10)
    """
)


def _send(srv: ServeProcess, tmp_path: Path, what: str) -> None:
    script = tmp_path / "shop_app.py"
    script.write_text(APP)
    result = subprocess.run(
        [sys.executable, str(script), srv.dsn(), what], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def _post_transaction(srv: ServeProcess) -> str:
    now = time.time()
    root, db, http, parse = "a" * 16, "b" * 16, "c" * 16, "d" * 16
    span = {"trace_id": "e" * 32}
    txn = {
        "type": "transaction",
        "event_id": uuid.uuid4().hex,
        "transaction": "POST /checkout",
        "start_timestamp": now - 0.4,
        "timestamp": now,
        "contexts": {"trace": {**span, "span_id": root, "op": "http.server", "status": "ok"}},
        "spans": [
            {
                **span,
                "span_id": db,
                "parent_span_id": root,
                "op": "db.query",
                "description": "SELECT * FROM carts WHERE id = %s",
                "start_timestamp": now - 0.38,
                "timestamp": now - 0.30,
            },
            {
                **span,
                "span_id": http,
                "parent_span_id": root,
                "op": "http.client",
                "description": "POST https://payments.example/charge",
                "status": "deadline_exceeded",
                "start_timestamp": now - 0.29,
                "timestamp": now - 0.05,
            },
            {
                **span,
                "span_id": parse,
                "parent_span_id": http,
                "op": "serialize",
                "description": "json.loads",
                "start_timestamp": now - 0.08,
                "timestamp": now - 0.06,
            },
        ],
    }
    env = Envelope({"event_id": txn["event_id"]})
    env.add_transaction(txn)
    request = urllib.request.Request(
        srv.url + "/api/1/envelope/", data=env.serialize(), method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    return str(txn["event_id"])


def test_viewer_in_headless_chromium(tmp_path: Path) -> None:
    require(find_chromium() is not None, "chromium is not installed (apt-get install chromium)")
    ARTIFACTS.mkdir(exist_ok=True)
    with ServeProcess() as srv:
        _send(srv, tmp_path, "error")
        srv.wait_json("/json/issues", lambda d: len(d) == 1)
        with Browser(srv.url + "/") as page:
            page.wait_for("document.querySelectorAll('a.issue-link').length === 1")
            assert page.wait_for("document.getElementById('live').classList.contains('on')")

            # Live update: a new issue appears in the open list without a reload.
            page.evaluate("window.__marker = 'same page'")
            _send(srv, tmp_path, "inventory sync finished")
            page.wait_for("document.querySelectorAll('a.issue-link').length === 2")
            assert page.evaluate("window.__marker") == "same page"

            # Search as you type filters the list.
            page.evaluate(
                "(() => { const i = document.querySelector('form.search input');"
                " i.value = 'inventory'; i.dispatchEvent(new Event('input')); })()"
            )
            page.wait_for(
                "document.querySelectorAll('a.issue-link').length === 1 &&"
                " document.querySelector('a.issue-link').textContent.includes('inventory')"
            )
            page.screenshot(str(ARTIFACTS / "devserver-search.png"), full_page=False)
            page.navigate(srv.url + "/")
            page.wait_for("document.querySelectorAll('a.issue-link').length === 2")
            page.screenshot(str(ARTIFACTS / "devserver-issues.png"), full_page=False)

            # Open the issue by clicking it, as a user would.
            page.evaluate(
                "[...document.querySelectorAll('a.issue-link')]"
                ".find(a => a.textContent.startsWith('ZeroDivisionError')).click()"
            )
            page.wait_for(
                "location.pathname.startsWith('/issues/') && document.readyState === 'complete'"
            )
            title = page.evaluate("document.querySelector('h1').textContent")
            assert title == "ZeroDivisionError: division by zero"
            current_line = page.evaluate(
                "[...document.querySelectorAll('details.frame[open] ol.source li.current')]"
                ".map(li => li.textContent.trim())"
            )
            assert "return round(price / (100 - percent), 2)" in current_line
            frame_heads = page.evaluate(
                "[...document.querySelectorAll('details.frame summary')].map(s => s.textContent)"
            )
            assert any("apply_discount" in head for head in frame_heads)
            # The local variable is rendered and actually visible (its frame is open).
            visible_vars = page.evaluate(
                "[...document.querySelectorAll('table.vars tr')]"
                ".filter(tr => tr.getBoundingClientRect().height > 0)"
                ".map(tr => [tr.querySelector('th').textContent,"
                " tr.querySelector('td').textContent])"
            )
            assert ["discounted_price", "0.0"] in visible_vars
            assert ["percent", "100"] in visible_vars
            body_text = page.evaluate("document.body.innerText")
            assert "clicked pay" in body_text and "feature" in body_text
            page.screenshot(str(ARTIFACTS / "devserver-issue.png"))

            # A transaction renders as a waterfall of nested spans.
            event_id = _post_transaction(srv)
            page.navigate(f"{srv.url}/events/{event_id}")
            assert page.evaluate("document.querySelectorAll('.wf-row').length") == 4
            widths = page.evaluate(
                "[...document.querySelectorAll('.wf-bar')]"
                ".map(b => b.getBoundingClientRect().width)"
            )
            assert widths[0] > widths[1] > 0, "the root span is the widest bar"
            page.screenshot(str(ARTIFACTS / "devserver-transaction.png"))
    assert (ARTIFACTS / "devserver-issue.png").stat().st_size > 10_000
