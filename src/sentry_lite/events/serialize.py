"""Entry points: a whole event, or one value, to bounded strict-JSON data.

Why: ``serialize_event`` runs on every capture, so it copies each top-level section with
the shortcuts of ``shapes`` and ``fastcopy`` and hands a section to the general walker
(``walker``) only when the shortcut cannot vouch for the result. With
``sentry_lite.shortcuts`` off every section takes the walker; the output is the same
byte for byte (tests/test_shortcuts_differential.py). The conversion rules are in
``walker``, the text of single values in ``reprs``, the size budget in ``trim``.

This module also re-exports the names other modules and tests import from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import islice
from typing import Any, Callable, Dict, Optional, Tuple

from sentry_lite import shortcuts
from sentry_lite.consts import (
    DEFAULT_MAX_VALUE_LENGTH,
    MAX_DATABAG_BREADTH,
    MAX_DATABAG_DEPTH,
    MAX_EVENT_BYTES,
)
from sentry_lite.events.fastcopy import fast_copy, fast_vars
from sentry_lite.events.meta import merge_meta
from sentry_lite.events.reprs import BROKEN_REPR, clean_text, safe_repr
from sentry_lite.events.shapes import SECTION_DEPTH, SECTIONS
from sentry_lite.events.trim import trim_event
from sentry_lite.events.walker import (
    CYCLE_MARKER,
    FAILED_NODE,
    SDK_CONTEXTS,
    CustomRepr,
    Walker,
    section_budget,
    text_budget,
)
from sentry_lite.limits import MAX_SAFETY_BREADTH, MAX_SAFETY_DEPTH, MAX_SECTION_NODES

__all__ = [
    "BROKEN_REPR",
    "CYCLE_MARKER",
    "FAILED_NODE",
    "SDK_CONTEXTS",
    "safe_repr",
    "serialize_event",
    "serialize_value",
    "serialize_value_with_meta",
]

_Walker = Walker
"""The walker's former name here (tests build one to compare a shortcut with)."""

_SMALL_LEAVES = frozenset({int, float, bool, type(None)})
"""Frame locals of these types are not memoised: cheap to redo, and their ids recur."""


def _max_length(max_value_length: object) -> int:
    """The string limit as an int: None (or a value that is no number) means the default."""
    if type(max_value_length) is int:
        return max_value_length
    if isinstance(max_value_length, (int, float)) and not isinstance(max_value_length, bool):
        try:
            return int(max_value_length)
        except (OverflowError, ValueError):
            pass
    return DEFAULT_MAX_VALUE_LENGTH


def serialize_event(
    event: Dict[str, Any],
    *,
    max_value_length: Optional[int] = None,
    max_request_body_size: str = "medium",
    custom_repr: Optional[Callable[[object], Optional[str]]] = None,
    size_budget: Optional[int] = MAX_EVENT_BYTES,
    defer: Optional[str] = None,
) -> Dict[str, Any]:
    """Return a strict-JSON-safe copy of ``event`` within ``size_budget`` bytes, with _meta.

    ``defer`` names a section handed through as it is, for the caller to serialize later
    (the pipeline's SDK-built ``exception``, see pipeline.py); its ``_meta`` is kept.

    ``size_budget=None`` skips the size trim (which encodes the event to measure it); the
    client does that on the app thread and leaves trimming to the transport's worker.

    Databags (extra, request.data, breadcrumbs, user contexts) get sentry_sdk's
    depth/breadth limits, strings are cut at ``max_value_length`` (None: the SDK default),
    ``_meta`` notes already on the event are kept and merged with the new ones, and the
    result is trimmed to ``size_budget`` in the order documented in docs/serializer.md.
    A value that cannot be converted costs only itself: each section is guarded on its own.
    """
    try:
        source = event if type(event) is dict else dict(event) if isinstance(event, Mapping) else {}
        max_length = (
            DEFAULT_MAX_VALUE_LENGTH if max_value_length is None else _max_length(max_value_length)
        )
        keep_bodies = type(max_request_body_size) is str and max_request_body_size == "always"
        fast = shortcuts.enabled
        walker: Optional[Walker] = None  # made only when a section needs it
        old_meta = None
        out: Dict[str, Any] = {}
        for name, section in source.items():
            if type(name) is not str:  # before_send may put any key in
                walker = walker or Walker(False, max_length, custom_repr, keep_bodies, True)
                name = walker.key_text(name)
            elif name == "_meta":
                old_meta = section
                continue
            elif not name.isascii():
                name = clean_text(name)  # a lone surrogate cannot be encoded (issue 16)
            elif name == defer:
                out[name] = section
                continue
            if fast:
                if type(section) is str and section.isascii() and len(section) * 4 <= max_length:
                    out[name] = section  # event_id, level, message, ...: nothing to do
                    continue
                try:
                    shape = SECTIONS.get(name)
                    if shape is not None:
                        out[name] = shape(section, max_length, keep_bodies)
                    elif type(section) is dict and not section:
                        out[name] = {}  # measurements, ...
                    else:
                        out[name] = fast_copy(
                            section,
                            SECTION_DEPTH,
                            MAX_SAFETY_BREADTH,
                            max_length,
                            [MAX_SECTION_NODES],
                        )
                    continue
                except Exception:
                    # The walker (with its _meta bookkeeping) only when a section needs it;
                    # also when a shortcut met something it did not foresee: a shortcut's
                    # failure must cost no more than its section.
                    pass
            if walker is None:
                walker = Walker(False, max_length, custom_repr, keep_bodies, track=True)
            walker.budget = section_budget(name)
            walker.text_left = text_budget(max_length)
            out[name] = walker.child(section, name, MAX_SAFETY_DEPTH - 1, MAX_SAFETY_BREADTH, None)
        meta: Dict[str, Any] = walker.meta if walker is not None else {}
        if old_meta is not None and isinstance(old_meta, Mapping):
            clean_old = Walker(False, None, None, False, False).walk(
                old_meta, MAX_SAFETY_DEPTH, MAX_SAFETY_BREADTH, False
            )
            if isinstance(clean_old, dict):
                meta = merge_meta(clean_old, meta)
        if meta:
            out["_meta"] = meta
        if size_budget is None:
            return out
        return trim_event(out, size_budget)
    except Exception:
        return trim_event(_fallback_event(event), size_budget or MAX_EVENT_BYTES)


def _fallback_event(event: object) -> Dict[str, Any]:
    """A minimal event for the case the walk itself failed (it should not)."""
    out: Dict[str, Any] = {}
    try:
        if isinstance(event, Mapping):
            for name in ("event_id", "timestamp", "platform", "level"):
                value = event.get(name)
                if isinstance(value, (str, int)) and not isinstance(value, bool):
                    out[name] = clean_text(str(value))[:64]
    except Exception:
        pass
    out["message"] = "sentry-lite could not serialize this event"
    return out


def serialize_value_with_meta(
    value: Any,
    *,
    is_vars: bool = False,
    max_value_length: Optional[int] = None,
    custom_repr: Optional[CustomRepr] = None,
) -> Tuple[Any, Dict[str, Any]]:
    """Like :func:`serialize_value`, also returning the ``_meta`` tree of the cuts made."""
    walker = Walker(is_vars, _max_length(max_value_length), custom_repr, False, track=True)
    out = walker.walk(value, MAX_DATABAG_DEPTH, MAX_DATABAG_BREADTH, True)
    return out, walker.meta


def serialize_value(
    value: Any,
    *,
    is_vars: bool = False,
    max_value_length: Optional[int] = None,
    custom_repr: Optional[Callable[[object], Optional[str]]] = None,
    memo: Optional[Dict[int, Tuple[Any, ...]]] = None,
) -> Any:
    """Snapshot ``value`` as JSON-safe data with databag depth/breadth limits.

    Used on the app thread for frame locals (``is_vars=True``), where values must be
    captured before the program changes them; with ``is_vars`` every leaf is repr'd
    (``'abc'``, ``None``, ``1``) as sentry_sdk does, so types stay visible. Cuts are
    not reported here (as in sentry_sdk); use :func:`serialize_value_with_meta` for them.

    ``memo`` (one dict per captured stack) reuses the result for an object seen in an
    earlier frame: web frameworks pass the same request/scope objects down ten frames.
    """
    max_length = (
        DEFAULT_MAX_VALUE_LENGTH if max_value_length is None else _max_length(max_value_length)
    )
    if is_vars and custom_repr is None and type(value) is dict and shortcuts.enabled:
        try:
            return _fast_locals(value, max_length, memo)
        except Exception:
            pass  # the walker below decides what each value becomes
    walker = Walker(is_vars, max_length, custom_repr, keep_bodies=False, track=False)
    return walker.walk(value, MAX_DATABAG_DEPTH, MAX_DATABAG_BREADTH, True)


def _fast_locals(
    value: Dict[Any, Any], max_length: int, memo: Optional[Dict[int, Tuple[Any, ...]]]
) -> Dict[str, Any]:
    """Frame locals: copy the plain ones fast and walk only the rest.

    Gives what ``Walker.walk`` gives for the dict: the same node budget is spent in the
    same order (a fast copy that gives up hands its share back), and a memoised result
    is reused only where the walker, with the budget left, would give it again.
    """
    walker: Optional[Walker] = None  # made only for a value the fast copy gives up on
    # Nodes and text left, spent as the walker spends them (walker.text_budget).
    budget = [
        MAX_SECTION_NODES - min(len(value), MAX_DATABAG_BREADTH) - 1,
        text_budget(max_length),
    ]
    depth = MAX_DATABAG_DEPTH - 1
    out: Dict[str, Any] = {}
    for name, item in list(islice(value.items(), MAX_DATABAG_BREADTH)):
        if type(name) is str:
            key = clean_text(name)
        else:
            walker = walker or _locals_walker(value, max_length)
            key = walker.key_text(name)
        before, text_before = budget
        if memo is not None:
            seen = memo.get(id(item))
            # Reused only where the walker would give it again: as many nodes left, and
            # text enough that no text of it would be cut short.
            if (
                seen is not None
                and seen[0] is item
                and before >= seen[2]
                and text_before - seen[3] >= max_length
            ):
                budget[0] = before - seen[2]
                budget[1] = text_before - seen[3]
                out[key] = seen[1]
                continue
        try:
            result = fast_vars(item, depth, max_length, budget)
        except Exception:
            walker = walker or _locals_walker(value, max_length)
            walker.budget = before
            walker.text_left = text_before
            result = walker.walk(item, depth, MAX_DATABAG_BREADTH, True)
            budget[0] = walker.budget
            budget[1] = walker.text_left
        if (
            memo is not None
            and type(item) not in _SMALL_LEAVES
            and budget[0] >= 0
            and budget[1] >= max_length  # no text of it was cut short for the budget
        ):
            memo[id(item)] = (item, result, before - budget[0], text_before - budget[1])
        out[key] = result
    return out


def _locals_walker(value: Dict[Any, Any], max_length: int) -> Walker:
    """The walker as it stands inside the locals dict (which is on its cycle guard)."""
    walker = Walker(True, max_length, None, keep_bodies=False, track=False)
    walker.stack.add(id(value))
    return walker
