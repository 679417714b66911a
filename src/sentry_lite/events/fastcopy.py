"""Shortcuts of the walker for the data events usually hold: plain JSON, copied fast.

Why: most event data is plain JSON already (str keys, short ASCII strings, ints, flat
dicts of span data and headers). The general walker (``walker.Walker``) keeps a path and
a ``_meta`` tree per node; copying plain data without that bookkeeping is several times
faster. Each function here gives exactly what the walker gives, or raises
:class:`NeedsFullWalk` as soon as something needs a cut, a repr or a ``_meta`` note;
the caller then walks that section (or frame local) with the walker. ``shapes``
builds the per-section shortcuts on these. The differential
tests check the equality with ``sentry_lite.shortcuts`` off.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Mapping
from datetime import datetime
from itertools import islice
from typing import Any, Iterable, List

from sentry_lite.consts import MAX_DATABAG_BREADTH
from sentry_lite.events.reprs import (
    BIG_REPR_TYPES,
    NEG_PLAIN_INT,
    PLAIN_INT,
    SURROGATE_PATTERN,
    format_timestamp,
)

__all__ = ["SURROGATES", "NeedsFullWalk", "check_plain", "fast_copy", "fast_vars"]

SURROGATES = re.compile(SURROGATE_PATTERN)
"""Compiled here, with the serializer at ``init``, not at ``import sentry_lite``."""


_EXCEPTION_REPR: Any = BaseException.__repr__

_NOT_LEAF_REPR = (Mapping, tuple, list, set, frozenset, array, int, float, *BIG_REPR_TYPES)
"""What the walker does not show by its plain ``repr`` in frame locals, checked before it
does (see :func:`fast_vars`' exceptions)."""


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
                    if not NEG_PLAIN_INT < item < PLAIN_INT:
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
                            if not NEG_PLAIN_INT < sub < PLAIN_INT:
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
        if not NEG_PLAIN_INT < value < PLAIN_INT:
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
        if depth <= 1 or max_length < 0:
            return [fast_copy(item, depth - 1, breadth, max_length, budget) for item in value]
        longest = max_length // 4
        copy = []
        for item in value:  # leaves inline, as for dicts: context lines, repr'd locals
            leaf = type(item)
            if leaf is str:
                if len(item) > longest or (not item.isascii() and SURROGATES.search(item)):
                    raise NeedsFullWalk
            elif leaf is int:
                if not NEG_PLAIN_INT < item < PLAIN_INT:
                    raise NeedsFullWalk
            elif not (leaf is bool or item is None):
                item = fast_copy(item, depth - 1, breadth, max_length, budget)
            copy.append(item)
        return copy
    if kind is datetime:
        try:
            return format_timestamp(value)
        except Exception:
            raise NeedsFullWalk from None  # no UTC form: the walker shows its repr
    raise NeedsFullWalk


def fast_vars(value: Any, depth: int, max_length: int, budget: List[int]) -> Any:
    """Frame-locals form of :func:`fast_copy`: leaves become their repr, as sentry_sdk.

    ``budget`` is ``[nodes, text]``: each str leaf spends its length of the locals' text
    budget, as the walker's; once that is low the walker decides (it cuts texts then)."""
    if depth <= 0:
        raise NeedsFullWalk
    kind = type(value)
    if kind is str or kind is int or kind is bool or kind is float or value is None:
        if kind is str and len(value) * 4 > max_length:
            raise NeedsFullWalk  # _leaf_repr cuts huge strings before repr'ing them
        text = repr(value)  # str repr escapes lone surrogates, so it is clean ASCII/UTF-8
        if len(text) * 4 > max_length:
            raise NeedsFullWalk
        if kind is str:
            if budget[1] < max_length:
                raise NeedsFullWalk
            budget[1] -= len(text)
        return text
    # Containers keep their first MAX_DATABAG_BREADTH items, as the walker does (it notes
    # the cut only in ``_meta``, which locals do not carry), spending the same budget.
    if kind is dict:
        budget[0] -= min(len(value), MAX_DATABAG_BREADTH) + 1
        if budget[0] < 0:
            raise NeedsFullWalk
        keys = list(islice(value, MAX_DATABAG_BREADTH))
        for key in keys:
            if type(key) is not str or (not key.isascii() and SURROGATES.search(key)):
                raise NeedsFullWalk
        values = islice(value.values(), MAX_DATABAG_BREADTH)
        return dict(zip(keys, _vars_items(values, depth - 1, max_length, budget)))
    if kind is list or kind is tuple:
        budget[0] -= min(len(value), MAX_DATABAG_BREADTH) + 1
        if budget[0] < 0:
            raise NeedsFullWalk
        return _vars_items(value[:MAX_DATABAG_BREADTH], depth - 1, max_length, budget)
    if (
        kind.__repr__ is _EXCEPTION_REPR
        and not hasattr(kind, "__sentry_repr__")
        and not isinstance(value, _NOT_LEAF_REPR)
    ):
        # An exception: in the locals of every ``except ... as exc`` frame, so of nearly
        # every capture_exception. The walker shows its repr, counted as a text. Taken
        # here only for plain, short args (a message, a code): no app code runs in the
        # repr, and no huge one is made twice (here, then by the walker).
        for arg in value.args:
            leaf = type(arg)
            if leaf is str:
                if len(arg) * 4 > max_length:
                    raise NeedsFullWalk
            elif not (
                (leaf is int and NEG_PLAIN_INT < arg < PLAIN_INT)
                or leaf is float
                or leaf is bool
                or arg is None
            ):
                raise NeedsFullWalk
        text = repr(value)
        if (
            type(text) is not str
            or len(text) * 4 > max_length
            or budget[1] < max_length
            or (not text.isascii() and SURROGATES.search(text))
        ):
            raise NeedsFullWalk
        budget[1] -= len(text)
        return text
    raise NeedsFullWalk


def _vars_items(items: Iterable[Any], depth: int, max_length: int, budget: List[int]) -> List[Any]:
    """:func:`fast_vars` of each item of one container, its leaves handled inline (the
    same checks as there): locals hold mostly leaves, and a call for each was most of the
    copy's time (the locals of a list of 10 floats: 6.0 -> 4.7 µs)."""
    if depth <= 0:
        for _ in items:
            raise NeedsFullWalk
        return []
    out = []
    for item in items:
        kind = type(item)
        if kind is str:
            if len(item) * 4 > max_length or budget[1] < max_length:
                raise NeedsFullWalk
            text = repr(item)
            if len(text) * 4 > max_length:
                raise NeedsFullWalk
            budget[1] -= len(text)
            out.append(text)
        elif kind is int or kind is float or kind is bool or item is None:
            text = repr(item)
            if len(text) * 4 > max_length:
                raise NeedsFullWalk
            out.append(text)
        else:
            out.append(fast_vars(item, depth, max_length, budget))
    return out


def check_plain(value: Any, depth: int, breadth: int, longest: int, budget: List[int]) -> None:
    """Raise :class:`NeedsFullWalk` unless the walker would give ``value`` back as it is.

    That is: dicts with clean str keys and lists, within ``depth``/``breadth`` and the
    node budget (spent as the walker spends it), holding strs of at most ``longest``
    characters without lone surrogates, ints JSON can write, finite floats, bools and
    None. For data made by the SDK itself (frames' vars), where a copy would be waste.
    """
    if depth <= 0:
        raise NeedsFullWalk
    kind = type(value)
    if kind is dict:
        items: Any = value.values()
        budget[0] -= len(value) + 1
        if len(value) > breadth or budget[0] < 0:
            raise NeedsFullWalk
        for key in value:
            if type(key) is not str or (not key.isascii() and SURROGATES.search(key)):
                raise NeedsFullWalk
    elif kind is list:
        items = value
        budget[0] -= len(value) + 1
        if len(value) > breadth or budget[0] < 0:
            raise NeedsFullWalk
    else:
        raise NeedsFullWalk
    for item in items:
        leaf = type(item)
        if leaf is str:
            if len(item) > longest or (not item.isascii() and SURROGATES.search(item)):
                raise NeedsFullWalk
        elif leaf is dict or leaf is list:
            check_plain(item, depth - 1, breadth, longest, budget)
        elif leaf is int:
            if not NEG_PLAIN_INT < item < PLAIN_INT:
                raise NeedsFullWalk
        elif leaf is float:
            if item - item != 0.0:  # NaN or +-inf
                raise NeedsFullWalk
        elif not (leaf is bool or item is None):
            raise NeedsFullWalk
