"""Sentry Crons: check-ins that tell Sentry a scheduled job started, finished or failed.

``sentry_lite.crons.capture_checkin`` sends one check-in; ``sentry_lite.monitor`` wraps a
function or a block in an ``in_progress`` check-in and an ``ok``/``error`` one with the
same id and the duration. The Celery (beat) and RQ integrations send them for scheduled
tasks. Check-ins travel as ``check_in`` envelope items (data category ``monitor``) and
are never sampled.
"""

from __future__ import annotations

from sentry_lite.crons.api import capture_checkin
from sentry_lite.crons.consts import MonitorStatus
from sentry_lite.crons.decorator import monitor

__all__ = ["MonitorStatus", "capture_checkin", "monitor"]
