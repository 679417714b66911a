"""Schedules in the form ``monitor_config`` takes them (used by the beat and RQ
integrations): an interval in whole minutes/hours/days, an IANA timezone name."""

from __future__ import annotations

import re
from datetime import timedelta, timezone, tzinfo
from typing import Any, Dict, Optional

__all__ = ["interval_schedule", "timezone_name"]

_UNITS = (("day", 86400), ("hour", 3600), ("minute", 60))

_IANA_NAME = re.compile(r"[A-Z][A-Za-z0-9._+-]*(?:/[A-Za-z0-9._+-]+)*")
"""IANA zone names start with a capital; this rejects tzlocal's "local"/"localtime"."""


def interval_schedule(seconds: float) -> Optional[Dict[str, Any]]:
    """``{"type": "interval", "value": n, "unit": u}`` in the largest unit that divides
    the interval, or None when it is not a whole number of minutes."""
    for unit, unit_seconds in _UNITS:
        if seconds >= unit_seconds and seconds % unit_seconds == 0:
            return {"type": "interval", "value": int(seconds // unit_seconds), "unit": unit}
    return None


def timezone_name(tz: tzinfo) -> Optional[str]:
    """The zone's IANA name (``Etc/GMT-2`` for a whole-hour fixed offset), else None."""
    name = getattr(tz, "key", None) or getattr(tz, "zone", None)
    if isinstance(name, str):
        return name if _IANA_NAME.fullmatch(name) else None
    if isinstance(tz, timezone):
        offset = tz.utcoffset(None)
        if offset % timedelta(hours=1):
            return None
        hours = offset // timedelta(hours=1)
        return f"Etc/GMT{-hours:+d}" if hours else "UTC"
    return None
