"""Timestamps as the protocol writes them: RFC 3339 UTC with microseconds.

Formatting dominated the cost of small events and spans, so the seconds part is
formatted once per second and reused.
"""

from __future__ import annotations

import time
from typing import Tuple

__all__ = ["format_timestamp", "now_iso"]

_second_cache: Tuple[int, str] = (-1, "")


def format_timestamp(ts: float) -> str:
    """``2024-01-02T03:04:05.123456Z`` for a Unix time, as sentry_sdk writes it."""
    global _second_cache
    second = int(ts)
    cache = _second_cache
    if second != cache[0]:
        cache = _second_cache = (second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)))
    # %d truncates: microseconds never round up into the next second.
    return "%s.%06dZ" % (cache[1], (ts - second) * 1_000_000)  # noqa: UP031 - fastest


def now_iso() -> str:
    return format_timestamp(time.time())
