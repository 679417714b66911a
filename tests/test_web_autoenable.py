"""Auto-enabling: each web integration turns on when the app imports its framework.

Fresh interpreters, because the point is what gets imported when: sentry_lite must not
import a framework the app does not use, and must enable the integration right after
the app imports it (whether ``init`` ran before or after that import).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CHILD = r"""
import sys, warnings
warnings.simplefilter("ignore")
framework, order = sys.argv[1], sys.argv[2]
FRAMEWORKS = ("flask", "django", "starlette", "fastapi")
if order == "after":
    __import__(framework)
import sentry_lite
from sentry_lite.integrations import wsgi, asgi  # the shared cores import no framework
sentry_lite.init(dsn="http://public@127.0.0.1:9/1")
if order == "before":
    leaked = [f for f in FRAMEWORKS if f in sys.modules]
    assert not leaked, leaked
    __import__(framework)
enabled = set(sentry_lite.get_client().integrations)
expected = {"fastapi": {"fastapi", "starlette"}}.get(framework, {framework})
assert expected <= enabled, (framework, enabled)
others = {f for f in FRAMEWORKS if f not in sys.modules}
assert not (others & enabled), (others & enabled)
print("ok")
"""


@pytest.mark.parametrize(
    "framework,order",
    [
        ("flask", "before"),
        ("django", "before"),
        ("starlette", "before"),
        ("fastapi", "before"),
        ("fastapi", "after"),
    ],
)
def test_enabled_on_import(framework: str, order: str) -> None:
    pytest.importorskip(framework)
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"))
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, framework, order],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr[-2000:]


def test_explicit_options_win_over_auto_enabling() -> None:
    pytest.importorskip("flask")
    code = (
        "import sentry_lite\n"
        "from sentry_lite.integrations.flask import FlaskIntegration\n"
        "sentry_lite.init(dsn='http://public@127.0.0.1:9/1',"
        " integrations=[FlaskIntegration(transaction_style='url')])\n"
        "import flask\n"
        "i = sentry_lite.get_client().integrations['flask']\n"
        "assert i.transaction_style == 'url', i.transaction_style\n"
        "print('ok')\n"
    )
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"))
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr[-2000:]
