"""Top-level sections of a hand-made event that have the wrong type, made usable.

Why: ``capture_event({"contexts": None})`` or a list or a string there made the scopes'
merge raise, and the event was lost. The pipeline merges into ``contexts``, ``tags`` and
``extra`` and expects mappings: ``None`` means "none", another mapping is copied into a
dict, and anything else is kept, with a warning, under ``extra`` (named after the field)
so that nothing the app sent is silently gone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable, Dict

__all__ = ["MAPPING_SECTIONS", "fix_top_level"]

MAPPING_SECTIONS = ("contexts", "tags", "extra")
"""Sections the pipeline merges scope data into."""

Warn = Callable[..., None]


def fix_top_level(event: Dict[str, Any], warn: Warn) -> None:
    """Make the mapping sections of ``event`` dicts (in place); never raises."""
    for name in MAPPING_SECTIONS:
        if name not in event:
            continue
        value = event[name]
        if type(value) is dict:
            continue
        try:
            if value is None:
                del event[name]
            elif isinstance(value, Mapping):
                event[name] = dict(value)
            else:
                del event[name]
                extra = event.get("extra")
                if type(extra) is not dict:
                    extra = event["extra"] = {}
                extra[name] = value
                warn(
                    f"event-{name}-type",
                    "sentry_lite: event %r must be a dict, not %s; kept under extra",
                    name,
                    type(value).__name__,
                )
        except Exception:  # a hostile Mapping: its content is lost, the event is not
            event.pop(name, None)
