"""The statuses a check-in reports (sentry_sdk's names and values)."""

from __future__ import annotations

__all__ = ["MonitorStatus"]


class MonitorStatus:
    IN_PROGRESS = "in_progress"
    OK = "ok"
    ERROR = "error"
