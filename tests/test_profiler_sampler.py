"""The sampler's shortcuts against the plain walk, and its frame data against sentry_sdk's."""

from __future__ import annotations

import gc
import os
import sys
import threading
from types import FrameType
from typing import Any, Dict, Generator, Iterator, List, Optional

import pytest

from sentry_lite import shortcuts
from sentry_lite.profiler.sampler import Sampler
from sentry_lite.profiler.stacks import StackWalker

OPTIONS: Dict[str, Any] = {"in_app_include": [], "project_root": os.getcwd()}


def names(stack: Any) -> List[str]:
    return [record.json["function"] for record in stack]


class CountingWalker(StackWalker):
    def __init__(self) -> None:
        super().__init__(OPTIONS)
        self.walks = 0
        self.walked: List[int] = []

    def stack(self, frame: Optional[FrameType]) -> Any:
        self.walks += 1
        return super().stack(frame)

    def thread_stack(self, ident: int, frame: FrameType, hold: bool = True) -> Any:
        self.walks += 1
        self.walked.append(ident)
        return super().thread_stack(ident, frame, hold)


def test_frame_records_match_sentry_sdk() -> None:
    from sentry_sdk._lru_cache import LRUCache
    from sentry_sdk.profiler.utils import extract_stack

    class Holder:
        def method(self) -> FrameType:
            return sys._getframe()  # a frame that has returned: its lines stay put

    frame = Holder().method()
    cache, cwd = LRUCache(max_size=256), os.getcwd()
    # One line, so the frames below (this test's own) are at the same line for both.
    ours, (_, _, theirs) = StackWalker(OPTIONS).stack(frame), extract_stack(frame, cache, cwd)
    assert ours[0].json["function"].endswith("Holder.method")
    assert [{k: r.json[k] for k in theirs[0]} for r in ours] == theirs


def test_deep_stack_keeps_the_leaf_end() -> None:
    def dive(depth: int) -> FrameType:
        return dive(depth - 1) if depth else sys._getframe()

    stack = StackWalker(OPTIONS).stack(dive(300))
    assert len(stack) == 128
    assert all(name.endswith("dive") for name in names(stack))
    assert stack[0].json["lineno"] == dive.__code__.co_firstlineno + 1  # the leaf


def test_records_and_stacks_are_shared() -> None:
    walker = StackWalker(OPTIONS)
    frame = sys._getframe()
    first, second = walker.stack(frame), walker.stack(frame)
    assert first is second


def test_threads_that_did_not_move_are_not_walked_and_ours_are_skipped() -> None:
    release = threading.Event()
    ready = threading.Barrier(3)

    def wait() -> None:
        ready.wait()
        release.wait()

    app = threading.Thread(target=wait, name="app-worker")
    ours = threading.Thread(target=wait, name="sentry_lite.worker")
    app.start()
    ours.start()
    ready.wait()
    try:
        walker = CountingWalker()
        sampler = Sampler(walker)
        sampler.set_own_ident(threading.get_ident())
        first = dict(sampler.sample())
        dict(sampler.sample())  # still since the first look: from now on known by its frames
        walker.walked.clear()
        third = dict(sampler.sample())
        assert str(app.ident) in first and str(ours.ident) not in first
        assert str(threading.get_ident()) not in first, "the sampling thread itself"
        assert third[str(app.ident)] is first[str(app.ident)]
        # (threads other tests left running may move, and be walked: only ours count)
        assert app.ident not in walker.walked, "it did not move: not walked again"
        assert sampler.thread_names[str(app.ident)] == "app-worker"
        with shortcuts.disabled():
            sampler.sample()
        assert app.ident in walker.walked
    finally:
        release.set()
        app.join()
        ours.join()


def test_generator_resumed_from_another_caller_is_walked_again() -> None:
    """A generator's frame can be on top on two ticks at the same line with different
    callers; reusing the last stack would be wrong. The shortcut and the plain walk agree."""
    results: Dict[bool, List[List[str]]] = {True: [], False: []}
    for enabled in (True, False):
        results[enabled] = _resume_from_two_callers(enabled)
    assert results[True] == results[False]
    assert [r[1].split(".")[-1] for r in results[True]] == ["caller_a", "caller_b", "caller_a"]


def _resume_from_two_callers(enabled: bool) -> List[List[str]]:
    seen: List[List[str]] = []
    top: List[FrameType] = []
    sampler = Sampler(StackWalker(OPTIONS), current_frames=lambda: {1: top[0]})

    def gen() -> Generator[None, None, None]:
        top[:] = [sys._getframe()]
        while True:
            seen.append(names(dict(sampler.sample())["1"])[:2])
            yield

    def caller_a(g: Any) -> None:
        next(g)

    def caller_b(g: Any) -> None:
        next(g)

    shortcuts.set_enabled(enabled)
    try:
        g = gen()
        caller_a(g)
        caller_b(g)
        caller_a(g)
    finally:
        shortcuts.set_enabled(True)
    return seen


class RecordingWalker(StackWalker):
    """Counts the frames whose records are looked up (not reused from the last walk)."""

    def __init__(self) -> None:
        super().__init__(OPTIONS)
        self.looked_up = 0

    def _records_of(self, frames: Any) -> Any:
        self.looked_up += len(frames)
        return super()._records_of(frames)


def _names(stack: Any) -> List[str]:
    return [record.json["function"].rsplit(".", 1)[-1] for record in stack]


def test_a_thread_that_moved_reuses_the_unchanged_root_part_of_its_stack() -> None:
    walker = RecordingWalker()
    first = walker.thread_stack(1, sys._getframe())
    full = walker.looked_up
    frame = sys._getframe()
    second = walker.thread_stack(1, frame)  # same frames, the top one moved
    assert walker.looked_up == full + 1
    assert second[1:] == first[1:]
    assert second[0].json["lineno"] != first[0].json["lineno"]
    walked = StackWalker(OPTIONS).stack(frame)  # as a full walk sees it
    assert [r.json for r in second[1:]] == [r.json for r in walked[1:]]


def test_a_generator_resumed_from_another_caller_is_walked_again() -> None:
    """Same generator frame at the same instruction, under a different caller: the
    caller's frame differs, so nothing above it is reused."""
    walker = RecordingWalker()

    def steps() -> Iterator[Any]:
        while True:
            yield walker.thread_stack(1, sys._getframe())

    def caller_a(gen: Iterator[Any]) -> Any:
        return next(gen)

    def caller_b(gen: Iterator[Any]) -> Any:
        return next(gen)

    gen = steps()
    via_a = caller_a(gen)
    via_b = caller_b(gen)
    assert _names(via_a)[:2] == ["steps", "caller_a"]
    assert _names(via_b)[:2] == ["steps", "caller_b"]
    assert via_b[3:] == via_a[3:]  # [2] is this test, at another line
    with shortcuts.disabled():  # the full walk agrees
        assert _names(caller_b(gen))[:2] == ["steps", "caller_b"]


def test_threads_are_read_with_the_collector_paused_before_python_3_12(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # CPython before 3.12 can deadlock when a collection starts inside
    # sys._current_frames (gh-106883); a CI run hung on it in the profiler's thread.
    from sentry_lite.profiler import sampler as sampler_module

    seen: List[bool] = []

    def frames() -> Dict[int, Any]:
        seen.append(gc.isenabled())
        return {}

    monkeypatch.setattr(sys, "_current_frames", frames)
    was_enabled = gc.isenabled()
    try:
        gc.enable()
        sampler_module.frames_with_gc_paused()
        assert gc.isenabled()  # turned back on
        gc.disable()
        sampler_module.frames_with_gc_paused()
        assert not gc.isenabled()  # someone else's "off" is kept
    finally:
        if was_enabled:
            gc.enable()
    assert seen == [False, False]
    if sys.version_info < (3, 12):
        assert sampler_module.read_frames is sampler_module.frames_with_gc_paused
        Sampler(StackWalker(OPTIONS)).sample()  # the default reads through it
        assert seen == [False, False, False]


class LineCountingFrame:
    """A frame's fields as the walker reads them, counting reads of ``f_lineno`` (which
    walks the code's line table each time on a real frame)."""

    def __init__(self, frame: FrameType, back: Optional[LineCountingFrame], reads: List[int]):
        self.f_code, self.f_lasti, self.f_globals = frame.f_code, frame.f_lasti, frame.f_globals
        self.f_back, self._line, self._reads = back, frame.f_lineno, reads

    @property
    def f_lineno(self) -> int:
        self._reads.append(1)
        return self._line


def _counting_stack(frame: FrameType, reads: List[int]) -> Any:
    """The stack above ``frame`` as it is now, in counting stand-ins."""
    frames = []
    current: Optional[FrameType] = frame
    while current is not None:
        frames.append(current)
        current = current.f_back
    top: Optional[LineCountingFrame] = None
    for real in reversed(frames):
        top = LineCountingFrame(real, top, reads)
    return top


def test_a_frame_seen_at_the_same_instruction_is_not_read_for_its_line_again() -> None:
    reads: List[int] = []
    walker = StackWalker(OPTIONS)
    snapshot = _counting_stack(sys._getframe(), reads)  # positions fixed from here on
    first = walker.stack(snapshot)
    read_once = len(reads)
    assert 0 < read_once <= len(first)  # (pytest's own recursion repeats some)
    assert walker.stack(snapshot) is first
    assert len(reads) == read_once  # no line-table walk the second time
    with shortcuts.disabled():  # the plain path reads every line, and agrees
        assert walker.stack(snapshot) is first
    assert len(reads) == read_once + len(first)


def test_one_record_per_code_and_line_whatever_the_instruction() -> None:
    def frames_at_two_offsets() -> Iterator[FrameType]:
        frame = sys._getframe()
        _ = (yield frame), (yield frame)  # one line, two instruction offsets

    walker = StackWalker(OPTIONS)
    gen = frames_at_two_offsets()
    frame = next(gen)
    first_offset, at_first = frame.f_lasti, walker.stack(frame)
    next(gen)
    assert frame.f_lasti != first_offset
    assert walker.stack(frame)[0] is at_first[0]  # one shared record for the line


def _frame_of_a_call() -> FrameType:
    return sys._getframe()  # a new frame object on each call (one that has returned)


def test_a_thread_seen_in_a_new_frame_has_none_of_its_frames_kept() -> None:
    """A held frame that returns costs the app thread a copy of it and of each caller as
    they return: a busy thread (new top frame each tick) is sampled without holding."""
    a, b = _frame_of_a_call(), _frame_of_a_call()
    base_a, base_b = sys.getrefcount(a), sys.getrefcount(b)
    shown: Dict[int, FrameType] = {1: a}
    sampler = Sampler(StackWalker(OPTIONS), lambda: dict(shown))
    moved = sampler.sample()
    assert sys.getrefcount(a) == base_a + 1, "first look: not held (``shown`` holds it)"
    shown[1] = b
    sampler.sample()
    assert sys.getrefcount(a) == base_a and sys.getrefcount(b) == base_b + 1
    with shortcuts.disabled():
        assert _names(sampler.sample()[0][1]) == _names(moved[0][1])
    # Still (same frame and instruction as the tick before): now held, not walked again.
    walker = CountingWalker()
    sampler = Sampler(walker, lambda: dict(shown))
    sampler.sample()
    sampler.sample()
    assert sys.getrefcount(b) > base_b + 1
    walks = walker.walks
    sampler.sample()
    assert walker.walks == walks
    sampler.reset()
    assert sys.getrefcount(b) == base_b + 1


def test_a_busy_threads_walk_keeps_only_the_frames_that_stayed_put() -> None:
    walker = RecordingWalker()
    a = _frame_of_a_call()
    base_a = sys.getrefcount(a)
    walker.thread_stack(1, a)  # held (a thread looked still)
    assert sys.getrefcount(a) > base_a
    b = _frame_of_a_call()
    base_b = sys.getrefcount(b)
    full = walker.looked_up
    second = walker.thread_stack(1, b, hold=False)
    # looked up: the new frame and this test's (at another line); the rest was kept
    assert walker.looked_up == full + 2
    assert sys.getrefcount(a) == base_a and sys.getrefcount(b) == base_b
    third = walker.thread_stack(1, _frame_of_a_call(), hold=False)
    assert walker.looked_up == full + 4, "the part kept is used again"
    walked = StackWalker(OPTIONS).stack(b)  # [1] is this test, now at another line
    assert [r.json for r in second[:1] + second[2:]] == [r.json for r in walked[:1] + walked[2:]]
    assert third[2:] == second[2:]
    walker.thread_stack(2, b, hold=False)  # a first look, not held: nothing kept
    assert sys.getrefcount(b) == base_b


def test_each_open_profile_gets_each_tick_once_and_an_ended_one_is_let_go() -> None:
    from sentry_lite.profiler.engine import Engine

    class Sink:
        def __init__(self, ticks_wanted: int) -> None:
            self.wanted = ticks_wanted
            self.got = 0

        def add(self, tick: Any) -> bool:
            if self.got >= self.wanted:
                return False
            self.got += 1
            return True

    engine = Engine(Sampler(StackWalker(OPTIONS), lambda: {}))
    sinks = [Sink(5), Sink(2), Sink(5), Sink(1)]
    engine._pending.extend(sinks)
    for _ in range(4):
        engine.tick()
    assert [s.got for s in sinks] == [4, 2, 4, 1]
    assert engine._active == [sinks[0], sinks[2]]
