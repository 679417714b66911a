"""The official ``sentry_sdk`` sends to ``sentry-lite serve`` running as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.browser.serve import ServeProcess

pytest.importorskip("sentry_sdk")

SDK_APP = textwrap.dedent(
    """
    import logging, sys
    import sentry_sdk

    options = dict(traces_sample_rate=1.0, enable_logs=True, default_integrations=True)
    if sys.argv[1] == "spotlight":
        options["spotlight"] = True  # the URL comes from SENTRY_SPOTLIGHT, as the spec says
    else:
        options["dsn"] = sys.argv[2]
    sentry_sdk.init(**options)
    sentry_sdk.set_tag("feature", "checkout")
    sentry_sdk.set_user({"id": "42"})
    sentry_sdk.add_breadcrumb(category="auth", message="user logged in")

    def compute(items, divisor):
        subtotal = sum(items)
        return subtotal / divisor

    with sentry_sdk.start_transaction(op="task", name="checkout-task"):
        with sentry_sdk.start_span(op="db.query", description="SELECT * FROM carts"):
            pass
        try:
            compute([1, 2, 3], 0)
        except ZeroDivisionError:
            sentry_sdk.capture_exception()
    logging.error("payment failed for %s", "order-7")
    sentry_sdk.logger.info("structured log {x}", x=1)
    sentry_sdk.flush(10)
    """
)


def _run_sdk(mode: str, target: str, tmp_path: Path) -> None:
    script = tmp_path / "sdk_app.py"  # a real file, so frames carry source context
    script.write_text(SDK_APP)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
    if mode == "spotlight":
        env["SENTRY_SPOTLIGHT"] = target
    result = subprocess.run(
        [sys.executable, str(script), mode, target],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode == 0, result.stderr


def test_sentry_sdk_events_are_stored_and_shown(tmp_path: Path) -> None:
    with ServeProcess() as srv:
        _run_sdk("dsn", srv.dsn(), tmp_path)
        issues = srv.wait_json("/json/issues", lambda d: len(d) >= 2)
        titles = {i["title"] for i in issues}
        assert "ZeroDivisionError: division by zero" in titles
        assert "payment failed for order-7" in titles
        txns = srv.wait_json("/json/transactions", lambda d: len(d) == 1)
        assert txns[0]["title"] == "checkout-task"
        assert txns[0]["sdk"].startswith("sentry.python")
        logs = srv.wait_json("/json/logs", lambda d: len(d) >= 1)
        assert any(r["body"] == "structured log 1" for r in logs)

        issue = next(i for i in issues if i["title"].startswith("ZeroDivisionError"))
        page = srv.get(f"/issues/{issue['id']}")
        assert "return subtotal / divisor" in page, "source context"
        assert "subtotal" in page and "divisor" in page, "local variables"
        assert "user logged in" in page and "checkout" in page
        event = srv.get_json(f"/json/events/{issue['last_event_id']}")
        assert (
            event["body"]["exception"]["values"][0]["stacktrace"]["frames"][-1]["vars"]["divisor"]
            == "0"
        )
        waterfall = srv.get(f"/events/{txns[0]['event_id']}")
        assert "SELECT * FROM carts" in waterfall and "wf-bar" in waterfall
        assert "Same trace" in waterfall and "ZeroDivisionError: division by zero" in waterfall
        # One terminal line per received item.
        srv.wait_for_line(r"error\s+ZeroDivisionError: division by zero")
        srv.wait_for_line(r"transaction\s+checkout-task")
        srv.wait_for_line(r"log\s+structured log 1")


def test_sentry_sdk_spotlight_option_reaches_the_server(tmp_path: Path) -> None:
    with ServeProcess() as srv:
        # spotlight=True with the sidecar URL in SENTRY_SPOTLIGHT, on "localhost" like
        # the default http://localhost:8969/stream.
        _run_sdk("spotlight", f"http://localhost:{srv.port}/stream", tmp_path)
        issues = srv.wait_json("/json/issues", lambda d: len(d) >= 1)
        assert any(i["title"] == "ZeroDivisionError: division by zero" for i in issues)
