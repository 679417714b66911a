"""Shape-aware shortcuts: the fast copy of each top-level section by its known shape.

Why: the sections the SDK builds (stack traces, spans, breadcrumbs, request, contexts)
have a known layout whose containers need no path bookkeeping, and whose databag parts
(``extra``, each breadcrumb, user contexts, ``request.data``) get sentry_sdk's limits.
Each function gives what the walker gives for the section, spending the same node
budget at the same depths, or raises :class:`NeedsFullWalk` for the walker to do it.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Tuple

from sentry_lite.consts import MAX_DATABAG_BREADTH, MAX_DATABAG_DEPTH
from sentry_lite.events.fastcopy import SURROGATES, NeedsFullWalk, check_plain, fast_copy
from sentry_lite.events.reprs import NEG_PLAIN_INT, PLAIN_INT, clean_text
from sentry_lite.events.walker import SDK_CONTEXTS
from sentry_lite.limits import (
    MAX_SAFETY_BREADTH,
    MAX_SAFETY_DEPTH,
    MAX_SECTION_NODES,
    MAX_STACK_SECTION_NODES,
)

__all__ = ["SECTIONS", "SECTION_DEPTH", "fast_section", "fast_spans"]

SECTION_DEPTH = MAX_SAFETY_DEPTH - 1
"""The depth the walker gives a top-level section; its children get one less, and so on."""


def _counted(value: Any, budget: List[int]) -> Dict[Any, Any]:
    """A dict counted as the walker counts it; the caller checks each key in its loop."""
    if type(value) is not dict:
        raise NeedsFullWalk
    size = len(value)
    budget[0] -= size + 1
    if size > MAX_SAFETY_BREADTH or budget[0] < 0:
        raise NeedsFullWalk
    return value


def _holder(value: Any, budget: List[int]) -> Dict[str, Any]:
    """A dict of the section's layout: str keys, counted as the walker counts it."""
    checked = _counted(value, budget)
    for key in checked:
        if type(key) is not str or (not key.isascii() and SURROGATES.search(key)):
            raise NeedsFullWalk
    return checked


def _list(value: Any, budget: List[int]) -> List[Any]:
    if type(value) is not list:
        raise NeedsFullWalk
    size = len(value)
    budget[0] -= size + 1
    if size > MAX_SAFETY_BREADTH or budget[0] < 0:
        raise NeedsFullWalk
    return value


def _frames(frames: Any, depth: int, max_length: int, budget: List[int]) -> Any:
    """A ``frames`` list at ``depth``; each frame's ``vars`` has a budget of its own.

    Frames are the bulk of an error event, so a frame's keys, its str leaves and its
    lists of source lines are checked here rather than in a call each."""
    out = []
    longest = max_length // 4
    inner = depth - 2  # the values of a frame
    surrogate = SURROGATES.search
    shared: Dict[int, Tuple[Any, int]] = {}
    for frame in _list(frames, budget):
        if type(frame) is not dict:
            raise NeedsFullWalk
        size = len(frame)
        budget[0] -= size + 1
        if size > MAX_SAFETY_BREADTH or budget[0] < 0:
            raise NeedsFullWalk
        copy: Dict[str, Any] = {}
        for key, item in frame.items():
            if type(key) is not str or (not key.isascii() and surrogate(key)):
                raise NeedsFullWalk
            kind = type(item)
            if kind is str:
                if len(item) > longest or (not item.isascii() and surrogate(item)):
                    raise NeedsFullWalk
            elif key == "vars":
                item = _vars(item, inner, max_length, shared)
            elif kind is list and inner > 1 and max_length >= 0:
                budget[0] -= len(item) + 1
                if len(item) > MAX_SAFETY_BREADTH or budget[0] < 0:
                    raise NeedsFullWalk
                for line in item:  # pre_context, post_context
                    if type(line) is not str or len(line) > longest:
                        raise NeedsFullWalk
                    if not line.isascii() and surrogate(line):
                        raise NeedsFullWalk
                item = list(item)
            elif not (
                (kind is int and NEG_PLAIN_INT < item < PLAIN_INT) or kind is bool or item is None
            ):
                item = fast_copy(item, inner, MAX_SAFETY_BREADTH, max_length, budget)
            copy[key] = item
        out.append(copy)
    return out


def _vars(value: Any, depth: int, max_length: int, shared: Dict[int, Tuple[Any, int]]) -> Any:
    """A frame's ``vars`` (at ``depth``, with a node budget of its own).

    Capture made them plain already, so they are checked, not copied: the walker would
    give the same back. Capture also shares one result between frames for an object
    passed down the stack (serialize_value's memo): it is checked once, and each later
    frame is charged what checking it again would spend."""
    if type(value) is dict and max_length >= 0 and depth > 1:
        budget = [MAX_SECTION_NODES - len(value) - 1]
        longest = max_length // 4
        try:
            if len(value) > MAX_SAFETY_BREADTH or budget[0] < 0:
                raise NeedsFullWalk
            for name, item in value.items():
                if type(name) is not str or (not name.isascii() and SURROGATES.search(name)):
                    raise NeedsFullWalk
                kind = type(item)
                if kind is str:
                    if len(item) > longest or (not item.isascii() and SURROGATES.search(item)):
                        raise NeedsFullWalk
                elif kind is dict or kind is list:
                    seen = shared.get(id(item))
                    if seen is not None and seen[0] is item and budget[0] >= seen[1]:
                        budget[0] -= seen[1]
                    else:
                        before = budget[0]
                        check_plain(item, depth - 1, MAX_SAFETY_BREADTH, longest, budget)
                        shared[id(item)] = (item, before - budget[0])
                else:
                    check_plain([item], depth, MAX_SAFETY_BREADTH, longest, [2])  # a leaf
            return value
        except NeedsFullWalk:
            pass  # something to convert: copy them, or the walker does
    return fast_copy(value, depth, MAX_SAFETY_BREADTH, max_length, [MAX_SECTION_NODES])


def _stacktrace(value: Any, depth: int, max_length: int, budget: List[int]) -> Any:
    """``{"frames": [...], ...}`` at ``depth``."""
    return {
        key: _frames(item, depth - 1, max_length, budget)
        if key == "frames"
        else fast_copy(item, depth - 1, MAX_SAFETY_BREADTH, max_length, budget)
        for key, item in _holder(value, budget).items()
    }


def _stack_holder(value: Any, max_length: int, budget: List[int]) -> Any:
    """``exception``/``threads``: ``{"values": [{..., "stacktrace": {"frames": [...]}}]}``."""
    depth = SECTION_DEPTH
    out: Dict[str, Any] = {}
    for key, item in _holder(value, budget).items():
        if key != "values":
            out[key] = fast_copy(item, depth - 1, MAX_SAFETY_BREADTH, max_length, budget)
            continue
        values = []
        for entry in _list(item, budget):
            copy = {}
            for name, part in _holder(entry, budget).items():
                if name == "stacktrace" and type(part) is dict:
                    copy[name] = _stacktrace(part, depth - 3, max_length, budget)
                else:
                    copy[name] = fast_copy(part, depth - 3, MAX_SAFETY_BREADTH, max_length, budget)
            values.append(copy)
        out[key] = values
    return out


def fast_spans(spans: Any, max_length: int, budget: List[int]) -> Any:
    """``spans``: a list of span dicts (``Span.to_json``), one call per span list.

    Gives what ``_fast_copy`` gives for the list, with each span's leaves and its flat
    ``data``/``tags`` dicts checked inline rather than in a call per container, and a
    long ``description`` kept whole as the walker keeps it (SQL queries would otherwise
    send every span through the walker). Anything else raises :class:`NeedsFullWalk`.
    """
    if type(spans) is not list or max_length < 0:
        raise NeedsFullWalk
    budget[0] -= len(spans) + 1
    if len(spans) > MAX_SAFETY_BREADTH or budget[0] < 0:
        raise NeedsFullWalk
    longest = max_length // 4
    surrogate = SURROGATES.search
    out = []
    for span in spans:
        if type(span) is not dict:
            raise NeedsFullWalk
        budget[0] -= len(span) + 1
        if len(span) > MAX_SAFETY_BREADTH or budget[0] < 0:
            raise NeedsFullWalk
        copy = {}
        for key, item in span.items():
            if type(key) is not str or (not key.isascii() and surrogate(key)):
                raise NeedsFullWalk
            leaf = type(item)
            if leaf is str:
                if len(item) > longest or not item.isascii():
                    if key == "description":
                        item = clean_text(item)  # never cut, only cleaned (as the walker)
                    elif len(item) > longest or surrogate(item):
                        raise NeedsFullWalk
            elif leaf is dict:
                budget[0] -= len(item) + 1
                if len(item) > MAX_SAFETY_BREADTH or budget[0] < 0:
                    raise NeedsFullWalk
                inner = {}
                for name, value in item.items():
                    if type(name) is not str or (not name.isascii() and surrogate(name)):
                        raise NeedsFullWalk
                    kind = type(value)
                    if kind is str:
                        if len(value) > longest or (not value.isascii() and surrogate(value)):
                            raise NeedsFullWalk
                    elif kind is float:
                        if value - value != 0.0:  # NaN or +-inf
                            raise NeedsFullWalk
                    elif not (
                        (kind is int and NEG_PLAIN_INT < value < PLAIN_INT)
                        or kind is bool
                        or value is None
                    ):
                        value = fast_copy(
                            value, SECTION_DEPTH - 3, MAX_SAFETY_BREADTH, max_length, budget
                        )
                    inner[name] = value
                item = inner
            elif not (
                leaf is bool or item is None or (leaf is int and NEG_PLAIN_INT < item < PLAIN_INT)
            ):
                item = fast_copy(item, SECTION_DEPTH - 2, MAX_SAFETY_BREADTH, max_length, budget)
            copy[key] = item
        out.append(copy)
    return out


def _extra(value: Any, max_length: int, keep_bodies: bool) -> Any:
    return fast_copy(value, MAX_DATABAG_DEPTH, MAX_DATABAG_BREADTH, max_length, [MAX_SECTION_NODES])


def _exception(value: Any, max_length: int, keep_bodies: bool) -> Any:
    return _stack_holder(value, max_length, [MAX_STACK_SECTION_NODES])


def _top_stacktrace(value: Any, max_length: int, keep_bodies: bool) -> Any:
    return _stacktrace(value, SECTION_DEPTH, max_length, [MAX_STACK_SECTION_NODES])


def _spans(value: Any, max_length: int, keep_bodies: bool) -> Any:
    return fast_spans(value, max_length, [MAX_SECTION_NODES])


def _breadcrumbs(value: Any, max_length: int, keep_bodies: bool) -> Any:
    budget = [MAX_SECTION_NODES]
    out: Dict[str, Any] = {}
    for key, item in _counted(value, budget).items():
        if type(key) is not str or (not key.isascii() and SURROGATES.search(key)):
            raise NeedsFullWalk
        if key == "values":
            out[key] = [
                fast_copy(crumb, MAX_DATABAG_DEPTH, MAX_DATABAG_BREADTH, max_length, budget)
                for crumb in _list(item, budget)
            ]
        else:
            out[key] = fast_copy(item, SECTION_DEPTH - 1, MAX_SAFETY_BREADTH, max_length, budget)
    return out


def _contexts(value: Any, max_length: int, keep_bodies: bool) -> Any:
    budget = [MAX_SECTION_NODES]
    out: Dict[str, Any] = {}
    for key, context in _counted(value, budget).items():
        if type(key) is not str or (not key.isascii() and SURROGATES.search(key)):
            raise NeedsFullWalk
        if key in SDK_CONTEXTS:
            out[key] = fast_copy(context, SECTION_DEPTH - 1, MAX_SAFETY_BREADTH, max_length, budget)
        else:  # a user context: a databag
            out[key] = fast_copy(
                context, MAX_DATABAG_DEPTH, MAX_DATABAG_BREADTH, max_length, budget
            )
    return out


def _request(value: Any, max_length: int, keep_bodies: bool) -> Any:
    """Only ``request.data`` is a databag, unlimited with keep_bodies ("always")."""
    budget = [MAX_SECTION_NODES]
    longest = max_length // 4
    out: Dict[str, Any] = {}
    for key, part in _counted(value, budget).items():
        if type(key) is not str or (not key.isascii() and SURROGATES.search(key)):
            raise NeedsFullWalk
        if type(part) is str and part.isascii() and len(part) <= longest:
            out[key] = part  # url, method, query_string: checked here, not in a call
        elif key != "data":
            out[key] = fast_copy(part, SECTION_DEPTH - 1, MAX_SAFETY_BREADTH, max_length, budget)
        elif keep_bodies:
            out[key] = fast_copy(part, MAX_SAFETY_DEPTH, MAX_SAFETY_BREADTH, max_length, budget)
        else:
            out[key] = fast_copy(part, MAX_DATABAG_DEPTH, MAX_DATABAG_BREADTH, max_length, budget)
    return out


SECTIONS: Dict[str, Callable[[Any, int, bool], Any]] = {
    "extra": _extra,
    "breadcrumbs": _breadcrumbs,
    "contexts": _contexts,
    "request": _request,
    "exception": _exception,
    "threads": _exception,
    "stacktrace": _top_stacktrace,
    "spans": _spans,
}
"""The shortcut of each top-level key with a known shape: ``(value, max_length,
keep_bodies)`` to its copy, or :class:`NeedsFullWalk`. Any other key is plain data,
copied with the limits outside databags."""


def fast_section(name: str, value: Any, max_length: int, keep_bodies: bool = False) -> Any:
    """The fast copy of one top-level event key, with the limits the walker uses."""
    shape = SECTIONS.get(name)
    if shape is not None:
        return shape(value, max_length, keep_bodies)
    return fast_copy(value, SECTION_DEPTH, MAX_SAFETY_BREADTH, max_length, [MAX_SECTION_NODES])
