"""Parts of an error event the SDK supplies itself, scrubbed and serialized apart from the
app's data, where the event is finished (see pipeline.py): the ``exception`` section that
``capture_exception`` built, and process extras such as ``sys.argv``.

Why: neither holds anything the app can change after the capture, so the app thread need
not copy them; each part goes through the same scrubber and serializer as the rest of the
event did at capture, and its ``_meta`` notes are merged into the event's.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Dict, Optional

from sentry_lite.consts import MAX_DATABAG_BREADTH
from sentry_lite.events.meta import merge_meta, meta_node
from sentry_lite.events.process_extra import process_extras
from sentry_lite.events.scrub import EventScrubber
from sentry_lite.events.stacks import event_frames
from sentry_lite.types import Event

__all__ = ["add_process_extras", "drop_locals", "finish_exception"]

internal_logger = logging.getLogger("sentry_lite.errors")

Serialize = Callable[[Event], Event]


def _merge_meta(event: Event, done: Event) -> None:
    meta = done.get("_meta")
    if meta:
        old = event.get("_meta")
        event["_meta"] = merge_meta(old, meta) if isinstance(old, dict) else meta


def finish_exception(event: Event, scrubber: Optional[EventScrubber], serialize: Serialize) -> None:
    """The SDK-built exception, scrubbed and then serialized as the capture's own ``scrub``
    and ``serialize`` steps would have done (same order, same ``_meta``)."""
    part: Event = {"exception": event.get("exception")}
    if scrubber is not None:
        try:
            scrubber.scrub_frames(part)
        except Exception:  # noqa: BLE001
            internal_logger.exception("sentry_lite: scrubber failed on frames; locals dropped")
            drop_locals(part)
    done = serialize(part)
    event["exception"] = done.get("exception")
    _merge_meta(event, done)


def drop_locals(event: Event) -> None:
    """Privacy first when finishing failed: the exception's frames go without their locals
    (the whole section if even that fails), never unscrubbed."""
    try:
        for frame, _path in event_frames({"exception": event.get("exception")}):
            frame.pop("vars", None)
    except Exception:  # noqa: BLE001
        event.pop("exception", None)


def add_process_extras(
    event: Event,
    integrations: Dict[str, Any],
    scrubber: Optional[EventScrubber],
    serialize: Serialize,
) -> None:
    """Each registered process extra the event lacks (events/process_extra.py), after
    the app's extras, cut with them at the databag breadth as the serializer would."""
    extra = event.get("extra")
    if extra is None:
        extra = {}
    elif type(extra) is not dict:
        return
    added: Dict[str, Any] = {}
    for name, owner, getter in process_extras():
        if owner not in integrations or name in extra:
            continue
        try:
            value = getter()
        except Exception:  # noqa: BLE001
            internal_logger.exception("sentry_lite: could not read extra %r", name)
            continue
        if value is not None:
            added[name] = value
    if not added:
        return
    room = MAX_DATABAG_BREADTH - len(extra)
    if room < len(added):
        # The serializer keeps a databag's first keys and notes how many it had.
        meta = event.get("_meta")
        if not isinstance(meta, dict):
            meta = event["_meta"] = {}
        note = meta_node(meta, ["extra"]).setdefault("", {})
        note["len"] = (note.get("len") or len(extra)) + len(added)
        added = dict(list(added.items())[: max(room, 0)])
        if not added:
            return
    part: Event = {"extra": added}
    if scrubber is not None:
        try:
            scrubber.scrub_extra(part)
        except Exception:  # noqa: BLE001
            internal_logger.exception("sentry_lite: scrubber failed; process extras dropped")
            return
    done = serialize(part)
    extra.update(done.get("extra") or {})
    event["extra"] = extra
    _merge_meta(event, done)
