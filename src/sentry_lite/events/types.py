"""The event type names, kept where earlier releases had them (see ``sentry_lite.types``)."""

from __future__ import annotations

from sentry_lite.types import Breadcrumb, Event, EventProcessor, Hint

__all__ = ["Breadcrumb", "Event", "EventProcessor", "Hint"]
