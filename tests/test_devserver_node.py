"""The official ``@sentry/node`` SDK (npm) sends to ``sentry-lite serve``.

Needs ``cd tests/node && npm ci``; without node_modules the test is skipped, except
with ``SENTRY_LITE_CI=1`` where it fails.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.browser.serve import ServeProcess
from tests.conftest import require, require_binary

NODE_DIR = Path(__file__).with_name("node")


def test_sentry_node_events_are_stored_and_shown() -> None:
    node = require_binary("node")
    require(
        (NODE_DIR / "node_modules" / "@sentry" / "node").is_dir(),
        "@sentry/node is not installed: run `npm ci` in tests/node",
    )
    with ServeProcess() as srv:
        result = subprocess.run(
            [node, str(NODE_DIR / "send.js"), srv.dsn()],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        issues = srv.wait_json("/json/issues", lambda d: len(d) >= 2)
        titles = {i["title"] for i in issues}
        assert {"Error: checkout failed", "hello from @sentry/node"} <= titles
        error = next(i for i in issues if i["title"] == "Error: checkout failed")
        event = srv.get_json(f"/json/events/{error['last_event_id']}")
        assert event["platform"] == "node"
        assert event["sdk"].startswith("sentry.javascript.node")
        types = [v["type"] for v in event["body"]["exception"]["values"]]
        assert types == ["TypeError", "Error"], "the cause chain arrives"
        page = srv.get(f"/issues/{error['id']}")
        assert "parseQuantity" in page and "throw new TypeError" in page
        assert "The above exception was the direct cause of the following exception" in page
        txns = srv.wait_json("/json/transactions", lambda d: len(d) >= 1)
        assert txns[0]["title"] == "node-checkout"
        waterfall = srv.get(f"/events/{txns[0]['event_id']}")
        assert "SELECT * FROM carts" in waterfall
        srv.wait_for_line(r"transaction\s+node-checkout\s+\[sentry\.javascript\.node")


def test_sentry_node_spotlight_option_reaches_the_server() -> None:
    """@sentry/node with ``spotlight: <url>`` and no DSN posts envelopes to ``/stream``."""
    node = require_binary("node")
    require(
        (NODE_DIR / "node_modules" / "@sentry" / "node").is_dir(),
        "@sentry/node is not installed: run `npm ci` in tests/node",
    )
    with ServeProcess() as srv:
        result = subprocess.run(
            [node, str(NODE_DIR / "send.js"), "--spotlight", f"http://localhost:{srv.port}/stream"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        issues = srv.wait_json("/json/issues", lambda d: len(d) >= 2)
        assert {"Error: checkout failed", "hello from @sentry/node"} <= {i["title"] for i in issues}
        txns = srv.wait_json("/json/transactions", lambda d: len(d) >= 1)
        assert txns[0]["title"] == "node-checkout"
