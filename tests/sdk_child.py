"""Running one scenario under sentry_sdk or sentry_lite in a fresh interpreter: what the
side-by-side tests share."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Sequence

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHILD_SITE = os.path.join(ROOT, "tests", "child_site")
"""Its ``sitecustomize`` keeps sentry_sdk's start-up lean (see there)."""


def run_child(args: Sequence[str], timeout: float = 60) -> str:
    """``python <args>`` from the checkout's root, with no ``SENTRY_*`` variables (they
    would configure either SDK), the checkout importable and sentry_sdk's start-up lean;
    its stdout. Fails the test, with the child's stderr, when the child fails."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
    env["PYTHONPATH"] = os.pathsep.join([CHILD_SITE, ROOT, os.path.join(ROOT, "src")])
    proc = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout
