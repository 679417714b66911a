"""The ``profile`` object of both wire formats, built from ticks.

Both sentry_sdk formats carry the same four lists: ``frames`` (unique frame records),
``stacks`` (lists of frame indexes, leaf first), ``samples`` (one per thread per tick:
a time, the thread id as text and a stack index) and ``thread_metadata`` (thread id ->
name). They differ only in a sample's time field: ``elapsed_since_start_ns`` (a string
of nanoseconds since the profile started) in a transaction profile (format "1"), and
``timestamp`` (float Unix seconds) in a continuous profile chunk (format "2").

Frames and stacks are shared between ticks (see ``stacks.py``), so a stack is indexed
once per profile, looked up by identity after that.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Mapping, Sequence

from sentry_lite.profiler.engine import Tick

__all__ = ["build_profile"]


def build_profile(
    ticks: Sequence[Tick],
    time_field: str,
    time_of: Callable[[int], Any],
    thread_names: Mapping[str, str],
) -> Dict[str, Any]:
    """``{"frames", "stacks", "samples", "thread_metadata"}`` for ``ticks``; a sample's
    time is ``{time_field: time_of(tick_ns)}``."""
    frames: List[Dict[str, Any]] = []
    stacks: List[List[int]] = []
    samples: List[Dict[str, Any]] = []
    frame_index: Dict[int, int] = {}
    stack_index: Dict[int, int] = {}
    threads: Dict[str, Dict[str, str]] = {}
    append_sample = samples.append
    for ns, sample in ticks:
        when = time_of(ns)
        for thread_id, stack in sample:
            index = stack_index.get(id(stack))
            if index is None:
                indexes: List[int] = []
                for record in stack:
                    position = frame_index.get(id(record))
                    if position is None:
                        position = frame_index[id(record)] = len(frames)
                        frames.append(record.json)
                    indexes.append(position)
                index = stack_index[id(stack)] = len(stacks)
                stacks.append(indexes)
            if thread_id not in threads:
                name = thread_names.get(thread_id)
                threads[thread_id] = {"name": name} if name is not None else {}
            append_sample({time_field: when, "thread_id": thread_id, "stack_id": index})
    return {
        "frames": frames,
        "stacks": stacks,
        "samples": samples,
        "thread_metadata": threads,
    }
