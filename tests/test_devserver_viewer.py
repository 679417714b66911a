"""Each viewer feature in real headless Chromium: an issue's newest event with
older/newer navigation, filters and columns, trace links, values shown as values, the
transaction status and HTTP code, open-in-editor links, and the logs, sessions and
profiles pages. (Clear and the second-origin checks: test_devserver_security.py; the
Spotlight error page: test_devserver_spotlight_django.py.)"""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest

from sentry_lite.envelope import Envelope, Item
from tests.browser.cdp import Browser, find_chromium
from tests.browser.serve import ServeProcess
from tests.conftest import require

ARTIFACTS = Path(__file__).with_name("artifacts")
TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
EDITOR = "myeditor://open?file={path}&line={line}"


def _frame(function: str, in_app: bool, **extra: Any) -> Dict[str, Any]:
    return {
        "function": function,
        "module": "shop.checkout" if in_app else "framework.core",
        "filename": "shop/checkout.py" if in_app else "framework/core.py",
        "abs_path": "/srv/shop/checkout.py" if in_app else "/usr/lib/framework/core.py",
        "lineno": 42 if in_app else 7,
        "context_line": "    total = price(cart) / count" if in_app else "    return view()",
        "in_app": in_app,
        **extra,
    }


def _error(release: str, environment: str, n: int, trace: Optional[str] = None) -> Dict[str, Any]:
    return {
        "event_id": uuid.uuid4().hex,
        "level": "error",
        "platform": "python",
        "release": release,
        "environment": environment,
        "sdk": {"name": "sentry.python", "version": "2.75.0"},
        "message": f"attempt {n}",
        "exception": {
            "values": [
                {
                    "type": "ZeroDivisionError",
                    "value": "division by zero",
                    "stacktrace": {
                        "frames": [
                            _frame("dispatch", False),
                            _frame(
                                "checkout",
                                True,
                                vars={
                                    "name": "'Ada'",
                                    "count": "0",
                                    "attempt": str(n),
                                    "customer": {"name": "'Ada'", "tags": ["'vip'", "'eu'"]},
                                },
                            ),
                        ]
                    },
                }
            ]
        },
        "contexts": {"trace": {"trace_id": trace or uuid.uuid4().hex, "span_id": "a" * 16}},
    }


def _transaction(name: str, status: str, code: int, trace: str) -> Dict[str, Any]:
    now = time.time()
    return {
        "type": "transaction",
        "event_id": uuid.uuid4().hex,
        "transaction": name,
        "release": "shop@2.0",
        "environment": "production",
        "start_timestamp": now - 0.25,
        "timestamp": now,
        "contexts": {
            "trace": {
                "trace_id": trace,
                "span_id": "b" * 16,
                "op": "http.server",
                "status": status,
            },
            "response": {"status_code": code},
        },
        "spans": [],
    }


def _post(srv: ServeProcess, items: List[Item], project: str = "1") -> None:
    env = Envelope({})
    for item in items:
        env.add_item(item)
    request = urllib.request.Request(
        f"{srv.url}/api/{project}/envelope/", data=env.serialize(), method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200


@pytest.fixture(scope="module")
def srv() -> Iterator[ServeProcess]:
    require(find_chromium() is not None, "chromium is not installed (apt-get install chromium)")
    with ServeProcess("--editor", EDITOR) as server:
        # One issue, three events over two releases; the same error from a second app.
        _post(server, [Item(_error("shop@1.0", "production", 1), "event")])
        _post(server, [Item(_error("shop@1.0", "staging", 2), "event")])
        _post(server, [Item(_error("shop@2.0", "production", 3, TRACE), "event")])
        _post(server, [Item(_error("billing@7", "production", 4), "event")], project="2")
        _post(
            server,
            [Item(_transaction("POST /checkout", "internal_error", 500, TRACE), "transaction")],
        )
        _post(server, [Item(_transaction("GET /cart", "ok", 200, uuid.uuid4().hex), "transaction")])
        log = {
            "timestamp": time.time(),
            "level": "warn",
            "body": "card declined",
            "trace_id": TRACE,
            "attributes": {"sentry.release": {"value": "shop@2.0", "type": "string"}},
        }
        session = {
            "sid": uuid.uuid4().hex,
            "status": "crashed",
            "errors": 1,
            "init": True,
            "started": "2026-01-01T00:00:00Z",
            "attrs": {"release": "shop@2.0", "environment": "production"},
        }
        profile = {
            "platform": "python",
            "version": "1",
            "transaction": {"name": "POST /checkout", "trace_id": TRACE},
            "profile": {
                "samples": [{"stack_id": 0}] * 5,
                "stacks": [[0]],
                "frames": [{"function": "f"}],
            },
        }
        _post(
            server,
            [Item({"items": [log]}, "log"), Item(session, "session"), Item(profile, "profile")],
        )
        server.wait_json("/json/issues", lambda d: len(d) == 2)
        yield server


@pytest.fixture(scope="module")
def page(srv: ServeProcess) -> Iterator[Browser]:
    ARTIFACTS.mkdir(exist_ok=True)
    with Browser(srv.url + "/") as browser:
        yield browser


def _issue(srv: ServeProcess, release_part: str) -> Dict[str, Any]:
    return next(i for i in srv.get_json("/json/issues") if release_part in (i["releases"] or ""))


def test_issue_page_shows_the_newest_event_with_older_and_newer(
    srv: ServeProcess, page: Browser
) -> None:
    issue = _issue(srv, "shop@")
    page.navigate(f"{srv.url}/issues/{issue['id']}")
    assert (
        page.evaluate("document.querySelector('.event-nav .position').textContent")
        == "event 1 of 3"
    )
    assert page.evaluate("document.querySelector('.chips .chip b').textContent") == "3 events"
    # The event list is collapsed and the stack trace is on screen, not below the fold.
    assert page.evaluate("document.querySelector('details.event-list').open") is False
    top = page.evaluate("document.querySelector('#exception').getBoundingClientRect().top")
    assert top < 900
    newest = page.evaluate("document.body.innerText")
    assert "shop@2.0" in newest and "attempt 3" in newest
    page.evaluate("document.querySelector('a.nav-next').click()")
    page.wait_for("document.querySelector('.event-nav .position')?.textContent === 'event 2 of 3'")
    assert "attempt 2" in page.evaluate("document.body.innerText")
    page.evaluate("document.querySelector('a.nav-next').click()")
    page.wait_for("document.querySelector('.event-nav .position')?.textContent === 'event 3 of 3'")
    assert page.evaluate("document.querySelector('a.nav-next')") is None, "no older than the oldest"
    page.evaluate("document.querySelector('a.nav-prev').click()")
    page.wait_for("document.querySelector('.event-nav .position')?.textContent === 'event 2 of 3'")
    page.screenshot(str(ARTIFACTS / "viewer-issue-nav.png"), full_page=False)


def test_issue_list_columns_and_filters(srv: ServeProcess, page: Browser) -> None:
    page.navigate(srv.url + "/")
    rows = page.evaluate(
        "[...document.querySelectorAll('table.issues tbody tr')].map(tr =>"
        " ['.col-project', '.col-release', '.col-environment', '.col-sdk']"
        ".map(css => tr.querySelector(css).textContent))"
    )
    assert ["2", "billing@7", "production", "sentry.python 2.75.0"] in rows
    assert ["1", "shop@1.0, shop@2.0", "production, staging", "sentry.python 2.75.0"] in [
        [r[0], ", ".join(sorted(r[1].split(", "))), ", ".join(sorted(r[2].split(", "))), r[3]]
        for r in rows
    ]
    # Choose a release in the filter menu, as a user would.
    page.evaluate(
        "(() => { const s = document.querySelector('select[data-filter=release]');"
        " s.value = 'shop@1.0'; s.dispatchEvent(new Event('change')); })()"
    )
    page.wait_for("location.search === '?release=shop%401.0'")
    page.wait_for(
        "document.readyState === 'complete'"
        " && document.querySelectorAll('a.issue-link').length === 1"
    )
    assert page.evaluate("document.querySelector('table.issues td.num').textContent") == "2"
    page.screenshot(str(ARTIFACTS / "viewer-filters.png"), full_page=False)
    # The filter follows into the issue: only that release's events.
    page.evaluate("document.querySelector('a.issue-link').click()")
    page.wait_for("document.querySelector('.event-nav .position')?.textContent === 'event 1 of 2'")
    environment = page.evaluate("document.querySelector('select[data-filter=project]')")
    assert environment is None  # the issue page has no filter bar, the list has


def test_trace_links_everywhere(srv: ServeProcess, page: Browser) -> None:
    issue = _issue(srv, "shop@")
    page.navigate(f"{srv.url}/issues/{issue['id']}")
    href = page.evaluate("document.querySelector('.chips a.trace-link').getAttribute('href')")
    assert href == f"/traces/{TRACE}"
    for path in ("/transactions", "/logs", f"/issues/{issue['id']}"):
        page.navigate(srv.url + path)
        links = page.evaluate(
            "[...document.querySelectorAll('a.trace-link')].map(a => a.getAttribute('href'))"
        )
        assert f"/traces/{TRACE}" in links, path
    page.evaluate(f"document.querySelector('a.trace-link[href=\"/traces/{TRACE}\"]').click()")
    page.wait_for(f"location.pathname === '/traces/{TRACE}' && document.readyState === 'complete'")
    text = page.evaluate("document.body.innerText")
    assert "POST /checkout" in text and "ZeroDivisionError" in text and "card declined" in text
    assert "1 transaction" in text and "1 error" in text and "1 log record" in text
    page.screenshot(str(ARTIFACTS / "viewer-trace.png"), full_page=False)


def test_values_are_shown_as_values(srv: ServeProcess, page: Browser) -> None:
    issue = _issue(srv, "shop@")
    page.navigate(f"{srv.url}/issues/{issue['id']}")
    cells = page.evaluate(
        "Object.fromEntries([...document.querySelectorAll('table.vars > tbody > tr')]"
        ".map(tr => [tr.querySelector('th').textContent, tr.querySelector('td')]).map(([k, td]) =>"
        " [k, td.querySelector('details') ? 'nested:' + td.innerText : td.textContent]))"
    )
    assert cells["name"] == "'Ada'", "a repr is shown as itself, not re-quoted as JSON"
    assert cells["count"] == "0"
    assert cells["customer"].startswith("nested:") and "'vip'" in cells["customer"]
    assert '"' not in cells["customer"]


def test_transactions_list_has_status_and_http_code(srv: ServeProcess, page: Browser) -> None:
    page.navigate(srv.url + "/transactions")
    rows = page.evaluate(
        "Object.fromEntries([...document.querySelectorAll('table.transactions tbody tr')].map(tr =>"
        " [tr.querySelector('a.txn-link').textContent,"
        " [tr.querySelector('.col-status').textContent,"
        " tr.querySelector('.col-http').textContent]]))"
    )
    assert rows == {"POST /checkout": ["internal_error", "500"], "GET /cart": ["ok", "200"]}
    page.screenshot(str(ARTIFACTS / "viewer-transactions.png"), full_page=False)


def test_open_in_editor_links_for_in_app_frames(srv: ServeProcess, page: Browser) -> None:
    issue = _issue(srv, "shop@")
    page.navigate(f"{srv.url}/issues/{issue['id']}")
    links = page.evaluate(
        "[...document.querySelectorAll('details.frame')].map(d =>"
        " [d.querySelector('.fn').textContent,"
        " d.querySelector('a.open-editor')?.getAttribute('href') || null])"
    )
    assert links == [
        ["dispatch", None],
        ["checkout", "myeditor://open?file=/srv/shop/checkout.py&line=42"],
    ]


def test_logs_sessions_and_profiles_pages(srv: ServeProcess, page: Browser) -> None:
    page.navigate(srv.url + "/")
    tabs = page.evaluate(
        "Object.fromEntries([...document.querySelectorAll('nav.tabs .tab')].map(t =>"
        " [t.dataset.tab, t.querySelector('.count').textContent]))"
    )
    assert tabs == {
        "issues": "2",
        "transactions": "2",
        "logs": "1",
        "sessions": "1",
        "profiles": "1",
        "other": "0",
    }
    page.evaluate("document.querySelector('.tab[data-tab=logs]').click()")
    page.wait_for("location.pathname === '/logs' && document.readyState === 'complete'")
    assert "card declined" in page.evaluate("document.querySelector('table.logs').innerText")
    page.navigate(srv.url + "/sessions")
    text = page.evaluate("document.querySelector('table.sessions').innerText")
    assert "shop@2.0" in text and "crashed" in text
    page.navigate(srv.url + "/profiles")
    page.evaluate("document.querySelector('a.profile-link').click()")
    page.wait_for(
        "location.pathname.startsWith('/profiles/') && document.readyState === 'complete'"
    )
    summary = page.evaluate("document.querySelector('#summary').innerText")
    assert "samples" in summary and "5" in summary
    assert page.evaluate("document.querySelector('h1').textContent") == "POST /checkout"


def test_a_single_event_is_not_plural(srv: ServeProcess, page: Browser) -> None:
    issue = _issue(srv, "billing@")
    page.navigate(f"{srv.url}/issues/{issue['id']}")
    assert page.evaluate("document.querySelector('.chips .chip b').textContent") == "1 event"
    assert json.loads(json.dumps(issue))["count"] == 1
