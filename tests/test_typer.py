"""TyperIntegration side by side with sentry_sdk: a Typer command's error, which Typer's
own excepthook would print without reporting, reaches the receiver as the same event."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any, Dict, List

import pytest

from tests.receiver import Receiver
from tests.sdk_child import CHILD_SITE

pytest.importorskip("typer")
pytest.importorskip("sentry_sdk")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(module: str) -> List[Dict[str, Any]]:
    receiver = Receiver()
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
        env["PYTHONPATH"] = os.pathsep.join([CHILD_SITE, ROOT, os.path.join(ROOT, "src")])
        proc = subprocess.run(
            [sys.executable, "-m", "tests.typer_scenario", module, receiver.dsn()],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 1, proc.stderr[-2000:]  # the app still fails as before
        assert "cannot convert 8" in proc.stdout + proc.stderr  # and Typer still prints it
        return receiver.events
    finally:
        receiver.close()


def _view(event: Dict[str, Any]) -> Dict[str, Any]:
    (value,) = event["exception"]["values"]
    frames = value["stacktrace"]["frames"]
    return {
        "type": value["type"],
        "value": value["value"],
        "mechanism": value["mechanism"],
        "level": event.get("level"),
        "last frame": (frames[-1]["function"], frames[-1].get("vars", {}).get("total")),
    }


def test_typer_command_error_is_reported_like_sentry_sdk() -> None:
    lite = run("sentry_lite")
    sdk = run("sentry_sdk")
    assert len(sdk) == 1
    assert [_view(e) for e in lite] == [_view(e) for e in sdk]
    assert _view(lite[0])["mechanism"] == {"type": "typer", "handled": False}
