"""Run a snippet in a child interpreter that must finish: the guard for work that once
grew without bound (quadratic patterns, repeated reprs). Not a benchmark: the limit is
far above what the child takes and far below what the old code took."""

from __future__ import annotations

import subprocess
import sys

HANG_LIMIT = 60
"""Seconds the child may take (it takes about one; the bugs it guards took minutes)."""


def run_guarded(code: str) -> str:
    """The child's output; raises if it fails or runs past ``HANG_LIMIT``."""
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=HANG_LIMIT,
        check=True,
    )
    return done.stdout
