"""Shortcuts of the walker for the data events usually hold: shape-aware fast copies.

Why: most event data is plain JSON already (str keys, short ASCII strings, ints, flat
dicts of span data and headers). The general walker (``walker.Walker``) keeps a path and
a ``_meta`` tree per node; copying plain data without that bookkeeping is several times
faster. Each function here gives exactly what the walker gives, or raises
:class:`NeedsFullWalk` as soon as something needs a cut, a repr or a ``_meta`` note;
the caller then walks that section (or frame local) with the walker. The differential
tests check the equality with ``sentry_lite.shortcuts`` off.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List

from sentry_lite.consts import MAX_DATABAG_BREADTH, MAX_DATABAG_DEPTH
from sentry_lite.events.reprs import PLAIN_INT, SURROGATES, clean_text, format_timestamp
from sentry_lite.events.walker import SDK_CONTEXTS
from sentry_lite.limits import MAX_SAFETY_BREADTH, MAX_SAFETY_DEPTH, MAX_SECTION_NODES

__all__ = [
    "SHAPED_SECTIONS",
    "NeedsFullWalk",
    "fast_copy",
    "fast_section",
    "fast_spans",
    "fast_vars",
]


class NeedsFullWalk(Exception):  # noqa: N818 - control flow, never escapes
    """The fast copy met something that needs a cut, a repr or a _meta note."""


def fast_copy(value: Any, depth: int, breadth: int, max_length: int, budget: List[int]) -> Any:
    """Copy plain JSON data (the usual case) without the walker's per-node bookkeeping.

    Gives exactly what the full walk gives when nothing must be cut, repr'd or noted;
    otherwise raises :class:`NeedsFullWalk` and the caller walks the section in full.
    """
    if depth <= 0:
        raise NeedsFullWalk
    kind = type(value)
    if kind is dict:  # first: leaves are mostly handled by their dict, below
        budget[0] -= len(value) + 1
        if len(value) > breadth or budget[0] < 0:
            raise NeedsFullWalk
        out = {}
        if depth > 1 and max_length >= 0:
            # Leaves are checked here, not in a call each: most values are leaves.
            # ``len * 4 > max_length`` is ``len > max_length // 4`` for whole numbers.
            longest = max_length // 4
            for key, item in value.items():
                if type(key) is not str or (not key.isascii() and SURROGATES.search(key)):
                    raise NeedsFullWalk
                leaf = type(item)
                if leaf is str:
                    if len(item) > longest or (not item.isascii() and SURROGATES.search(item)):
                        raise NeedsFullWalk
                    out[key] = item
                elif leaf is int:
                    if not -PLAIN_INT < item < PLAIN_INT:
                        raise NeedsFullWalk
                    out[key] = item
                elif leaf is bool or item is None:
                    out[key] = item
                elif leaf is dict and depth > 2:
                    # A dict of leaves (span data, headers, the DSC): inline too.
                    budget[0] -= len(item) + 1
                    if len(item) > breadth or budget[0] < 0:
                        raise NeedsFullWalk
                    inner = {}
                    for name, sub in item.items():
                        if type(name) is not str or (
                            not name.isascii() and SURROGATES.search(name)
                        ):
                            raise NeedsFullWalk
                        kind = type(sub)
                        if kind is str:
                            if len(sub) > longest or (not sub.isascii() and SURROGATES.search(sub)):
                                raise NeedsFullWalk
                            inner[name] = sub
                        elif kind is int:
                            if not -PLAIN_INT < sub < PLAIN_INT:
                                raise NeedsFullWalk
                            inner[name] = sub
                        elif kind is bool or sub is None:
                            inner[name] = sub
                        else:
                            inner[name] = fast_copy(sub, depth - 2, breadth, max_length, budget)
                    out[key] = inner
                else:
                    out[key] = fast_copy(item, depth - 1, breadth, max_length, budget)
            return out
        for key, item in value.items():
            if type(key) is not str or (not key.isascii() and SURROGATES.search(key)):
                raise NeedsFullWalk
            out[key] = fast_copy(item, depth - 1, breadth, max_length, budget)
        return out
    if kind is str:
        if len(value) * 4 > max_length or (not value.isascii() and SURROGATES.search(value)):
            raise NeedsFullWalk
        return value
    if kind is int:
        if not -PLAIN_INT < value < PLAIN_INT:
            raise NeedsFullWalk
        return value
    if kind is bool or value is None:
        return value
    if kind is float:
        if value - value != 0.0:  # NaN or +-inf
            raise NeedsFullWalk
        return value
    if kind is list or kind is tuple:
        budget[0] -= len(value) + 1
        if len(value) > breadth or budget[0] < 0:
            raise NeedsFullWalk
        return [fast_copy(item, depth - 1, breadth, max_length, budget) for item in value]
    if kind is datetime:
        try:
            return format_timestamp(value)
        except Exception:
            raise NeedsFullWalk from None  # no UTC form: the walker shows its repr
    raise NeedsFullWalk


def fast_vars(value: Any, depth: int, max_length: int, budget: List[int]) -> Any:
    """Frame-locals form of :func:`fast_copy`: leaves become their repr, as sentry_sdk."""
    if depth <= 0:
        raise NeedsFullWalk
    kind = type(value)
    if kind is str or kind is int or kind is bool or kind is float or value is None:
        if kind is str and len(value) * 4 > max_length:
            raise NeedsFullWalk  # _leaf_repr cuts huge strings before repr'ing them
        text = repr(value)  # str repr escapes lone surrogates, so it is clean ASCII/UTF-8
        if len(text) * 4 > max_length:
            raise NeedsFullWalk
        return text
    if kind is dict:
        budget[0] -= len(value) + 1
        if len(value) > MAX_DATABAG_BREADTH or budget[0] < 0:
            raise NeedsFullWalk
        out = {}
        for key, item in value.items():
            if type(key) is not str or (not key.isascii() and SURROGATES.search(key)):
                raise NeedsFullWalk
            out[key] = fast_vars(item, depth - 1, max_length, budget)
        return out
    if kind is list or kind is tuple:
        budget[0] -= len(value) + 1
        if len(value) > MAX_DATABAG_BREADTH or budget[0] < 0:
            raise NeedsFullWalk
        return [fast_vars(item, depth - 1, max_length, budget) for item in value]
    raise NeedsFullWalk


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


def fast_frames(frames: Any, max_length: int, budget: List[int]) -> Any:
    """Copy SDK-built frames; ``vars`` were already bounded when the frame was captured."""
    if type(frames) is not list or len(frames) > MAX_SAFETY_BREADTH:
        raise NeedsFullWalk
    out = []
    for frame in frames:
        if type(frame) is not dict:
            raise NeedsFullWalk
        copy: Dict[str, Any] = {}
        for key, item in frame.items():
            kind = type(item)
            if key == "vars":
                if kind is not dict:
                    raise NeedsFullWalk
                copy[key] = item  # a fresh dict from serialize_value, not app data
            elif key in _FRAME_SCALARS and (
                (kind is int and -PLAIN_INT < item < PLAIN_INT) or kind is bool or item is None
            ):
                copy[key] = item
            elif kind is str:
                if len(item) * 4 > max_length or (not item.isascii() and SURROGATES.search(item)):
                    raise NeedsFullWalk
                copy[key] = item
            else:
                copy[key] = fast_copy(
                    item, MAX_SAFETY_DEPTH - 6, MAX_SAFETY_BREADTH, max_length, budget
                )
        out.append(copy)
    return out


def fast_stack_holder(value: Any, max_length: int, budget: List[int]) -> Any:
    """``exception``/``threads``: ``{"values": [{..., "stacktrace": {"frames": [...]}}]}``."""
    if type(value) is not dict or type(value.get("values")) is not list:
        raise NeedsFullWalk
    values = []
    for entry in value["values"]:
        if type(entry) is not dict:
            raise NeedsFullWalk
        copy = {}
        for key, item in entry.items():
            if key == "stacktrace" and type(item) is dict:
                copy[key] = {
                    k: fast_frames(v, max_length, budget)
                    if k == "frames"
                    else fast_copy(v, MAX_SAFETY_DEPTH - 4, MAX_SAFETY_BREADTH, max_length, budget)
                    for k, v in item.items()
                }
            else:
                copy[key] = fast_copy(
                    item, MAX_SAFETY_DEPTH - 3, MAX_SAFETY_BREADTH, max_length, budget
                )
        values.append(copy)
    out = {
        k: fast_copy(v, MAX_SAFETY_DEPTH - 1, MAX_SAFETY_BREADTH, max_length, budget)
        for k, v in value.items()
        if k != "values"
    }
    out["values"] = values
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
                        (kind is int and -PLAIN_INT < value < PLAIN_INT)
                        or kind is bool
                        or value is None
                    ):
                        value = fast_copy(
                            value, MAX_SAFETY_DEPTH - 4, MAX_SAFETY_BREADTH, max_length, budget
                        )
                    inner[name] = value
                item = inner
            elif not (
                leaf is bool or item is None or (leaf is int and -PLAIN_INT < item < PLAIN_INT)
            ):
                item = fast_copy(item, MAX_SAFETY_DEPTH - 3, MAX_SAFETY_BREADTH, max_length, budget)
            copy[key] = item
        out.append(copy)
    return out


SHAPED_SECTIONS = frozenset({"extra", "breadcrumbs", "contexts", "request", "exception", "threads"})
"""Top-level keys :func:`_fast_section` copies by their known shape; any other key is
copied as plain data with the limits outside databags."""


def fast_section(name: str, value: Any, max_length: int, keep_bodies: bool = False) -> Any:
    """The fast copy of one top-level event key, with the databag limits the walker uses."""
    budget = [MAX_SECTION_NODES]
    depth = MAX_SAFETY_DEPTH - 1
    if name == "extra":
        return fast_copy(value, MAX_DATABAG_DEPTH, MAX_DATABAG_BREADTH, max_length, budget)
    if name == "breadcrumbs":
        if type(value) is not dict or set(value) != {"values"} or type(value["values"]) is not list:
            raise NeedsFullWalk
        crumbs = value["values"]
        if len(crumbs) > MAX_SAFETY_BREADTH:
            raise NeedsFullWalk
        return {
            "values": [
                fast_copy(crumb, MAX_DATABAG_DEPTH, MAX_DATABAG_BREADTH, max_length, budget)
                for crumb in crumbs
            ]
        }
    if name == "contexts":
        if type(value) is not dict or len(value) > MAX_SAFETY_BREADTH:
            raise NeedsFullWalk
        out = {}
        for key, context in value.items():
            if type(key) is not str:
                raise NeedsFullWalk
            if key in SDK_CONTEXTS:
                out[key] = fast_copy(context, depth - 1, MAX_SAFETY_BREADTH, max_length, budget)
            else:
                out[key] = fast_copy(
                    context, MAX_DATABAG_DEPTH, MAX_DATABAG_BREADTH, max_length, budget
                )
        return out
    if name == "request":
        # Only ``request.data`` is a databag; bodies kept by option take the full walk.
        if type(value) is not dict:
            raise NeedsFullWalk
        request = {}
        longest = max_length // 4 if max_length >= 0 else -1
        for key, part in value.items():
            if key == "data":
                if keep_bodies:
                    raise NeedsFullWalk
                request[key] = fast_copy(
                    part, MAX_DATABAG_DEPTH, MAX_DATABAG_BREADTH, max_length, budget
                )
            elif type(key) is str:
                # url, method, query_string: short ASCII strings, checked here, not in a call.
                if type(part) is str and part.isascii() and len(part) <= longest:
                    request[key] = part
                else:
                    request[key] = fast_copy(
                        part, depth - 1, MAX_SAFETY_BREADTH, max_length, budget
                    )
            else:
                raise NeedsFullWalk
        return request
    if name == "exception" or name == "threads":
        return fast_stack_holder(value, max_length, budget)
    return fast_copy(value, depth, MAX_SAFETY_BREADTH, max_length, budget)
