"""The general walker: the reference conversion of any Python data to strict-JSON data.

Why it exists: event data holds whatever the application had in hand (frame locals,
``extra``, request bodies). Turning that into JSON must never raise, never recurse
without bound, never build a giant ``repr`` and never emit NaN or lone surrogates
(Relay rejects both). For ordinary data the output is the same as sentry_sdk 2.x's
serializer; differences are listed in ``docs/serializer.md``. Every shortcut
(``fastcopy``) must give exactly what this walker gives.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Mapping
from datetime import datetime
from itertools import islice
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

from sentry_lite.consts import DEFAULT_MAX_VALUE_LENGTH, MAX_DATABAG_BREADTH, MAX_DATABAG_DEPTH
from sentry_lite.events.meta import REM_LIMIT, Segment, annotate_in
from sentry_lite.events.reprs import (
    BROKEN_REPR,
    bounded_repr,
    clean_text,
    format_timestamp,
    int_text,
    json_int,
    leaf_repr,
    strip_text,
)
from sentry_lite.limits import (
    MAX_SAFETY_BREADTH,
    MAX_SAFETY_DEPTH,
    MAX_SECTION_NODES,
    MAX_SECTION_TEXT,
    MAX_STACK_SECTION_NODES,
    MIN_TEXT,
)

__all__ = [
    "CYCLE_MARKER",
    "FAILED_NODE",
    "SDK_CONTEXTS",
    "STACK_SECTIONS",
    "CustomRepr",
    "Walker",
    "section_budget",
    "text_budget",
]

CustomRepr = Callable[[object], Optional[str]]

CYCLE_MARKER = "<cyclic>"
"""Stands in for a container that contains itself (same marker as sentry_sdk)."""
FAILED_NODE = "<failed to serialize, use init(debug=True) to see error logs>"
"""Stands in for a databag value whose walk raised (same text as sentry_sdk)."""

SEQUENCE_TYPES = (tuple, list, set, frozenset, array)
STACK_SECTIONS = frozenset({"exception", "threads", "stacktrace"})
"""Top-level keys holding stack traces: they get MAX_STACK_SECTION_NODES, frames' vars
their own MAX_SECTION_NODES each."""
_STR_TYPES = (str, bytes, bytearray, memoryview)

SDK_CONTEXTS = frozenset(
    {
        "app",
        "browser",
        "cloud_resource",
        "culture",
        "device",
        "flags",
        "gpu",
        "os",
        "otel",
        "profile",
        "react",
        "replay",
        "response",
        "runtime",
        "state",
        "trace",
    }
)
"""Contexts the SDK itself fills; any other ``contexts[name]`` is a user databag."""


def text_budget(max_length: Optional[int]) -> int:
    """The text one frame's locals, or the reprs of one section, may hold in all (see
    ``MAX_SECTION_TEXT``)."""
    return max(MAX_SECTION_TEXT, max_length or 0)


def section_budget(name: str) -> int:
    """The node budget of a top-level section."""
    return MAX_STACK_SECTION_NODES if name in STACK_SECTIONS else MAX_SECTION_NODES


class Walker:
    """State of one serialisation: options, the cycle guard, the path and the _meta tree."""

    __slots__ = (
        "budget",
        "custom_repr",
        "is_vars",
        "keep_bodies",
        "max_length",
        "meta",
        "path",
        "stack",
        "text_left",
    )

    def __init__(
        self,
        is_vars: bool,
        max_length: Optional[int],
        custom_repr: Optional[CustomRepr],
        keep_bodies: bool,
        track: bool,
    ) -> None:
        self.is_vars = is_vars
        self.max_length = max_length
        self.custom_repr = custom_repr
        self.keep_bodies = keep_bodies
        self.stack: Set[int] = set()
        self.budget = MAX_SECTION_NODES
        self.text_left = text_budget(max_length)
        """Text still allowed before texts get short: every text in frame locals
        (``is_vars``), elsewhere the reprs only (plain strings are the app's own)."""
        self.meta: Dict[str, Any] = {}
        self.path: Optional[List[Segment]] = [] if track else None

    # -- helpers -------------------------------------------------------------------

    def note(self, **note: Any) -> None:
        if self.path is not None:
            annotate_in(self.meta, self.path, **note)

    def _budgeted(self, limit: Optional[int]) -> int:
        """``limit`` (None: no limit), or less once the text budget runs low."""
        left = self.text_left
        if limit is not None and left >= limit:
            return limit
        return max(left, MIN_TEXT)

    def _repr_limit(self) -> int:
        # Lowered with the budget, so the repr stops early: no time wasted.
        return self._budgeted(
            self.max_length if self.max_length is not None else DEFAULT_MAX_VALUE_LENGTH
        )

    def _cut(self, text: str, counted: bool = True) -> Tuple[str, Optional[Dict[str, Any]]]:
        """``text`` cut at ``max_value_length`` and the cut's note; a ``counted`` text is
        cut shorter once the text budget is spent, and spends it."""
        limit = self._budgeted(self.max_length) if counted else self.max_length
        cut, note = strip_text(text, limit)
        if counted:
            self.text_left -= len(cut)
        return cut, note

    def repr_of(self, value: object) -> str:
        """The custom_repr hook first (as sentry_sdk), then the bounded safe repr."""
        limit = self._repr_limit()
        if self.custom_repr is not None:
            try:
                text = self.custom_repr(value)
                if text and isinstance(text, str):
                    return str.__str__(text)
            except Exception:
                pass
        try:
            return bounded_repr(value, limit, set())
        except Exception:
            return BROKEN_REPR

    def string(self, text: str, counted: bool = True) -> str:
        path = self.path
        if path is not None and len(path) == 3 and path[0] == "spans" and path[2] == "description":
            return clean_text(text)  # sentry_sdk never cuts span descriptions
        cut, note = self._cut(text, counted)
        if note is not None:
            self.note(**note)
        return cut

    def classify(self) -> Optional[bool]:
        """Is the current event path a databag? None while the path is too short to tell."""
        path = self.path
        if path is None:
            return False
        size = len(path)
        head = path[0]
        if head == "extra":
            return True
        if head == "request":
            return None if size < 2 else path[1] == "data"
        if head == "breadcrumbs":
            if size >= 2 and path[1] != "values":
                return False
            return None if size < 3 else True
        if head == "contexts":
            return None if size < 2 else path[1] not in SDK_CONTEXTS
        # Frame vars are bounded when captured (serialize_value); walking them again as a
        # databag would repr the already-cut leaves a second time (sentry_sdk does not).
        return False

    # -- the walk ------------------------------------------------------------------

    def child(
        self, value: object, segment: Segment, depth: int, breadth: int, databag: Optional[bool]
    ) -> Any:
        path = self.path
        if path is None:
            return self.walk(value, depth, breadth, databag)
        path.append(segment)
        try:
            if (
                segment == "vars"
                and len(path) > 2
                and path[-3] == "frames"
                and path[0] in STACK_SECTIONS
            ):
                return self._frame_vars(value, depth, breadth, databag)
            return self.walk(value, depth, breadth, databag)
        finally:
            path.pop()

    def _frame_vars(self, value: object, depth: int, breadth: int, databag: Optional[bool]) -> Any:
        """A frame's locals get their own node budget, as when they were captured: a long
        stack trace must not run its later frames out of the section's budget."""
        outer = self.budget
        self.budget = MAX_SECTION_NODES
        try:
            return self.walk(value, depth, breadth, databag)
        finally:
            self.budget = outer

    def walk(self, value: object, depth: int, breadth: int, databag: Optional[bool]) -> Any:
        try:
            return self._walk(value, depth, breadth, databag)
        except Exception:
            if databag:
                return FAILED_NODE
            return None

    def _walk(self, value: object, depth: int, breadth: int, databag: Optional[bool]) -> Any:
        if databag is None and self.path:
            databag = self.classify()
            if databag:
                if self.keep_bodies and self.path[0] == "request":
                    depth, breadth = MAX_SAFETY_DEPTH, MAX_SAFETY_BREADTH
                else:
                    depth, breadth = MAX_DATABAG_DEPTH, MAX_DATABAG_BREADTH
        is_vars = self.is_vars
        kind = type(value)

        if depth <= 0:
            if not databag:
                self.note(rem=[REM_LIMIT])
                return None
            # Like sentry_sdk: a string cut's note replaces the depth note.
            text, note = self._cut(self.repr_of(value))
            self.note(**(note or {"rem": [REM_LIMIT]}))
            return text

        if value is None or kind is bool:
            return repr(value) if is_vars else value
        if kind is int:
            return int_text(value) if is_vars else json_int(value)  # type: ignore[arg-type]
        if kind is str:
            if not is_vars:  # the app's own text: not counted, as the fast copy's
                return self.string(value, False)  # type: ignore[arg-type]
            if self.custom_repr is None:
                return self.string(leaf_repr(value, self._repr_limit()))
        if kind is float:
            number: float = value  # type: ignore[assignment]
            if is_vars or math.isnan(number) or math.isinf(number):
                return repr(number)
            return number

        if kind is dict or (kind not in SEQUENCE_TYPES and isinstance(value, Mapping)):
            return self._mapping(value, depth, breadth, databag)  # type: ignore[arg-type]
        if kind in SEQUENCE_TYPES or (
            not isinstance(value, _STR_TYPES) and isinstance(value, SEQUENCE_TYPES)
        ):
            return self._sequence(value, depth, breadth, databag)

        if isinstance(value, (int, float)):  # subclasses, e.g. IntEnum
            if is_vars:
                return self.string(self.repr_of(value))
            if isinstance(value, int):
                return json_int(int.__index__(value))
            return self._walk(float.__float__(value), depth, breadth, databag)

        sentry_repr = getattr(kind, "__sentry_repr__", None)
        if callable(sentry_repr):
            result = sentry_repr(value)
            if isinstance(result, str):
                return self.string(str.__str__(result))
            return self.string(self.repr_of(value))

        if isinstance(value, datetime) and not is_vars:
            try:
                return format_timestamp(value)
            except Exception:
                return self.string(self.repr_of(value))

        if is_vars:
            text = self.repr_of(value)
        elif isinstance(value, (bytes, bytearray)):
            text = bytes(value[: self._byte_window()]).decode("utf-8", "replace")
        elif isinstance(value, str):
            text = str.__str__(value)
        else:
            text = self.repr_of(value)

        return self.string(text)

    def _byte_window(self) -> int:
        """How many bytes of a bytes value can matter after the string cut (+1 to detect it)."""
        limit = self.max_length if self.max_length is not None else DEFAULT_MAX_VALUE_LENGTH
        return limit * 4 + 4

    def _over_budget(self, size: int) -> bool:
        self.budget -= size + 1
        if self.budget >= 0:
            return False
        self.note(rem=[REM_LIMIT])
        return True

    def _mapping(
        self, value: Mapping[Any, Any], depth: int, breadth: int, databag: Optional[bool]
    ) -> Any:
        key = id(value)
        if key in self.stack:
            return CYCLE_MARKER
        if self._over_budget(min(len(value), breadth)):
            return None
        self.stack.add(key)
        try:
            total = len(value)
            pairs = list(islice(value.items(), breadth + 1))
            out: Dict[str, Any] = {}
            step = self.walk if self.path is None else None
            for index, (name, item) in enumerate(pairs):
                if index >= breadth:
                    self.note(len=total)
                    break
                text = clean_text(name) if type(name) is str else self.key_text(name)
                if step is not None:
                    out[text] = step(item, depth - 1, breadth, databag)
                else:
                    out[text] = self.child(item, text, depth - 1, breadth, databag)
            return out
        finally:
            self.stack.discard(key)

    def key_text(self, name: object) -> str:
        """A dict key as text: ``str(key)``, a str subclass by its own characters (the text
        the scrubber judged), the repr when ``str`` fails."""
        if isinstance(name, str):
            return clean_text(str.__str__(name))
        try:
            text = str(name)
            if not isinstance(text, str):
                raise TypeError("__str__ returned non-string")
            return clean_text(str.__str__(text))
        except Exception:
            return clean_text(self.repr_of(name))

    def _sequence(self, value: Any, depth: int, breadth: int, databag: Optional[bool]) -> Any:
        key = id(value)
        if key in self.stack:
            return CYCLE_MARKER
        try:
            size = min(len(value), breadth)
        except Exception:
            size = breadth
        if self._over_budget(size):
            return None
        self.stack.add(key)
        try:
            out: List[Any] = []
            for index, item in enumerate(islice(value, breadth + 1)):
                if index >= breadth:
                    self.note(len=len(value))
                    break
                out.append(self.child(item, index, depth - 1, breadth, databag))
            return out
        finally:
            self.stack.discard(key)
