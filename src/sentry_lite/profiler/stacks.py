"""Stacks as the sampler records them: tuples of shared frame records, leaf first.

A frame record is what a profile says about one (code object, line): the same fields as
sentry_sdk's profiler (``abs_path``, ``module``, ``filename``, ``function``, ``lineno``,
``in_app``). It is built once and shared by every stack, tick and profile that contains
it, so a tick costs a dictionary look-up per frame instead of building dicts.

Two differences from sentry_sdk, both on purpose:

* a stack deeper than ``MAX_PROFILE_STACK_DEPTH`` keeps the frames nearest the leaf (where
  the time goes), and the walk stops there; sentry_sdk walks the whole stack and keeps
  the root end, losing the leaf frames;
* on Python < 3.11 a method's class name comes from the first frame seen for its code
  object (sentry_sdk looks at ``self``/``cls`` on every sample).
"""

from __future__ import annotations

import os
import sys
from types import CodeType, FrameType
from typing import Any, Container, Dict, List, Mapping, Optional, Tuple

from sentry_lite import shortcuts
from sentry_lite.events.frames import filename_for_module
from sentry_lite.events.in_app import set_in_app_in_frames
from sentry_lite.limits import (
    MAX_PROFILE_STACK_DEPTH,
    MAX_PROFILED_FRAMES,
    MAX_PROFILED_STACKS,
    MAX_WALKED_THREADS,
)

__all__ = ["RESUMABLE", "FrameRecord", "Stack", "StackWalker", "frame_name"]

_HAS_QUALNAME = sys.version_info >= (3, 11)


class FrameRecord:
    """One (code, line) of a profile; ``json`` is what goes on the wire."""

    __slots__ = ("code", "json")

    def __init__(self, code: CodeType, json: Dict[str, Any]) -> None:
        self.code = code
        """Kept so the cache key (the code's id) cannot be reused while this lives."""
        self.json = json


Stack = Tuple[FrameRecord, ...]
"""Leaf (innermost frame) first, as sentry_sdk's ``stacks`` lists them."""

_Walk = Tuple[List[FrameType], List[int], Stack, Dict[int, int]]
"""A thread's last walk: its frames and their instruction offsets (leaf first), the
stack made, and each frame's id -> its position counted from the root end."""

RESUMABLE = 0x20 | 0x80 | 0x100 | 0x200
"""CO_GENERATOR | CO_COROUTINE | CO_ITERABLE_COROUTINE | CO_ASYNC_GENERATOR: code whose
frame can be suspended and resumed from another caller."""


def _class_name_of(frame: FrameType, name: str, first_arg: str) -> Optional[str]:
    """Before 3.11 a code object has no qualified name: find the class from self/cls."""
    try:
        holder = frame.f_locals.get(first_arg)
        if holder is None:
            return None
        classes = holder.__mro__ if first_arg == "cls" else type(holder).__mro__
        for cls in classes:
            if name in cls.__dict__:
                return f"{cls.__name__}.{name}"
    except Exception:  # noqa: BLE001 - hostile __getattr__/__mro__ must not break sampling
        return None
    return None


def frame_name(frame: FrameType) -> str:
    """The function name a profile shows: ``co_qualname`` (or its reconstruction)."""
    code = frame.f_code
    if _HAS_QUALNAME:
        return str(code.co_qualname)  # type: ignore[attr-defined]
    name = code.co_name
    varnames = code.co_varnames
    if varnames and varnames[0] in ("self", "cls"):
        qualified = _class_name_of(frame, name, varnames[0])
        if qualified is not None:
            return qualified
    return name


class StackWalker:
    """Turns a thread's top frame into a shared :data:`Stack`; used by the sampler only.

    Not thread-safe: one sampler thread owns it.
    """

    __slots__ = ("_at", "_cwd", "_depth", "_options", "_records", "_stacks", "_walks")

    def __init__(self, options: Mapping[str, Any], depth: int = MAX_PROFILE_STACK_DEPTH) -> None:
        self._options = options
        self._depth = depth
        try:
            self._cwd = os.getcwd()
        except OSError:
            self._cwd = ""
        self._records: Dict[Tuple[int, Optional[int]], FrameRecord] = {}
        self._at: Dict[Tuple[int, int], FrameRecord] = {}
        """The same records by (code object, instruction offset): ``f_lineno`` walks the
        code's line table on every read (0.3 µs a frame, more for long functions),
        ``f_lasti`` is a field."""
        self._stacks: Dict[Stack, Stack] = {}
        self._walks: Dict[int, _Walk] = {}
        """Per thread: its last walk (see ``_Walk``)."""

    def forget(self) -> None:
        """Drop the frames kept from the last walks (sampling pauses)."""
        self._walks = {}

    def keep_only(self, idents: Container[int]) -> None:
        """Drop the last walks of threads that are gone (their frames with them)."""
        walks = self._walks
        for ident in [ident for ident in walks if ident not in idents]:
            del walks[ident]

    def thread_stack(self, ident: int, frame: FrameType, hold: bool = True) -> Stack:
        """The stack of a thread that moved since its last walk.

        Most of a busy thread's stack is the same from one tick to the next: the frames
        nearest the root (server, framework) wait in the same calls. The walk goes down
        from the leaf only until it meets a frame of the last walk at the same
        instruction; that frame and all below it are as they were (a live frame's
        callers do not change), so their records are taken from the last stack. The
        walk keeps its frames, so none is freed and its id reused; a generator or
        coroutine frame can be resumed from another caller and never ends the walk.

        ``hold=False`` (a thread that is busy) keeps only the frames met again, those
        that stayed put between two walks: a kept frame that returns makes CPython copy
        it, and every caller under it as they return, into heap frame objects, a cost
        the app thread pays on every request a tick saw (about 20 µs a request).
        """
        last = self._walks.get(ident) if shortcuts.enabled else None
        if last is not None:
            fresh: List[FrameType] = []
            positions: List[int] = []
            remaining = self._depth
            current: Optional[FrameType] = frame
            cut = -1  # leaf-first index in the last walk of the first frame met again
            last_frames, last_positions, _, index = last
            count = len(last_frames)
            while current is not None and remaining:
                position = current.f_lasti
                from_root = index.get(id(current))
                if from_root is not None:
                    i = count - 1 - from_root
                    if (
                        last_frames[i] is current
                        and last_positions[i] == position
                        and not current.f_code.co_flags & RESUMABLE
                    ):
                        cut = i
                        break
                fresh.append(current)
                positions.append(position)
                current = current.f_back
                remaining -= 1
            if cut >= 0:
                if len(fresh) + count - cut <= self._depth:
                    return self._reuse(ident, last, fresh, positions, cut, hold)
                fresh, positions = self._walk(frame)  # deeper than the limit: start over
            # else: no frame met again, and the loop walked the whole stack already
        else:
            fresh, positions = self._walk(frame)
        stack = self._shared(tuple(self._records_of(fresh)))
        if not hold:
            self._walks.pop(ident, None)
            return stack
        count = len(fresh)
        index = {id(f): count - 1 - i for i, f in enumerate(fresh)}
        self._remember(ident, (fresh, positions, stack, index))
        return stack

    def _reuse(
        self,
        ident: int,
        last: _Walk,
        fresh: List[FrameType],
        positions: List[int],
        cut: int,
        hold: bool,
    ) -> Stack:
        """The last walk's frames from ``cut`` down, under the ``fresh`` ones above them."""
        last_frames, last_positions, last_stack, index = last
        for gone in last_frames[:cut]:  # the last walk's top part, replaced by ``fresh``
            index.pop(id(gone), None)
        stack = self._shared(tuple(self._records_of(fresh)) + last_stack[cut:])
        if not hold:  # keep the part that stayed put (positions from the root unchanged)
            if cut:
                self._remember(
                    ident, (last_frames[cut:], last_positions[cut:], last_stack[cut:], index)
                )
            return stack
        kept = len(last_frames) - cut  # their positions from the root stay as they were
        for i, new in enumerate(fresh):
            index[id(new)] = kept + len(fresh) - 1 - i
        self._remember(
            ident, (fresh + last_frames[cut:], positions + last_positions[cut:], stack, index)
        )
        return stack

    def _remember(self, ident: int, walk: _Walk) -> None:
        if len(self._walks) >= MAX_WALKED_THREADS and ident not in self._walks:
            self._walks = {}
        self._walks[ident] = walk

    def _records_of(self, frames: List[FrameType]) -> List[FrameRecord]:
        out: List[FrameRecord] = []
        if not shortcuts.enabled:  # off: every frame's line read and looked up
            for frame in frames:
                out.append(self._record_of(frame, frame.f_code))
            return out
        at = self._at.get
        for frame in frames:
            code = frame.f_code
            record = at((id(code), frame.f_lasti))
            if record is None or record.code is not code:
                record = self._record_of(frame, code)
                at_offset = self._at
                if len(at_offset) >= MAX_PROFILED_FRAMES:
                    at_offset.clear()
                at_offset[(id(code), frame.f_lasti)] = record
            out.append(record)
        return out

    def _record_of(self, frame: FrameType, code: CodeType) -> FrameRecord:
        line = frame.f_lineno
        record = self._records.get((id(code), line))
        if record is None or record.code is not code:
            record = self._record(frame, code, line)
        return record

    def _shared(self, stack: Stack) -> Stack:
        stacks = self._stacks
        shared = stacks.get(stack)
        if shared is None:
            if len(stacks) >= MAX_PROFILED_STACKS:
                stacks.clear()
            shared = stacks[stack] = stack
        return shared

    def stack(self, frame: Optional[FrameType]) -> Stack:
        """The stack above ``frame`` (walked in full; see :meth:`thread_stack`)."""
        return self._shared(tuple(self._records_of(self._walk(frame)[0])))

    def _walk(self, frame: Optional[FrameType]) -> Tuple[List[FrameType], List[int]]:
        """The frames from ``frame`` down (at most the depth limit), with their offsets."""
        frames: List[FrameType] = []
        positions: List[int] = []
        remaining = self._depth
        while frame is not None and remaining:
            frames.append(frame)
            positions.append(frame.f_lasti)
            frame = frame.f_back
            remaining -= 1
        return frames, positions

    def _record(self, frame: FrameType, code: CodeType, line: Optional[int]) -> FrameRecord:
        try:
            module = frame.f_globals.get("__name__")
        except Exception:  # noqa: BLE001
            module = None
        path = code.co_filename
        json: Dict[str, Any] = {
            "abs_path": os.path.join(self._cwd, path),
            "module": module,
            "filename": filename_for_module(module, path) or None,
            "function": frame_name(frame),
            "lineno": line,
        }
        set_in_app_in_frames([json], self._options)
        record = FrameRecord(code, json)
        records = self._records
        if len(records) >= MAX_PROFILED_FRAMES:
            records.clear()
            self._at.clear()  # one record per (code, line), even across a reset
        records[(id(code), line)] = record
        return record
