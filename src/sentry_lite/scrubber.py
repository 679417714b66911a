"""``sentry_lite.scrubber``: the event scrubber and its default denylists, under
sentry_sdk's module name (``init(event_scrubber=EventScrubber(...))``)."""

from __future__ import annotations

from sentry_lite.events.denylists import DEFAULT_DENYLIST, DEFAULT_PII_DENYLIST
from sentry_lite.events.scrub import EventScrubber

__all__ = ["DEFAULT_DENYLIST", "DEFAULT_PII_DENYLIST", "EventScrubber"]
