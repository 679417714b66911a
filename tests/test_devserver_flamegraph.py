"""The viewer shows a transaction's profile as a flame graph beside it (both kinds of
profiling, sent by the real SDK to the real local receiver)."""

from __future__ import annotations

import http.client
import re
import time
import warnings
from typing import Any, Iterator

import pytest

import sentry_lite
from sentry_lite.devserver import DevServer
from sentry_lite.devserver.flamegraph import call_tree, flame_graph
from tests.conftest import reset_sdk
from tests.test_profiler import busy


@pytest.fixture
def server() -> Iterator[DevServer]:
    srv = DevServer("127.0.0.1", 0).start()
    reset_sdk()
    try:
        yield srv
    finally:
        reset_sdk()
        srv.stop()


def _get(srv: DevServer, path: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        assert response.status == 200
        return response.read().decode("utf-8")
    finally:
        conn.close()


def slow_handler() -> None:
    busy(0.1, ticks=5)


def _transaction_page(srv: DevServer, name: str) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        listing = _get(srv, "/transactions")
        found = re.search(r'href="/events/([0-9a-f]{32})"[^>]*>' + name, listing)
        if found:
            return _get(srv, f"/events/{found.group(1)}")
        time.sleep(0.05)
    raise AssertionError(f"transaction {name} not listed")


@pytest.mark.parametrize("kind", ["transaction", "continuous"])
def test_transaction_page_shows_its_flame_graph(server: DevServer, kind: str) -> None:
    options: Any = {"traces_sample_rate": 1.0}
    if kind == "transaction":
        options["profiles_sample_rate"] = 1.0
    else:
        options.update(profile_session_sample_rate=1.0, profile_lifecycle="trace")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        sentry_lite.init(dsn=server.dsn(), **options)
    with sentry_lite.start_transaction(name="profiled-request", op="http.server"):
        slow_handler()
    sentry_lite.get_client().close(timeout=5)  # sends the last chunk too
    page = _transaction_page(server, "profiled-request")
    assert 'id="profile"' in page
    boxes = re.findall(r'<div class="fg-box" title="([^"]*)"', page)
    assert any(t.startswith("slow_handler") for t in boxes), boxes[:5]
    assert any(t.startswith("busy") for t in boxes)


def test_flame_graph_widths_follow_the_samples() -> None:
    frames = [{"function": "main"}, {"function": "hot"}, {"function": "cold"}]
    payload = {
        "version": "2",
        "profile": {
            "frames": frames,
            "stacks": [[1, 0], [2, 0]],  # leaf first
            "samples": [{"timestamp": float(i), "thread_id": "1", "stack_id": 0} for i in range(3)]
            + [{"timestamp": 9.0, "thread_id": "1", "stack_id": 1}]
            + [{"timestamp": 1.0, "thread_id": "2", "stack_id": 1}],
        },
    }
    tree = call_tree([payload], thread_id="1", start=0.0, end=10.0)
    assert tree.count == 4
    [main] = tree.children.values()
    assert {n.name: n.count for n in main.children.values()} == {"hot": 3, "cold": 1}
    assert call_tree([payload], thread_id="1", start=0.5, end=5.0).count == 2
    html = flame_graph(tree)
    assert 'title="hot&#10;' in html or 'title="hot\n' in html
    assert "width:75.000%" in html and "width:25.000%" in html
    assert flame_graph(call_tree([])) == ""
