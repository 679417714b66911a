"""Turning one value into bounded, valid text: reprs, string cuts, ints and timestamps.

Why a module of its own: the general walker and the fast copier must produce the very
same text for the same value, so both take it from here. Nothing here raises (except
:func:`format_timestamp`, whose callers fall back to the repr), builds a giant string or
returns text that is not valid UTF-8.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import ItemsView, KeysView, ValuesView
from typing import Any, Dict, List, Optional, Set, Tuple

from sentry_lite.lean_stdlib import datetime, timezone
from sentry_lite.limits import (
    DEFAULT_MAX_VALUE_LENGTH,
    MAX_PLAIN_INT_DIGITS,
    MAX_REPR_DEPTH,
    MAX_REPR_ITEMS,
)

__all__ = [
    "BIG_REPR_TYPES",
    "BROKEN_REPR",
    "NEG_PLAIN_INT",
    "PLAIN_INT",
    "SURROGATE_PATTERN",
    "bounded_repr",
    "clean_text",
    "format_timestamp",
    "int_text",
    "json_int",
    "leaf_repr",
    "safe_repr",
    "strip_text",
]

BROKEN_REPR = "<broken repr>"
"""The text used when an object's ``__repr__`` raises (same as sentry_sdk)."""

SURROGATE_PATTERN = "[\ud800-\udfff]"
"""A lone surrogate (not encodable as UTF-8). Not compiled here: compiling it costs 0.2 ms
at ``import sentry_lite``; the serializer (``fastcopy``, loaded at ``init``) compiles it,
and ``re``'s cache hands the same pattern to :func:`clean_text`."""
PLAIN_INT = 10**MAX_PLAIN_INT_DIGITS
"""Ints strictly between ``NEG_PLAIN_INT`` and ``PLAIN_INT`` are always writable as JSON."""
NEG_PLAIN_INT = -PLAIN_INT
"""Its own constant: ``-PLAIN_INT`` in a check would build a 2,126-bit int each time."""

BIG_REPR_TYPES = (deque, KeysView, ValuesView, ItemsView)
"""Containers whose ``repr`` :func:`leaf_repr` replaces by a count once they are large."""


def clean_text(text: str) -> str:
    """Replace lone surrogates (not encodable as UTF-8, rejected by Relay) with U+FFFD."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return re.sub(SURROGATE_PATTERN, "\ufffd", text)  # rare: a lone surrogate
    return text


def strip_text(text: str, max_length: Optional[int]) -> Tuple[str, Optional[Dict[str, Any]]]:
    """Cut ``text`` to ``max_length`` UTF-8 bytes like sentry_sdk's strip_string.

    Returns the text and the ``_meta`` note for the cut (None when not cut).
    """
    text = clean_text(text)
    if not text or max_length is None or len(text) * 4 <= max_length:
        return text, None
    ascii_only = text.isascii()
    size = len(text) if ascii_only else len(text.encode("utf-8"))
    if size <= max_length:
        return text, None
    keep = max(max_length - 3, 0)
    if ascii_only:  # a byte per character: no need to encode all of a huge text
        cut = text[:keep] + "..."
    else:
        cut = text[:keep].encode("utf-8")[:keep].decode("utf-8", "ignore") + "..."
    return cut, {"len": size, "rem": [["!limit", "x", max_length - 3, max_length]]}


def int_text(value: int) -> str:
    """Decimal text of an int, or a placeholder when Python's int-to-text digit limit
    (4,300 digits by default) refuses it: ``repr`` and ``json.dumps`` would raise."""
    try:
        return int.__repr__(value)
    except ValueError:
        return f"<int of {int.bit_length(value)} bits>"


def json_int(value: int) -> Any:
    """``value`` itself when ``json.dumps`` can write it, else its placeholder text."""
    if NEG_PLAIN_INT < value < PLAIN_INT:
        return value
    text = int_text(value)
    return text if text[0] == "<" else value


def format_timestamp(value: datetime) -> str:
    """sentry_sdk's ``%Y-%m-%dT%H:%M:%S.%fZ`` in UTC, with a four-digit year (glibc's
    strftime writes year 1 as ``1``, which is not RFC 3339). Raises for a datetime that
    has no UTC form (naive ``datetime.min``, a tzinfo that raises): callers guard it."""
    u = value.astimezone(timezone.utc)
    return (
        f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}"
        f".{u.microsecond:06d}Z"
    )


def leaf_repr(value: object, limit: int) -> str:
    """``repr`` of a non-container, with huge strings cut before they are copied."""
    kind = type(value)
    if kind is int:
        return int_text(value)  # type: ignore[arg-type]
    if kind is str or kind is bytes or kind is bytearray:
        sized: Any = value
        if len(sized) > limit:
            return repr(sized[:limit])
        return repr(sized)
    if isinstance(value, BIG_REPR_TYPES):
        try:
            count = len(value)
        except Exception:
            count = -1
        if count > MAX_REPR_ITEMS:
            return f"<{kind.__name__} with {count} items>"
    try:
        text = repr(value)
    except Exception:
        return BROKEN_REPR
    if type(text) is not str:
        try:
            text = str.__str__(text)
        except Exception:
            return BROKEN_REPR
    return text


_OPEN_CLOSE: Dict[type, Tuple[str, str, str]] = {
    list: ("[", "]", "[...]"),
    tuple: ("(", ")", "(...)"),
    dict: ("{", "}", "{...}"),
    set: ("{", "}", "{...}"),
    frozenset: ("frozenset({", "})", "frozenset(...)"),
}


def bounded_repr(value: object, limit: int, seen: Set[int]) -> str:
    """Python's repr for builtin containers, but built piecewise and stopped near ``limit``.

    Needed where sentry_sdk calls ``repr`` on a whole container (below the depth limit):
    a plain ``repr`` of a 10-million-element list would take seconds and gigabytes.
    """
    kind = type(value)
    shape = _OPEN_CLOSE.get(kind)
    if shape is None:
        return leaf_repr(value, limit)
    opener, closer, recursive = shape
    container: Any = value
    if not container:
        if kind is set:
            return "set()"
        if kind is frozenset:
            return "frozenset()"
        return opener + closer
    key = id(value)
    if key in seen:
        return recursive
    if len(seen) >= MAX_REPR_DEPTH:
        return "..."
    seen.add(key)
    try:
        parts: List[str] = [opener]
        used = len(opener)
        items = container.items() if kind is dict else container
        first = True
        for item in items:
            if used > limit:
                parts.append(", ...")
                break
            if not first:
                parts.append(", ")
                used += 2
            first = False
            if kind is dict:
                piece = (
                    bounded_repr(item[0], limit - used, seen)
                    + ": "
                    + bounded_repr(item[1], limit - used, seen)
                )
            else:
                piece = bounded_repr(item, limit - used, seen)
            parts.append(piece)
            used += len(piece)
        if kind is tuple and len(container) == 1:
            parts.append(",")
        parts.append(closer)
        return "".join(parts)
    except Exception:
        return BROKEN_REPR
    finally:
        seen.discard(key)


def safe_repr(value: object) -> str:
    """repr() that never raises, never builds a huge string, and is valid UTF-8 text."""
    try:
        text = bounded_repr(value, DEFAULT_MAX_VALUE_LENGTH, set())
        return clean_text(text[:DEFAULT_MAX_VALUE_LENGTH])
    except Exception:
        return BROKEN_REPR
