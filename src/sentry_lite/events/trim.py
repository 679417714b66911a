"""Keep a serialized event under the ingest size limit, cutting the least useful parts first.

Why: Relay refuses an event over 1 MiB outright, so an oversized event would be lost.
Instead we cut in a fixed order (see docs/serializer.md) and record each cut in
``_meta`` so Sentry shows that data was removed:

1. ``vars`` of stack frames, outermost frames first, except each trace's innermost frame;
2. breadcrumbs, oldest first;
3. long strings in extra, contexts, request, user, tags, breadcrumbs, span data and the
   remaining (innermost) frame vars, longest first;
4. source context (``pre_context``/``post_context``) of frames, outermost first;
5. frames from the middle of each stack trace (the outermost and innermost stay);
6. spans, newest first;
7. the innermost frames' ``vars``;
8. any remaining long string anywhere, then whole optional sections;
9. last resort: a skeleton keeping identity fields and the exception type/value.

The input is an already serialized (JSON-safe) event; sizes are measured on the compact
UTF-8 JSON encoding that the envelope writes.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

from sentry_lite.events.meta import REM_LIMIT, Segment, annotate, forget, forget_list_item
from sentry_lite.events.stacks import stacktraces
from sentry_lite.limits import MAX_MEASURES
from sentry_lite.transport.wire import compact_json

__all__ = ["TRIM_STRING_BYTES", "encoded_size", "trim_event"]

TRIM_STRING_BYTES = 1024
"""Step 3 cuts strings longer than this in the data sections to this many bytes."""
LAST_STRING_BYTES = 256
"""Step 7 cuts every remaining string longer than this."""
MIN_STRING_SAVING = 128
"""A string is only cut if that saves this much more than the note it adds costs."""
KEEP_OUTER_FRAMES = 5
"""Step 5 keeps this many outermost frames of each stack trace ..."""
KEEP_INNER_FRAMES = 10
"""... and this many innermost frames."""
SKELETON_KEYS = (
    "event_id",
    "timestamp",
    "platform",
    "level",
    "logger",
    "release",
    "environment",
    "dist",
    "server_name",
    "transaction",
    "type",
    "sdk",
)
"""Step 8 keeps these top-level fields (plus a stripped exception and message)."""
_DATA_SECTIONS = ("extra", "contexts", "request", "user", "tags", "breadcrumbs", "spans")

REM_LIMIT_LIST = [REM_LIMIT]

Cut = Callable[[], int]
"""Applies one cut to the event and returns an estimate of the bytes saved."""


def encoded_size(value: Any) -> int:
    """Bytes of ``value`` as the envelope encodes it (compact JSON, UTF-8)."""
    return len(compact_json(value).encode("utf-8", "replace"))


def trim_event(event: Dict[str, Any], budget: int) -> Dict[str, Any]:
    """Return ``event`` cut (in place) to at most ``budget`` encoded bytes, cuts in ``_meta``.

    ``event`` must already be JSON-safe (the output of ``serialize_event``). Budgets below
    a few hundred bytes may end with an event holding only its ``event_id``.
    """
    try:
        size = encoded_size(event)
    except Exception:
        return _skeleton(event, budget)
    if size <= budget:
        return event
    try:
        for step in (
            _frame_vars,
            _breadcrumbs,
            _data_strings,
            _frame_context,
            _middle_frames,
            _spans,
            _inner_frame_vars,
            _any_strings,
            _sections,
        ):
            size = _run(event, step(event), size, budget)
            if size <= budget:
                return event
    except Exception:
        pass
    return _skeleton(event, budget)


def _run(event: Dict[str, Any], cuts: Iterator[Cut], size: int, budget: int) -> int:
    """Apply cuts until the estimate fits, then re-measure exactly; repeat while over.

    Estimates can be optimistic (a cut adds a ``_meta`` note), so the exact size is
    re-measured, but at most ``MAX_MEASURES`` times per step to keep trimming linear.
    """
    estimate = size
    measures = 0
    for cut in cuts:
        estimate -= cut()
        if estimate <= budget and measures < MAX_MEASURES:
            measures += 1
            estimate = encoded_size(event)
            if estimate <= budget:
                return estimate
    return encoded_size(event)


# -- where things live -----------------------------------------------------------------


def _frames(event: Dict[str, Any]) -> List[Tuple[List[Segment], Dict[str, Any], int]]:
    """All frames as (path, frame, distance from the outermost frame), outermost first."""
    rows: List[Tuple[List[Segment], Dict[str, Any], int]] = []
    for path, trace in stacktraces(event):
        frames = trace.get("frames")
        if not isinstance(frames, list):
            continue
        for index, frame in enumerate(frames):
            if isinstance(frame, dict):
                # Rank by distance from the innermost frame, reversed: outermost first.
                rows.append(([*path, "frames", index], frame, len(frames) - 1 - index))
    rows.sort(key=lambda row: -row[2])
    return rows


def _drop_key(event: Dict[str, Any], holder: Dict[str, Any], key: str, path: List[Segment]) -> Cut:
    def cut() -> int:
        if key not in holder:
            return 0
        saved = encoded_size(holder[key]) + len(key) + 4
        del holder[key]
        forget(event, [*path, key])
        annotate(event, [*path, key], rem=[REM_LIMIT])
        return saved

    return cut


# -- the steps ------------------------------------------------------------------------


def _frame_vars(event: Dict[str, Any]) -> Iterator[Cut]:
    for path, frame, distance in _frames(event):
        if "vars" in frame and distance > 0:
            yield _drop_key(event, frame, "vars", path)


def _inner_frame_vars(event: Dict[str, Any]) -> Iterator[Cut]:
    for path, frame, _ in _frames(event):
        if "vars" in frame:
            yield _drop_key(event, frame, "vars", path)


def _breadcrumbs(event: Dict[str, Any]) -> Iterator[Cut]:
    crumbs = event.get("breadcrumbs")
    values = crumbs.get("values") if isinstance(crumbs, dict) else None
    if not isinstance(values, list) or not values:
        return
    total = len(values)

    def cut() -> int:
        if not values:
            return 0
        saved = encoded_size(values[0]) + 1
        del values[0]
        forget_list_item(event, ["breadcrumbs", "values"], 0)
        annotate(event, ["breadcrumbs"], len=total)
        return saved

    for _ in range(total):
        yield cut


def _strings(
    value: Any, path: List[Segment], limit: int, out: List[Tuple[int, List[Segment], Any, Any]]
) -> None:
    """Collect (size, path, holder, key) of strings longer than ``limit`` bytes."""
    stack: List[Tuple[Any, List[Segment]]] = [(value, path)]
    while stack:
        node, where = stack.pop()
        items: Any
        if isinstance(node, dict):
            items = node.items()
        elif isinstance(node, list):
            items = enumerate(node)
        else:
            continue
        for key, item in items:
            if isinstance(item, str):
                if len(item) > limit // 4:
                    size = len(item.encode("utf-8", "replace"))
                    if size > limit + MIN_STRING_SAVING:
                        out.append((size, [*where, key], node, key))
            elif isinstance(item, (dict, list)) and key != "_meta":
                stack.append((item, [*where, key]))


def _cut_strings(
    event: Dict[str, Any], roots: List[Tuple[Any, List[Segment]]], limit: int
) -> Iterator[Cut]:
    found: List[Tuple[int, List[Segment], Any, Any]] = []
    for value, path in roots:
        _strings(value, path, limit, found)
    found.sort(key=lambda row: -row[0])
    for size, path, holder, key in found:

        def cut(
            size: int = size, path: List[Segment] = path, holder: Any = holder, key: Any = key
        ) -> int:
            text = holder[key]
            if not isinstance(text, str):
                return 0
            kept = text.encode("utf-8", "replace")[: limit - 3].decode("utf-8", "ignore") + "..."
            holder[key] = kept
            annotate(event, path, len=size, rem=[["!limit", "x", limit - 3, limit]])
            return size - len(kept.encode("utf-8")) - 60 - len(str(path))

        yield cut


def _data_strings(event: Dict[str, Any]) -> Iterator[Cut]:
    roots: List[Tuple[Any, List[Segment]]] = [
        (event[name], [name]) for name in _DATA_SECTIONS if name in event
    ]
    roots += [
        (frame["vars"], [*path, "vars"]) for path, frame, _ in _frames(event) if "vars" in frame
    ]
    yield from _cut_strings(event, roots, TRIM_STRING_BYTES)


def _frame_context(event: Dict[str, Any]) -> Iterator[Cut]:
    for path, frame, _ in _frames(event):
        for key in ("pre_context", "post_context"):
            if key in frame:
                yield _drop_key(event, frame, key, path)


def _middle_frames(event: Dict[str, Any]) -> Iterator[Cut]:
    keep = KEEP_OUTER_FRAMES + KEEP_INNER_FRAMES
    for path, trace in stacktraces(event):
        frames = trace.get("frames")
        if not isinstance(frames, list) or len(frames) <= keep:
            continue
        total = len(frames)

        def cut(frames: List[Any] = frames, total: int = total, path: List[Segment] = path) -> int:
            if len(frames) <= keep:
                return 0
            middle = KEEP_OUTER_FRAMES + (len(frames) - keep) // 2
            saved = encoded_size(frames[middle]) + 1
            del frames[middle]
            forget_list_item(event, [*path, "frames"], middle)
            annotate(event, [*path, "frames"], len=total)
            return saved

        for _ in range(total - keep):
            yield cut


def _spans(event: Dict[str, Any]) -> Iterator[Cut]:
    spans = event.get("spans")
    if not isinstance(spans, list) or not spans:
        return
    total = len(spans)

    def cut() -> int:
        if not spans:
            return 0
        saved = encoded_size(spans[-1]) + 1
        spans.pop()
        forget_list_item(event, ["spans"], len(spans))
        annotate(event, ["spans"], len=total)
        return saved

    for _ in range(total):
        yield cut


def _any_strings(event: Dict[str, Any]) -> Iterator[Cut]:
    roots: List[Tuple[Any, List[Segment]]] = [
        (value, [name]) for name, value in event.items() if name != "_meta"
    ]
    yield from _cut_strings(event, roots, LAST_STRING_BYTES)


def _sections(event: Dict[str, Any]) -> Iterator[Cut]:
    for name in (
        "modules",
        "extra",
        "request",
        "breadcrumbs",
        "spans",
        "threads",
        "contexts",
        "user",
        "tags",
    ):
        yield _drop_key(event, event, name, [])
    for path, frame, _ in _frames(event):
        yield _drop_key(event, frame, "context_line", path)


def _stripped(value: Any, limit: int) -> Any:
    if isinstance(value, str) and len(value) > limit:
        return value[:limit]
    return value


def _skeleton(event: Any, budget: int) -> Dict[str, Any]:
    """The last resort: identity fields, exception type/value and message, nothing else.

    ``_meta`` is kept in full if it fits, else reduced to one note per removed section.
    """
    source: Dict[str, Any] = event if isinstance(event, dict) else {}
    try:
        out: Dict[str, Any] = {key: source[key] for key in SKELETON_KEYS if key in source}
        exception = source.get("exception")
        values = exception.get("values") if isinstance(exception, dict) else None
        if isinstance(values, list):
            keep = ("type", "value", "mechanism")
            out["exception"] = {
                "values": [
                    {key: _stripped(value[key], LAST_STRING_BYTES) for key in keep if key in value}
                    for value in values[-KEEP_INNER_FRAMES:]
                    if isinstance(value, dict)
                ]
            }
        for key in ("message", "logentry"):
            if key in source:
                out[key] = _stripped(source[key], LAST_STRING_BYTES)
        old_meta = source.get("_meta")
        old_meta = old_meta if isinstance(old_meta, dict) else {}
        removed = [key for key in source if key not in out and key != "_meta"]
        removed += [key for key in old_meta if key not in out and key not in removed]
        notes = {key: {"": {"rem": REM_LIMIT_LIST}} for key in removed}
        full = {key: value for key, value in old_meta.items() if key in out}
        full.update(notes)
        for meta in (full, notes, {}):
            candidate = dict(out)
            if meta:
                candidate["_meta"] = meta
            if encoded_size(candidate) <= budget:
                return candidate
    except Exception:
        pass
    minimal: Dict[str, Any] = {}
    event_id: Optional[Any] = source.get("event_id")
    if isinstance(event_id, str) and len(event_id) <= 64:
        minimal["event_id"] = event_id
        if encoded_size(minimal) > budget:
            minimal = {}
    return minimal
