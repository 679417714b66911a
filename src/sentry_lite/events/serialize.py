"""Safe, bounded conversion of arbitrary Python data into strict-JSON event data.

Why it exists: event data holds whatever the application had in hand (frame locals,
``extra``, request bodies). Turning that into JSON must never raise, never recurse
without bound, never build a giant ``repr`` and never emit NaN or lone surrogates
(Relay rejects both). For ordinary data the output is the same as sentry_sdk 2.x's
serializer, so events look the same in Sentry; differences are listed in
``docs/serializer.md``.
"""

from __future__ import annotations

import math
import re
from array import array
from collections import deque
from collections.abc import ItemsView, KeysView, Mapping, ValuesView
from datetime import datetime, timezone
from itertools import islice
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

from sentry_lite.consts import (
    DEFAULT_MAX_VALUE_LENGTH,
    MAX_DATABAG_BREADTH,
    MAX_DATABAG_DEPTH,
    MAX_EVENT_BYTES,
)
from sentry_lite.events.meta import REM_LIMIT, Segment, annotate_in, merge_meta
from sentry_lite.limits import (
    MAX_REPR_DEPTH,
    MAX_REPR_ITEMS,
    MAX_SAFETY_BREADTH,
    MAX_SAFETY_DEPTH,
    MAX_SECTION_NODES,
)

__all__ = [
    "CYCLE_MARKER",
    "safe_repr",
    "serialize_event",
    "serialize_value",
    "serialize_value_with_meta",
]

CustomRepr = Callable[[object], Optional[str]]

CYCLE_MARKER = "<cyclic>"
"""Stands in for a container that contains itself (same marker as sentry_sdk)."""
BROKEN_REPR = "<broken repr>"
"""The text used when an object's ``__repr__`` raises (same as sentry_sdk)."""
FAILED_NODE = "<failed to serialize, use init(debug=True) to see error logs>"
"""Stands in for a databag value whose walk raised (same text as sentry_sdk)."""


_SEQUENCE_TYPES = (tuple, list, set, frozenset, array)
_SMALL_LEAVES = frozenset({int, float, bool, type(None)})
_STR_TYPES = (str, bytes, bytearray, memoryview)
_BIG_REPR_TYPES = (deque, KeysView, ValuesView, ItemsView)
_SURROGATES = re.compile("[\ud800-\udfff]")
_SAFE_INT = 10**640
"""Ints inside (-_SAFE_INT, _SAFE_INT) have at most 640 digits: Python's lowest allowed
int-to-text limit, so ``json.dumps`` writes them whatever the process has set."""

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


def _clean(text: str) -> str:
    """Replace lone surrogates (not encodable as UTF-8, rejected by Relay) with U+FFFD."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATES.sub("\ufffd", text)
    return text


def _strip(text: str, max_length: Optional[int]) -> Tuple[str, Optional[Dict[str, Any]]]:
    """Cut ``text`` to ``max_length`` UTF-8 bytes like sentry_sdk's strip_string.

    Returns the text and the ``_meta`` note for the cut (None when not cut).
    """
    text = _clean(text)
    if not text or max_length is None or len(text) * 4 <= max_length:
        return text, None
    size = len(text) if text.isascii() else len(text.encode("utf-8"))
    if size <= max_length:
        return text, None
    cut = text.encode("utf-8")[: max(max_length - 3, 0)].decode("utf-8", "ignore") + "..."
    return cut, {"len": size, "rem": [["!limit", "x", max_length - 3, max_length]]}


def int_text(value: int) -> str:
    """Decimal text of an int, or a placeholder when Python's int-to-text digit limit
    (4,300 digits by default) refuses it: ``repr`` and ``json.dumps`` would raise."""
    try:
        return int.__repr__(value)
    except ValueError:
        return f"<int of {int.bit_length(value)} bits>"


def _json_int(value: int) -> Any:
    """``value`` itself when ``json.dumps`` can write it, else its placeholder text."""
    if -_SAFE_INT < value < _SAFE_INT:
        return value
    text = int_text(value)
    return value if text[0] != "<" else text


def _leaf_repr(value: object, limit: int) -> str:
    """``repr`` of a non-container, with huge strings cut before they are copied."""
    kind = type(value)
    if kind is int:
        return int_text(value)  # type: ignore[arg-type]
    if kind is str or kind is bytes or kind is bytearray:
        sized: Any = value
        if len(sized) > limit:
            return repr(sized[:limit])
        return repr(sized)
    if isinstance(value, _BIG_REPR_TYPES):
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


def _bounded_repr(value: object, limit: int, seen: Set[int]) -> str:
    """Python's repr for builtin containers, but built piecewise and stopped near ``limit``.

    Needed where sentry_sdk calls ``repr`` on a whole container (below the depth limit):
    a plain ``repr`` of a 10-million-element list would take seconds and gigabytes.
    """
    kind = type(value)
    shape = _OPEN_CLOSE.get(kind)
    if shape is None:
        return _leaf_repr(value, limit)
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
                    _bounded_repr(item[0], limit - used, seen)
                    + ": "
                    + _bounded_repr(item[1], limit - used, seen)
                )
            else:
                piece = _bounded_repr(item, limit - used, seen)
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
        text = _bounded_repr(value, DEFAULT_MAX_VALUE_LENGTH, set())
        return _clean(text[:DEFAULT_MAX_VALUE_LENGTH])
    except Exception:
        return BROKEN_REPR


def _format_timestamp(value: datetime) -> str:
    """sentry_sdk's ``%Y-%m-%dT%H:%M:%S.%fZ`` in UTC, with a four-digit year (glibc's
    strftime writes year 1 as ``1``, which is not RFC 3339). Raises for a datetime that
    has no UTC form (naive ``datetime.min``, a tzinfo that raises): callers guard it."""
    u = value.astimezone(timezone.utc)
    return (
        f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}"
        f".{u.microsecond:06d}Z"
    )


class _Walker:
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
        self.meta: Dict[str, Any] = {}
        self.path: Optional[List[Segment]] = [] if track else None

    # -- helpers -------------------------------------------------------------------

    def note(self, **note: Any) -> None:
        if self.path is not None:
            annotate_in(self.meta, self.path, **note)

    def _repr_limit(self) -> int:
        return self.max_length if self.max_length is not None else DEFAULT_MAX_VALUE_LENGTH

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
            return _bounded_repr(value, limit, set())
        except Exception:
            return BROKEN_REPR

    def string(self, text: str) -> str:
        path = self.path
        if path is not None and len(path) == 3 and path[0] == "spans" and path[2] == "description":
            return _clean(text)  # sentry_sdk never cuts span descriptions
        cut, note = _strip(text, self.max_length)
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
            return self.walk(value, depth, breadth, databag)
        finally:
            path.pop()

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
            text, note = _strip(self.repr_of(value), self.max_length)
            self.note(**(note or {"rem": [REM_LIMIT]}))
            return text

        if value is None or kind is bool:
            return repr(value) if is_vars else value
        if kind is int:
            return int_text(value) if is_vars else _json_int(value)  # type: ignore[arg-type]
        if kind is str:
            if not is_vars:
                return self.string(value)  # type: ignore[arg-type]
            if self.custom_repr is None:
                return self.string(_leaf_repr(value, self._repr_limit()))
        if kind is float:
            number: float = value  # type: ignore[assignment]
            if is_vars or math.isnan(number) or math.isinf(number):
                return repr(number)
            return number

        if kind is dict or (kind not in _SEQUENCE_TYPES and isinstance(value, Mapping)):
            return self._mapping(value, depth, breadth, databag)  # type: ignore[arg-type]
        if kind in _SEQUENCE_TYPES or (
            not isinstance(value, _STR_TYPES) and isinstance(value, _SEQUENCE_TYPES)
        ):
            return self._sequence(value, depth, breadth, databag)

        if isinstance(value, (int, float)):  # subclasses, e.g. IntEnum
            if is_vars:
                return self.string(self.repr_of(value))
            if isinstance(value, int):
                return _json_int(int.__index__(value))
            return self._walk(float.__float__(value), depth, breadth, databag)

        sentry_repr = getattr(kind, "__sentry_repr__", None)
        if callable(sentry_repr):
            result = sentry_repr(value)
            if isinstance(result, str):
                return self.string(str.__str__(result))
            return self.string(self.repr_of(value))

        if isinstance(value, datetime) and not is_vars:
            try:
                return _format_timestamp(value)
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
                text = _clean(name) if type(name) is str else self._key(name)
                if step is not None:
                    out[text] = step(item, depth - 1, breadth, databag)
                else:
                    out[text] = self.child(item, text, depth - 1, breadth, databag)
            return out
        finally:
            self.stack.discard(key)

    def _key(self, name: object) -> str:
        try:
            text = str(name)
            if not isinstance(text, str):
                raise TypeError("__str__ returned non-string")
            return _clean(str.__str__(text))
        except Exception:
            return _clean(self.repr_of(name))

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


def serialize_value_with_meta(
    value: Any,
    *,
    is_vars: bool = False,
    max_value_length: Optional[int] = None,
    custom_repr: Optional[CustomRepr] = None,
) -> Tuple[Any, Dict[str, Any]]:
    """Like :func:`serialize_value`, also returning the ``_meta`` tree of the cuts made."""
    walker = _Walker(
        is_vars,
        DEFAULT_MAX_VALUE_LENGTH if max_value_length is None else max_value_length,
        custom_repr,
        keep_bodies=False,
        track=True,
    )
    out = walker.walk(value, MAX_DATABAG_DEPTH, MAX_DATABAG_BREADTH, True)
    return out, walker.meta


def serialize_value(
    value: Any,
    *,
    is_vars: bool = False,
    max_value_length: Optional[int] = None,
    custom_repr: Optional[Callable[[object], Optional[str]]] = None,
    memo: Optional[Dict[int, Tuple[Any, Any]]] = None,
) -> Any:
    """Snapshot ``value`` as JSON-safe data with databag depth/breadth limits.

    Used on the app thread for frame locals (``is_vars=True``), where values must be
    captured before the program changes them; with ``is_vars`` every leaf is repr'd
    (``'abc'``, ``None``, ``1``) as sentry_sdk does, so types stay visible. Cuts are
    not reported here (as in sentry_sdk); use :func:`serialize_value_with_meta` for them.

    ``memo`` (one dict per captured stack) reuses the result for an object seen in an
    earlier frame: web frameworks pass the same request/scope objects down ten frames.
    """
    max_length = DEFAULT_MAX_VALUE_LENGTH if max_value_length is None else max_value_length
    walker = _Walker(is_vars, max_length, custom_repr, keep_bodies=False, track=False)
    if is_vars and custom_repr is None and type(value) is dict:
        # Frame locals: most values are plain; copy those fast and walk only the rest.
        out: Dict[str, Any] = {}
        budget = [MAX_SECTION_NODES]
        for name, item in islice(value.items(), MAX_DATABAG_BREADTH):
            key = _clean(name) if type(name) is str else walker._key(name)
            seen = memo.get(id(item)) if memo is not None else None
            if seen is not None and seen[0] is item:
                out[key] = seen[1]
                continue
            try:
                result = _fast_vars(item, MAX_DATABAG_DEPTH - 1, max_length, budget)
            except Exception:
                result = walker.walk(item, MAX_DATABAG_DEPTH - 1, MAX_DATABAG_BREADTH, True)
            if memo is not None and type(item) not in _SMALL_LEAVES:
                memo[id(item)] = (item, result)
            out[key] = result
        return out
    return walker.walk(value, MAX_DATABAG_DEPTH, MAX_DATABAG_BREADTH, True)


class _NeedsFullWalk(Exception):  # noqa: N818 - control flow, never escapes
    """The fast copy met something that needs a cut, a repr or a _meta note."""


def _fast_copy(value: Any, depth: int, breadth: int, max_length: int, budget: List[int]) -> Any:
    """Copy plain JSON data (the usual case) without the walker's per-node bookkeeping.

    Gives exactly what the full walk gives when nothing must be cut, repr'd or noted;
    otherwise raises :class:`_NeedsFullWalk` and the caller walks the section in full.
    """
    if depth <= 0:
        raise _NeedsFullWalk
    kind = type(value)
    if kind is dict:  # first: leaves are mostly handled by their dict, below
        budget[0] -= len(value) + 1
        if len(value) > breadth or budget[0] < 0:
            raise _NeedsFullWalk
        out = {}
        if depth > 1 and max_length >= 0:
            # Leaves are checked here, not in a call each: most values are leaves.
            # ``len * 4 > max_length`` is ``len > max_length // 4`` for whole numbers.
            longest = max_length // 4
            for key, item in value.items():
                if type(key) is not str or (not key.isascii() and _SURROGATES.search(key)):
                    raise _NeedsFullWalk
                leaf = type(item)
                if leaf is str:
                    if len(item) > longest or (not item.isascii() and _SURROGATES.search(item)):
                        raise _NeedsFullWalk
                    out[key] = item
                elif leaf is int:
                    if not -_SAFE_INT < item < _SAFE_INT:
                        raise _NeedsFullWalk
                    out[key] = item
                elif leaf is bool or item is None:
                    out[key] = item
                elif leaf is dict and depth > 2:
                    # A dict of leaves (span data, headers, the DSC): inline too.
                    budget[0] -= len(item) + 1
                    if len(item) > breadth or budget[0] < 0:
                        raise _NeedsFullWalk
                    inner = {}
                    for name, sub in item.items():
                        if type(name) is not str or (
                            not name.isascii() and _SURROGATES.search(name)
                        ):
                            raise _NeedsFullWalk
                        kind = type(sub)
                        if kind is str:
                            if len(sub) > longest or (
                                not sub.isascii() and _SURROGATES.search(sub)
                            ):
                                raise _NeedsFullWalk
                            inner[name] = sub
                        elif kind is int:
                            if not -_SAFE_INT < sub < _SAFE_INT:
                                raise _NeedsFullWalk
                            inner[name] = sub
                        elif kind is bool or sub is None:
                            inner[name] = sub
                        else:
                            inner[name] = _fast_copy(sub, depth - 2, breadth, max_length, budget)
                    out[key] = inner
                else:
                    out[key] = _fast_copy(item, depth - 1, breadth, max_length, budget)
            return out
        for key, item in value.items():
            if type(key) is not str or (not key.isascii() and _SURROGATES.search(key)):
                raise _NeedsFullWalk
            out[key] = _fast_copy(item, depth - 1, breadth, max_length, budget)
        return out
    if kind is str:
        if len(value) * 4 > max_length or (not value.isascii() and _SURROGATES.search(value)):
            raise _NeedsFullWalk
        return value
    if kind is int:
        if not -_SAFE_INT < value < _SAFE_INT:
            raise _NeedsFullWalk
        return value
    if kind is bool or value is None:
        return value
    if kind is float:
        if value - value != 0.0:  # NaN or +-inf
            raise _NeedsFullWalk
        return value
    if kind is list or kind is tuple:
        budget[0] -= len(value) + 1
        if len(value) > breadth or budget[0] < 0:
            raise _NeedsFullWalk
        return [_fast_copy(item, depth - 1, breadth, max_length, budget) for item in value]
    if kind is datetime:
        try:
            return _format_timestamp(value)
        except Exception:
            raise _NeedsFullWalk from None  # no UTC form: the walker shows its repr
    raise _NeedsFullWalk


def _fast_vars(value: Any, depth: int, max_length: int, budget: List[int]) -> Any:
    """Frame-locals form of :func:`_fast_copy`: leaves become their repr, as sentry_sdk."""
    if depth <= 0:
        raise _NeedsFullWalk
    kind = type(value)
    if kind is str or kind is int or kind is bool or kind is float or value is None:
        if kind is str and len(value) * 4 > max_length:
            raise _NeedsFullWalk  # _leaf_repr cuts huge strings before repr'ing them
        text = repr(value)  # str repr escapes lone surrogates, so it is clean ASCII/UTF-8
        if len(text) * 4 > max_length:
            raise _NeedsFullWalk
        return text
    if kind is dict:
        budget[0] -= len(value) + 1
        if len(value) > MAX_DATABAG_BREADTH or budget[0] < 0:
            raise _NeedsFullWalk
        out = {}
        for key, item in value.items():
            if type(key) is not str or (not key.isascii() and _SURROGATES.search(key)):
                raise _NeedsFullWalk
            out[key] = _fast_vars(item, depth - 1, max_length, budget)
        return out
    if kind is list or kind is tuple:
        budget[0] -= len(value) + 1
        if len(value) > MAX_DATABAG_BREADTH or budget[0] < 0:
            raise _NeedsFullWalk
        return [_fast_vars(item, depth - 1, max_length, budget) for item in value]
    raise _NeedsFullWalk


_FRAME_SCALARS = frozenset(
    {
        "filename",
        "abs_path",
        "function",
        "module",
        "lineno",
        "context_line",
        "in_app",
        "package",
        "platform",
        "instruction_addr",
        "colno",
    }
)


def _fast_frames(frames: Any, max_length: int, budget: List[int]) -> Any:
    """Copy SDK-built frames; ``vars`` were already bounded when the frame was captured."""
    if type(frames) is not list or len(frames) > MAX_SAFETY_BREADTH:
        raise _NeedsFullWalk
    out = []
    for frame in frames:
        if type(frame) is not dict:
            raise _NeedsFullWalk
        copy: Dict[str, Any] = {}
        for key, item in frame.items():
            kind = type(item)
            if key == "vars":
                if kind is not dict:
                    raise _NeedsFullWalk
                copy[key] = item  # a fresh dict from serialize_value, not app data
            elif key in _FRAME_SCALARS and (
                (kind is int and -_SAFE_INT < item < _SAFE_INT) or kind is bool or item is None
            ):
                copy[key] = item
            elif kind is str:
                if len(item) * 4 > max_length or (not item.isascii() and _SURROGATES.search(item)):
                    raise _NeedsFullWalk
                copy[key] = item
            else:
                copy[key] = _fast_copy(
                    item, MAX_SAFETY_DEPTH - 6, MAX_SAFETY_BREADTH, max_length, budget
                )
        out.append(copy)
    return out


def _fast_stack_holder(value: Any, max_length: int, budget: List[int]) -> Any:
    """``exception``/``threads``: ``{"values": [{..., "stacktrace": {"frames": [...]}}]}``."""
    if type(value) is not dict or type(value.get("values")) is not list:
        raise _NeedsFullWalk
    values = []
    for entry in value["values"]:
        if type(entry) is not dict:
            raise _NeedsFullWalk
        copy = {}
        for key, item in entry.items():
            if key == "stacktrace" and type(item) is dict:
                copy[key] = {
                    k: _fast_frames(v, max_length, budget)
                    if k == "frames"
                    else _fast_copy(v, MAX_SAFETY_DEPTH - 4, MAX_SAFETY_BREADTH, max_length, budget)
                    for k, v in item.items()
                }
            else:
                copy[key] = _fast_copy(
                    item, MAX_SAFETY_DEPTH - 3, MAX_SAFETY_BREADTH, max_length, budget
                )
        values.append(copy)
    out = {
        k: _fast_copy(v, MAX_SAFETY_DEPTH - 1, MAX_SAFETY_BREADTH, max_length, budget)
        for k, v in value.items()
        if k != "values"
    }
    out["values"] = values
    return out


def _fast_spans(spans: Any, max_length: int, budget: List[int]) -> Any:
    """``spans``: a list of span dicts (``Span.to_json``), one call per span list.

    Gives what ``_fast_copy`` gives for the list, with each span's leaves and its flat
    ``data``/``tags`` dicts checked inline rather than in a call per container, and a
    long ``description`` kept whole as the walker keeps it (SQL queries would otherwise
    send every span through the walker). Anything else raises :class:`_NeedsFullWalk`.
    """
    if type(spans) is not list or max_length < 0:
        raise _NeedsFullWalk
    budget[0] -= len(spans) + 1
    if len(spans) > MAX_SAFETY_BREADTH or budget[0] < 0:
        raise _NeedsFullWalk
    longest = max_length // 4
    surrogate = _SURROGATES.search
    out = []
    for span in spans:
        if type(span) is not dict:
            raise _NeedsFullWalk
        budget[0] -= len(span) + 1
        if len(span) > MAX_SAFETY_BREADTH or budget[0] < 0:
            raise _NeedsFullWalk
        copy = {}
        for key, item in span.items():
            if type(key) is not str or (not key.isascii() and surrogate(key)):
                raise _NeedsFullWalk
            leaf = type(item)
            if leaf is str:
                if len(item) > longest or not item.isascii():
                    if key == "description":
                        item = _clean(item)  # never cut, only cleaned (as the walker)
                    elif len(item) > longest or surrogate(item):
                        raise _NeedsFullWalk
            elif leaf is dict:
                budget[0] -= len(item) + 1
                if len(item) > MAX_SAFETY_BREADTH or budget[0] < 0:
                    raise _NeedsFullWalk
                inner = {}
                for name, value in item.items():
                    if type(name) is not str or (not name.isascii() and surrogate(name)):
                        raise _NeedsFullWalk
                    kind = type(value)
                    if kind is str:
                        if len(value) > longest or (not value.isascii() and surrogate(value)):
                            raise _NeedsFullWalk
                    elif kind is float:
                        if value - value != 0.0:  # NaN or +-inf
                            raise _NeedsFullWalk
                    elif not (
                        (kind is int and -_SAFE_INT < value < _SAFE_INT)
                        or kind is bool
                        or value is None
                    ):
                        value = _fast_copy(
                            value, MAX_SAFETY_DEPTH - 4, MAX_SAFETY_BREADTH, max_length, budget
                        )
                    inner[name] = value
                item = inner
            elif not (
                leaf is bool or item is None or (leaf is int and -_SAFE_INT < item < _SAFE_INT)
            ):
                item = _fast_copy(
                    item, MAX_SAFETY_DEPTH - 3, MAX_SAFETY_BREADTH, max_length, budget
                )
            copy[key] = item
        out.append(copy)
    return out


_SHAPED_SECTIONS = frozenset(
    {"extra", "breadcrumbs", "contexts", "request", "exception", "threads"}
)
"""Top-level keys :func:`_fast_section` copies by their known shape; any other key is
copied as plain data with the limits outside databags."""


def _fast_section(name: str, value: Any, max_length: int, keep_bodies: bool = False) -> Any:
    """The fast copy of one top-level event key, with the databag limits the walker uses."""
    budget = [MAX_SECTION_NODES]
    depth = MAX_SAFETY_DEPTH - 1
    if name == "extra":
        return _fast_copy(value, MAX_DATABAG_DEPTH, MAX_DATABAG_BREADTH, max_length, budget)
    if name == "breadcrumbs":
        if type(value) is not dict or set(value) != {"values"} or type(value["values"]) is not list:
            raise _NeedsFullWalk
        crumbs = value["values"]
        if len(crumbs) > MAX_SAFETY_BREADTH:
            raise _NeedsFullWalk
        return {
            "values": [
                _fast_copy(crumb, MAX_DATABAG_DEPTH, MAX_DATABAG_BREADTH, max_length, budget)
                for crumb in crumbs
            ]
        }
    if name == "contexts":
        if type(value) is not dict or len(value) > MAX_SAFETY_BREADTH:
            raise _NeedsFullWalk
        out = {}
        for key, context in value.items():
            if type(key) is not str:
                raise _NeedsFullWalk
            if key in SDK_CONTEXTS:
                out[key] = _fast_copy(context, depth - 1, MAX_SAFETY_BREADTH, max_length, budget)
            else:
                out[key] = _fast_copy(
                    context, MAX_DATABAG_DEPTH, MAX_DATABAG_BREADTH, max_length, budget
                )
        return out
    if name == "request":
        # Only ``request.data`` is a databag; bodies kept by option take the full walk.
        if type(value) is not dict:
            raise _NeedsFullWalk
        request = {}
        longest = max_length // 4 if max_length >= 0 else -1
        for key, part in value.items():
            if key == "data":
                if keep_bodies:
                    raise _NeedsFullWalk
                request[key] = _fast_copy(
                    part, MAX_DATABAG_DEPTH, MAX_DATABAG_BREADTH, max_length, budget
                )
            elif type(key) is str:
                # url, method, query_string: short ASCII strings, checked here, not in a call.
                if type(part) is str and part.isascii() and len(part) <= longest:
                    request[key] = part
                else:
                    request[key] = _fast_copy(
                        part, depth - 1, MAX_SAFETY_BREADTH, max_length, budget
                    )
            else:
                raise _NeedsFullWalk
        return request
    if name == "exception" or name == "threads":
        return _fast_stack_holder(value, max_length, budget)
    return _fast_copy(value, depth, MAX_SAFETY_BREADTH, max_length, budget)


def serialize_event(
    event: Dict[str, Any],
    *,
    max_value_length: Optional[int] = None,
    max_request_body_size: str = "medium",
    custom_repr: Optional[Callable[[object], Optional[str]]] = None,
    size_budget: Optional[int] = MAX_EVENT_BYTES,
) -> Dict[str, Any]:
    """Return a strict-JSON-safe copy of ``event`` within ``size_budget`` bytes, with _meta.

    ``size_budget=None`` skips the size trim (which encodes the event to measure it); the
    client does that on the app thread and leaves trimming to the transport's worker.

    Databags (extra, request.data, breadcrumbs, user contexts) get sentry_sdk's
    depth/breadth limits, strings are cut at ``max_value_length`` (None: the SDK default),
    ``_meta`` notes already on the event are kept and merged with the new ones, and the
    result is trimmed to ``size_budget`` in the order documented in docs/serializer.md.
    """
    try:
        source = event if type(event) is dict else dict(event) if isinstance(event, Mapping) else {}
        max_length = DEFAULT_MAX_VALUE_LENGTH if max_value_length is None else max_value_length
        keep_bodies = max_request_body_size == "always"
        walker: Optional[_Walker] = None
        old_meta = None
        out: Dict[str, Any] = {}
        for name, section in source.items():
            if name == "_meta":
                old_meta = section
                continue
            if type(name) is not str:
                walker = _Walker(False, max_length, custom_repr, keep_bodies, track=True)
                rest = {k: v for k, v in source.items() if k != "_meta"}
                walked = walker.walk(rest, MAX_SAFETY_DEPTH, MAX_SAFETY_BREADTH, None)
                out = walked if isinstance(walked, dict) else {}
                break
            kind = type(section)
            if kind is str and section.isascii() and len(section) * 4 <= max_length:
                out[name] = section  # event_id, level, message, ...: nothing to do
                continue
            try:
                if name in _SHAPED_SECTIONS:
                    out[name] = _fast_section(name, section, max_length, keep_bodies)
                elif name == "spans" and section:
                    out[name] = _fast_spans(section, max_length, [MAX_SECTION_NODES])
                elif (kind is dict or kind is list) and not section:
                    out[name] = {} if kind is dict else []  # a transaction's spans, measurements
                else:
                    out[name] = _fast_copy(
                        section,
                        MAX_SAFETY_DEPTH - 1,
                        MAX_SAFETY_BREADTH,
                        max_length,
                        [MAX_SECTION_NODES],
                    )
            except Exception:
                # The walker (with its _meta bookkeeping) only when a section needs it;
                # also when a shortcut met something it did not foresee: a shortcut's
                # failure must cost no more than its section.
                if walker is None:
                    walker = _Walker(False, max_length, custom_repr, keep_bodies, track=True)
                walker.budget = MAX_SECTION_NODES
                out[name] = walker.child(
                    section, name, MAX_SAFETY_DEPTH - 1, MAX_SAFETY_BREADTH, None
                )
        meta: Dict[str, Any] = walker.meta if walker is not None else {}
        if old_meta is not None and isinstance(old_meta, Mapping):
            clean_old = _Walker(False, None, None, False, False).walk(
                old_meta, MAX_SAFETY_DEPTH, MAX_SAFETY_BREADTH, False
            )
            if isinstance(clean_old, dict):
                meta = merge_meta(clean_old, meta)
        if meta:
            out["_meta"] = meta
        if size_budget is None:
            return out
        from sentry_lite.events.trim import trim_event  # trim imports this module

        return trim_event(out, size_budget)
    except Exception:
        from sentry_lite.events.trim import trim_event

        return trim_event(_fallback_event(event), size_budget or MAX_EVENT_BYTES)


def _fallback_event(event: object) -> Dict[str, Any]:
    """A minimal event for the case the walk itself failed (it should not)."""
    out: Dict[str, Any] = {}
    try:
        if isinstance(event, Mapping):
            for name in ("event_id", "timestamp", "platform", "level"):
                value = event.get(name)
                if isinstance(value, (str, int)) and not isinstance(value, bool):
                    out[name] = _clean(str(value))[:64]
    except Exception:
        pass
    out["message"] = "sentry-lite could not serialize this event"
    return out
