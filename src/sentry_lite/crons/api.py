"""``capture_checkin``: one check-in event, sent like an event but as a ``check_in`` item."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from sentry_lite.api import capture_event, get_client
from sentry_lite.sdk_loggers import logger

if TYPE_CHECKING:
    from sentry_lite.types import Event, MonitorConfig

__all__ = ["capture_checkin", "checkin_event"]


def checkin_event(
    monitor_slug: Optional[str] = None,
    check_in_id: Optional[str] = None,
    status: Optional[str] = None,
    duration_s: Optional[float] = None,
    monitor_config: Optional[MonitorConfig] = None,
) -> Event:
    """The check-in as the protocol defines it; ``monitor_config`` only when given."""
    import uuid  # on first check-in: not every app that imports the SDK uses crons

    options = get_client().options
    event: Event = {
        "type": "check_in",
        "monitor_slug": monitor_slug,
        "check_in_id": check_in_id or uuid.uuid4().hex,
        "status": status,
        "duration": duration_s,
        "environment": options.get("environment"),
        "release": options.get("release"),
    }
    if monitor_config:
        event["monitor_config"] = monitor_config
    return event


def capture_checkin(
    monitor_slug: Optional[str] = None,
    check_in_id: Optional[str] = None,
    status: Optional[str] = None,
    duration: Optional[float] = None,
    monitor_config: Optional[MonitorConfig] = None,
) -> Optional[str]:
    """Send a check-in; returns its id, or None when it was not sent (no client, dropped).

    Reuse the returned id for the closing ``ok``/``error`` check-in of the same run.
    """
    try:
        event = checkin_event(monitor_slug, check_in_id, status, duration, monitor_config)
    except Exception:  # noqa: BLE001 - a check-in never breaks the job it reports on
        logger.debug("sentry_lite: could not build a check-in", exc_info=True)
        return None
    if capture_event(event) is None:
        return None
    logger.debug("sentry_lite: check-in %s: %s -> %s", event["check_in_id"], monitor_slug, status)
    return event["check_in_id"]  # type: ignore[no-any-return]
