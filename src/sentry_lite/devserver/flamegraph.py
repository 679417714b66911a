"""A transaction's profile as a flame graph, for the viewer.

Plain functions from profile payloads to HTML, with no tie to the store or the page
layout, so any page can show one:

* :func:`call_tree` folds the samples of one thread (optionally within a time window)
  into a tree of calls weighted by samples. It reads both formats: a transaction's
  ``profile`` item (format "1", times in ns since the profile started) and continuous
  ``profile_chunk`` items (format "2", Unix times).
* :func:`flame_graph` draws a tree as rows of boxes, root on top (an icicle), a box as
  wide as its share of the samples; hovering shows the function, file, line and share.
* :func:`profile_section` picks what to show for a transaction event: its own profile,
  or the chunks of its continuous profiler over the transaction's time and thread.

The page stays script-free (the viewer's CSP forbids inline script): boxes are
positioned with inline styles, their details are ``title`` tooltips.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any, Dict, Iterable, List, Optional, Tuple

from sentry_lite.devserver.markup import esc, section

__all__ = ["Node", "call_tree", "flame_graph", "profile_section", "profiler_id_of"]

MAX_NODES = 5_000
"""Distinct call paths kept in a tree; the rest is counted under "(more)"."""
MIN_BOX_SHARE = 0.002
"""Boxes narrower than this share of the width are left out (too small to see)."""
MAX_DEPTH_SHOWN = 128
"""Rows drawn at most (the SDK keeps at most 128 frames per stack)."""
ROW_PX = 18


class Node:
    """One call path: ``name`` called through its parents, seen in ``count`` samples."""

    __slots__ = ("children", "count", "frame", "name")

    def __init__(self, name: str, frame: Optional[Dict[str, Any]] = None) -> None:
        self.name = name
        self.frame = frame or {}
        self.count = 0
        self.children: Dict[Tuple[Any, ...], Node] = {}


def _number(value: Any) -> Optional[float]:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _sample_time(payload: Dict[str, Any], sample: Dict[str, Any]) -> Optional[float]:
    """A sample's time in Unix seconds (format "1" is relative to the profile start)."""
    if "timestamp" in sample:
        return _number(sample.get("timestamp"))
    elapsed = _number(sample.get("elapsed_since_start_ns"))
    start = _unix(payload.get("timestamp"))
    if elapsed is None or start is None:
        return None
    return start + elapsed / 1e9


def _unix(value: Any) -> Optional[float]:
    number = _number(value)
    if number is not None:
        return number
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return None
    return None


def call_tree(
    payloads: Iterable[Dict[str, Any]],
    thread_id: Optional[str] = None,
    start: Optional[float] = None,
    end: Optional[float] = None,
) -> Node:
    """Fold the samples of ``thread_id`` (all threads if None) between ``start`` and
    ``end`` (Unix seconds, inclusive; None: unbounded) into a call tree."""
    root = Node("all samples")
    nodes = 1
    for payload in payloads:
        profile = payload.get("profile") if isinstance(payload, dict) else None
        if not isinstance(profile, dict):
            continue
        frames = profile.get("frames") or []
        stacks = profile.get("stacks") or []
        for sample in profile.get("samples") or []:
            if not isinstance(sample, dict):
                continue
            if thread_id is not None and str(sample.get("thread_id")) != thread_id:
                continue
            if start is not None or end is not None:
                when = _sample_time(payload, sample)
                if when is None or (start is not None and when < start):
                    continue
                if end is not None and when > end:
                    continue
            stack_id = sample.get("stack_id")
            if not isinstance(stack_id, int) or not 0 <= stack_id < len(stacks):
                continue
            node = root
            node.count += 1
            for index in reversed(stacks[stack_id]):  # stacks are leaf first
                if not isinstance(index, int) or not 0 <= index < len(frames):
                    continue
                frame = frames[index] if isinstance(frames[index], dict) else {}
                key: Tuple[Any, ...] = (
                    frame.get("function"),
                    frame.get("module"),
                    frame.get("abs_path"),
                )
                child = node.children.get(key)
                if child is None:
                    if nodes >= MAX_NODES:
                        key = ("(more)",)
                        child = node.children.get(key)
                    if child is None:
                        child = Node(str(key[0] or "?"), frame if len(key) > 1 else None)
                        node.children[key] = child
                        nodes += 1
                child.count += 1
                node = child
    return root


def _color(frame: Dict[str, Any]) -> str:
    """Warm hues for the app's code, cool ones for libraries; stable per module."""
    module = str(frame.get("module") or frame.get("abs_path") or "")
    hue = int(hashlib.md5(module.encode(), usedforsecurity=False).hexdigest()[:4], 16) % 40
    if frame.get("in_app") is False or "-packages" in str(frame.get("abs_path") or ""):
        return f"hsl({190 + hue}, 45%, 72%)"
    return f"hsl({10 + hue}, 80%, 66%)"


def _boxes(node: Node, total: int, left: float, depth: int, out: List[str]) -> None:
    if depth >= MAX_DEPTH_SHOWN:
        return
    offset = left
    for child in sorted(node.children.values(), key=lambda n: -n.count):
        share = child.count / total
        if share >= MIN_BOX_SHARE:
            frame = child.frame
            where = frame.get("filename") or frame.get("abs_path") or ""
            line = frame.get("lineno")
            tip = f"{child.name}\n{where}{f':{line}' if line else ''}\n"
            tip += f"{child.count} samples, {share * 100:.1f}%"
            out.append(
                f'<div class="fg-box" title="{esc(tip)}" style="left:{offset * 100:.3f}%;'
                f"width:{share * 100:.3f}%;top:{depth * ROW_PX}px;"
                f'background:{_color(frame)}">{esc(child.name)}</div>'
            )
            _boxes(child, total, offset, depth + 1, out)
        offset += share


def _depth(node: Node) -> int:
    return 1 + max((_depth(c) for c in node.children.values()), default=0)


def flame_graph(tree: Node) -> str:
    """The tree as HTML (an empty string for a tree without samples)."""
    if not tree.count:
        return ""
    boxes: List[str] = []
    _boxes(tree, tree.count, 0.0, 0, boxes)
    height = min(_depth(tree), MAX_DEPTH_SHOWN) * ROW_PX
    style = (
        "<style>.fg{position:relative;overflow:hidden;font:11px/18px monospace}"
        ".fg-box{position:absolute;height:17px;box-sizing:border-box;padding:0 3px;"
        "overflow:hidden;white-space:nowrap;text-overflow:ellipsis;border-right:1px solid "
        "#fff;color:#222;cursor:default}.fg-box:hover{filter:brightness(0.9)}</style>"
    )
    return (
        f'{style}<p class="sub">{tree.count} samples; root on top, each box as wide as its '
        f"share of the samples (hover for details).</p>"
        f'<div class="fg" style="height:{height}px">{"".join(boxes)}</div>'
    )


def _object(value: Any) -> Dict[str, Any]:
    return value if isinstance(value, dict) else {}


def profiler_id_of(event: Dict[str, Any]) -> Optional[str]:
    """The continuous profiler that sampled a transaction (``contexts.profile``)."""
    value = _object(_object(event.get("contexts")).get("profile")).get("profiler_id")
    return value if isinstance(value, str) and value else None


def _payloads(bodies: Iterable[Optional[str]]) -> List[Dict[str, Any]]:
    out = []
    for body in bodies:
        try:
            value = json.loads(body or "")
        except (ValueError, RecursionError):
            continue
        if isinstance(value, dict):
            out.append(value)
    return out


def profile_section(
    event: Dict[str, Any],
    profile_bodies: Iterable[Optional[str]],
    chunk_bodies: Iterable[Optional[str]],
) -> str:
    """The "Profile" section of a transaction's page ("" when nothing was profiled).

    ``profile_bodies``: ``profile`` items sent with the transaction; ``chunk_bodies``:
    ``profile_chunk`` items of the profiler named in ``contexts.profile.profiler_id``."""
    own = [p for p in _payloads(profile_bodies) if p.get("version") == "1"]
    if own:
        link = (own[0].get("transactions") or [{}])[0]
        thread = str(link.get("active_thread_id")) if link.get("active_thread_id") else None
        tree = call_tree(own, thread)
        title = "Profile (transaction profile, the transaction's thread)"
    else:
        data = _object(_object(_object(event.get("contexts")).get("trace")).get("data"))
        chunks = _payloads(chunk_bodies)
        if not chunks:
            return ""
        thread = str(data["thread.id"]) if data.get("thread.id") is not None else None
        start = _unix(event.get("start_timestamp"))
        end = _unix(event.get("timestamp"))
        tree = call_tree(chunks, thread, start, end)
        title = "Profile (continuous profiler, during this transaction on its thread)"
    graph = flame_graph(tree)
    return section(title, graph, "profile") if graph else ""
