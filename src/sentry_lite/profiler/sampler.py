"""One sample of every thread of the app: the work of a profiler tick.

Where the cost goes in sentry_sdk (about 54 µs per thread per tick, every thread, 101
times a second) and how this sampler avoids it:

* **Threads that did not move are not walked.** A thread whose top frame is the same
  frame object at the same instruction as on the last tick has the same stack: a function's
  frame cannot leave the top and come back without returning, and while it is on top
  its callers are suspended in their calls. The previous stack is reused (one
  identity and one integer comparison). Generator and coroutine frames are excepted:
  they can be resumed from another caller, so a thread whose top frame is one is walked.
  Knowing "the same frame object" means holding it, and a held frame that returns costs
  its thread a copy of it and of each caller (CPython moves them to the heap): so a
  thread is held only once it looked still (same frame id and instruction) for a tick;
  a busy thread is walked each tick and none of its moving frames is kept.
* **A tick where no thread moved is one comparison**: the threads' top frames (a dict
  compared in C) and their instruction offsets (a list) are those of the last tick, so
  the last sample is the sample.
* **A thread that moved has only its moved part walked in full**: the frames nearest
  the root that are the same frames at the same instructions as on its last walk keep
  their records (see ``StackWalker.thread_stack``).
* **Frames are looked up, not built**: a frame record per (code object, line) is made
  once and shared (see ``stacks.py``), and identical stacks are one shared tuple.
* **Our own threads are not sampled** (the sampler and the SDK's ``sentry_lite.*``
  threads): they are not the app's time.
* The walk stops at ``MAX_PROFILE_STACK_DEPTH`` frames from the leaf.

The reuse is a shortcut beside the full walk: ``shortcuts.disabled()`` walks every thread
on every tick (the differential test compares the two).

This holds a reference to each still thread's top frame between ticks (that is how "the
same frame" is known); :meth:`Sampler.reset` drops them when sampling pauses.
"""

from __future__ import annotations

import gc
import sys
import threading
from operator import attrgetter
from types import FrameType
from typing import Callable, Dict, List, Optional, Set, Tuple

from sentry_lite import shortcuts
from sentry_lite.limits import MAX_CACHED_THREAD_IDENTS, PROFILER_FREQUENCY
from sentry_lite.profiler.stacks import RESUMABLE, Stack, StackWalker

__all__ = ["OWN_THREAD_PREFIX", "Sample", "Sampler", "ThreadSample"]

OWN_THREAD_PREFIX = "sentry_lite."
"""Threads the SDK starts are named so; the sampler leaves them out."""

ThreadSample = Tuple[str, Stack]
"""(thread id as text, its stack)."""
Sample = Tuple[ThreadSample, ...]


_offset_of: Callable[[FrameType], int] = attrgetter("f_lasti")

_Last = Tuple[Optional[FrameType], int, ThreadSample, Tuple[int, int]]
"""Per thread at the last tick: its top frame if held (else None), that frame's
instruction offset, its sample, and (id of the top frame, offset), which tells a thread
that probably did not move without holding its frame."""


def frames_with_gc_paused() -> Dict[int, FrameType]:
    """``sys._current_frames()`` with the cyclic collector paused.

    Why: before CPython 3.12 it holds the interpreter's thread-list lock while it makes
    frame objects; a collection that starts there can free a thread-local, whose
    deallocation takes that lock again, and the process hangs (CPython gh-106883, fixed
    in 3.12 only). Seen here: a CI run hung on it. A collector someone else turned off
    stays off; one that another thread turns off during the call is turned back on.
    """
    if not gc.isenabled():
        return sys._current_frames()
    gc.disable()
    try:
        return sys._current_frames()
    finally:
        gc.enable()


read_frames: Callable[[], Dict[int, FrameType]] = (
    sys._current_frames if sys.version_info >= (3, 12) else frames_with_gc_paused
)
"""What the sampler reads the threads' frames with (safe on every supported Python)."""


class Sampler:
    """Samples the process's threads; owned by the profiler thread (not thread-safe)."""

    __slots__ = (
        "_current_frames",
        "_last",
        "_names",
        "_own",
        "_own_ident",
        "_still_frames",
        "_still_positions",
        "_still_sample",
        "_texts",
        "_ticks_to_refresh",
        "walker",
    )

    def __init__(
        self,
        walker: StackWalker,
        current_frames: Optional[Callable[[], Dict[int, FrameType]]] = None,
    ) -> None:
        self.walker = walker
        self._current_frames = current_frames or read_frames
        self._last: Dict[int, _Last] = {}
        self._texts: Dict[int, str] = {}
        self._names: Dict[str, str] = {}
        self._own: Set[int] = set()
        self._own_ident: Optional[int] = None
        self._ticks_to_refresh = 0
        self._still_frames: Optional[Dict[int, FrameType]] = None
        self._still_positions: List[int] = []
        self._still_sample: Sample = ()

    def set_own_ident(self, ident: int) -> None:
        """The ident of the thread that samples (left out of every sample)."""
        self._own_ident = ident
        self._own.add(ident)

    @property
    def thread_names(self) -> Dict[str, str]:
        """Thread id (text) -> name, for every thread seen; replaced, never mutated."""
        return self._names

    def sample(self) -> Sample:
        frames = self._current_frames()
        for ident in self._own:
            frames.pop(ident, None)
        self._ticks_to_refresh -= 1
        if self._ticks_to_refresh <= 0:
            self._refresh_threads()
        if not shortcuts.enabled:  # off: walk every thread
            self._last = {}
        elif frames == self._still_frames:  # no thread has a new top frame (C compares)
            positions = list(map(_offset_of, frames.values()))  # no Python frame per read
            if positions == self._still_positions:  # ... nor moved in it: the same sample
                return self._still_sample
        last = self._last
        fresh: Dict[int, _Last] = {}
        out: List[ThreadSample] = []
        positions = []
        own = self._own
        texts = self._texts
        all_held = True
        for ident, frame in frames.items():
            position = frame.f_lasti  # cheaper than f_lineno (no line table walk)
            positions.append(position)
            previous = last.get(ident)
            if previous is not None and previous[0] is frame and previous[1] == position:
                fresh[ident] = previous
                out.append(previous[2])
                continue
            text = texts.get(ident)
            if text is None:
                self._refresh_threads()
                own = self._own
                texts = self._texts
                if ident in own:
                    all_held = False  # ``frames`` holds it: no whole-sample reuse
                    continue
                text = texts.get(ident)
                if text is None:  # not a threading.Thread: known by its ident only
                    text = texts[ident] = str(ident)
            # A thread is held (its frames kept to know it by them next tick) once it
            # looks still: same top frame id and offset as last tick. A busy thread is
            # not: a held frame that returns costs the app a copy per frame (see
            # ``StackWalker.thread_stack``). Looks only: the id may be a new frame's.
            mark = (id(frame), position)
            hold = (
                previous is not None
                and previous[3] == mark
                and not frame.f_code.co_flags & RESUMABLE
            )
            pair = (text, self.walker.thread_stack(ident, frame, hold))
            all_held = all_held and hold
            fresh[ident] = (frame if hold else None, position, pair, mark)
            out.append(pair)
        if len(fresh) != len(last):  # a thread started or ended
            self.walker.keep_only(frames)
        self._last = fresh
        sample = tuple(out)
        self._still_frames = frames if all_held else None
        self._still_positions = positions
        self._still_sample = sample
        return sample

    def reset(self) -> None:
        """Forget the frames of the last tick (sampling pauses)."""
        self._last = {}
        self._still_frames = None
        self.walker.forget()

    def _refresh_threads(self) -> None:
        """Names and our own threads, from the threading module (about once a second)."""
        self._ticks_to_refresh = PROFILER_FREQUENCY
        own: Set[int] = set()
        if self._own_ident is not None:
            own.add(self._own_ident)
        texts: Dict[int, str] = {}
        # Threads that ended keep their names (a profile may still hold their samples),
        # until there are too many to remember.
        names = dict(self._names) if len(self._names) < MAX_CACHED_THREAD_IDENTS else {}
        try:
            threads = threading.enumerate()
        except Exception:  # noqa: BLE001
            threads = []
        for thread in threads:
            ident = thread.ident
            if ident is None:
                continue
            name = str(thread.name)
            if name.startswith(OWN_THREAD_PREFIX):
                own.add(ident)
                continue
            text = str(ident)
            texts[ident] = text
            names[text] = name
        self._own = own
        self._texts = texts
        self._names = names
