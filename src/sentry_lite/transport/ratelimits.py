"""Rate limits as the ingest announces them, so we stop sending what it will refuse.

Protocol (https://develop.sentry.dev/sdk/expected-features/rate-limiting/):

* ``X-Sentry-Rate-Limits: <retry_after>:<categories>:<scope>:<reason_code>:<namespaces>, ...``
  is honoured on *every* reply, 200 included. ``categories`` is a ``;`` list; empty means
  every category. ``scope`` and ``reason_code`` are informational (kept for debugging).
* Without that header, a ``429`` is a limit on everything for ``Retry-After`` seconds
  (a number or an HTTP date), or :data:`DEFAULT_RETRY_AFTER` when it is absent or unreadable.

Deadlines use the monotonic clock so a wall-clock jump cannot lift or extend a limit.
"""

from __future__ import annotations

import threading
import time
from typing import Dict, List, Mapping, Optional, Tuple

from sentry_lite.limits import DEFAULT_RETRY_AFTER, MAX_RETRY_AFTER

__all__ = ["DEFAULT_RETRY_AFTER", "RateLimits", "parse_retry_after"]


_ALL = ""
"""Key for a limit on every category."""

_EQUIVALENT: Dict[str, Tuple[str, ...]] = {
    # An event item is counted as "error"; ingest may phrase its limit as "default".
    "error": ("error", "default"),
    "default": ("default", "error"),
}


def parse_retry_after(value: Optional[str], now: Optional[float] = None) -> float:
    """Seconds from a ``Retry-After`` value: delta-seconds or an HTTP date."""
    if value is None:
        return DEFAULT_RETRY_AFTER
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            import email.utils  # only for the rare HTTP-date form of Retry-After

            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return DEFAULT_RETRY_AFTER
        if when is None:
            return DEFAULT_RETRY_AFTER
        seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds != seconds:  # NaN
        return DEFAULT_RETRY_AFTER
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


class RateLimits:
    """Per-category deadlines before which nothing of that category may be sent."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._until: Dict[str, float] = {}
        self._namespaces: Dict[str, Tuple[str, ...]] = {}
        self.reasons: Dict[str, str] = {}
        """Last reason code per category (``""`` = all), for debugging and docs."""

    # -- updating ---------------------------------------------------------
    def update(self, status: int, headers: Mapping[str, str]) -> bool:
        """Learn limits from a reply. Returns True if a limit was set."""
        header = _get(headers, "x-sentry-rate-limits")
        if header:
            return self._apply_header(header)
        if status == 429:
            seconds = parse_retry_after(_get(headers, "retry-after"))
            self._set(_ALL, seconds, "", ())
            return True
        return False

    def _apply_header(self, header: str) -> bool:
        found = False
        for entry in header.split(","):
            parts = entry.strip().split(":")
            if not parts or not parts[0]:
                continue
            try:
                seconds = float(parts[0])
            except ValueError:
                continue
            if seconds != seconds or seconds < 0:
                continue
            seconds = min(seconds, MAX_RETRY_AFTER)
            categories = [c.strip() for c in parts[1].split(";")] if len(parts) > 1 else []
            categories = [c for c in categories if c]
            reason = parts[3].strip() if len(parts) > 3 else ""
            namespaces = tuple(
                n.strip() for n in (parts[4].split(";") if len(parts) > 4 else []) if n.strip()
            )
            for category in categories or [_ALL]:
                self._set(category, seconds, reason, namespaces)
                found = True
        return found

    def _set(self, category: str, seconds: float, reason: str, namespaces: Tuple[str, ...]) -> None:
        deadline = time.monotonic() + seconds
        with self._lock:
            # A later, shorter announcement replaces an earlier one: ingest knows best.
            self._until[category] = deadline
            self.reasons[category] = reason
            if namespaces:
                self._namespaces[category] = namespaces
            else:
                self._namespaces.pop(category, None)

    # -- querying ---------------------------------------------------------
    def remaining(self, category: str, now: Optional[float] = None) -> float:
        """Seconds until ``category`` may be sent again (0.0 when it may be sent now)."""
        now = time.monotonic() if now is None else now
        keys = (*_EQUIVALENT.get(category, (category,)), _ALL)
        with self._lock:
            best = 0.0
            for key in keys:
                until = self._until.get(key)
                if until is None or until <= now:
                    continue
                ns = self._namespaces.get(key)
                if key == "metric_bucket" and ns and "custom" not in ns:
                    continue
                best = max(best, until - now)
            return best

    def is_limited(self, category: str) -> bool:
        return self.remaining(category) > 0.0

    def any_active(self) -> bool:
        now = time.monotonic()
        with self._lock:
            return any(until > now for until in self._until.values())

    def split(self, categories: List[str]) -> Tuple[List[int], List[int], float]:
        """Indexes of sendable and limited categories, and the longest wait of the latter."""
        now = time.monotonic()
        ok: List[int] = []
        limited: List[int] = []
        wait = 0.0
        for index, category in enumerate(categories):
            left = self.remaining(category, now)
            if left > 0.0:
                limited.append(index)
                wait = max(wait, left)
            else:
                ok.append(index)
        return ok, limited, wait


def _get(headers: Mapping[str, str], name: str) -> Optional[str]:
    value = headers.get(name)
    if value is None:
        for key, val in headers.items():
            if key.lower() == name:
                return val
    return value
