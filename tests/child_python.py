"""Run a snippet in a child interpreter: for what must start fresh (environment
fallbacks, the import footprint) and as the guard for work that once grew without bound
(quadratic patterns, repeated reprs). Not a benchmark: the limit is far above what a
child takes and far below what the old code took."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Dict, Optional

CHILD_LIMIT = 60
"""Seconds a child may take (it takes about one; the bugs it guards took minutes)."""


def run_python(code: str, env: Optional[Dict[str, str]] = None, cwd: Optional[str] = None) -> str:
    """The child's output; fails if it exits non-zero or runs past ``CHILD_LIMIT``. The
    child sees none of this process's ``SENTRY_*`` variables, only those in ``env``."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
    full_env.update(env or {})
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=full_env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=CHILD_LIMIT,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout
