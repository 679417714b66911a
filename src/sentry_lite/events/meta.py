"""The one place that knows the shape of an event's ``_meta`` annotations.

Relay reads ``event["_meta"]`` as a tree mirroring the event: every path segment is a
string (list indices too) and the annotation of a node lives under the key ``""``,
e.g. ``{"extra": {"foo": {"": {"rem": [["!limit", "x"]], "len": 4000}}}}``.
The serializer, the size trimmer and the scrubber all record their cuts through here.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Sequence, Tuple, Union

__all__ = [
    "FILTERED",
    "REM_FILTERED",
    "REM_LIMIT",
    "Segment",
    "annotate",
    "annotate_in",
    "flatten_path",
    "forget",
    "forget_list_item",
    "merge_meta",
    "meta_node",
    "note_filtered",
]

Segment = Union[str, int]

FILTERED = "[Filtered]"
"""The value the scrubber puts in place of a secret (same text as sentry_sdk)."""
REM_FILTERED: List[str] = ["!config", "s"]
"""Remark: substituted by a data-scrubbing rule (Relay's ``!config`` rule, type ``s``)."""
REM_LIMIT: List[str] = ["!limit", "x"]
"""Remark: removed because of a size/depth limit (Relay's ``!limit`` rule, type ``x``)."""


def meta_node(meta: Dict[str, Any], path: Iterable[Segment]) -> Dict[str, Any]:
    """Return the ``_meta`` subtree for ``path`` (created if missing) inside ``meta``."""
    node = meta
    for segment in path:
        key = str(segment)
        child = node.get(key)
        if not isinstance(child, dict):
            child = {}
            node[key] = child
        node = child
    return node


def annotate_in(meta: Dict[str, Any], path: Iterable[Segment], **note: Any) -> None:
    """Add ``note`` to the annotation of ``path`` in a ``_meta`` tree.

    ``rem`` remarks are appended (a value can be cut and then filtered); other keys
    (``len``) keep the first value recorded, which is the original size.
    """
    node = meta_node(meta, path)
    current = node.get("")
    if not isinstance(current, dict):
        current = {}
        node[""] = current
    for key, value in note.items():
        if key == "rem":
            remarks = current.get("rem")
            if not isinstance(remarks, list):
                remarks = []
                current["rem"] = remarks
            for remark in value:
                if remark not in remarks:
                    remarks.append(list(remark))
        elif key not in current:
            current[key] = value


def annotate(event: Dict[str, Any], path: Sequence[Segment], **note: Any) -> None:
    """Record ``note`` for ``path`` in ``event["_meta"]`` (created if missing)."""
    meta = event.get("_meta")
    if not isinstance(meta, dict):
        meta = {}
        event["_meta"] = meta
    annotate_in(meta, path, **note)


def note_filtered(event: Dict[str, Any], path: Sequence[Segment]) -> None:
    """The value at ``path`` was replaced by ``[Filtered]``: its annotation becomes that
    remark alone, as sentry_sdk's scrubber replaces the value with a new annotated one
    (an integration's "removed" note for a header it emptied does not stay beside it)."""
    meta = event.get("_meta")
    if not isinstance(meta, dict):
        meta = {}
        event["_meta"] = meta
    meta_node(meta, path)[""] = {"rem": [list(REM_FILTERED)]}


def merge_meta(into: Dict[str, Any], other: Dict[str, Any]) -> Dict[str, Any]:
    """Merge the ``_meta`` tree ``other`` into ``into`` (in place) and return ``into``."""
    for key, value in other.items():
        if not isinstance(value, dict):
            continue
        if key == "":
            annotate_in(into, (), **value)
        else:
            child = into.get(key)
            if not isinstance(child, dict):
                child = {}
                into[key] = child
            merge_meta(child, value)
    return into


def _existing(event: Dict[str, Any], path: Sequence[Segment]) -> Any:
    node: Any = event.get("_meta")
    for segment in path:
        if not isinstance(node, dict):
            return None
        node = node.get(str(segment))
    return node if isinstance(node, dict) else None


def forget(event: Dict[str, Any], path: Sequence[Segment]) -> None:
    """Drop the notes at and below ``path``: the value there was removed as a whole."""
    if not path:
        return
    parent = _existing(event, path[:-1])
    if parent is not None:
        parent.pop(str(path[-1]), None)


def forget_list_item(event: Dict[str, Any], path: Sequence[Segment], index: int) -> None:
    """Drop the notes of item ``index`` of the list at ``path`` and renumber later items."""
    node = _existing(event, path)
    if node is None:
        return
    node.pop(str(index), None)
    later = sorted(int(key) for key in node if key.isdigit() and int(key) > index)
    for position in later:
        node[str(position - 1)] = node.pop(str(position))


def flatten_path(path: Tuple[Any, ...]) -> List[Segment]:
    """A path built as nested ``(parent, key)`` pairs during a walk (cheap to extend,
    made into a list only for a note), ending in ``(list_of_segments,)``, as a flat list."""
    out: List[Segment] = []
    node: Any = path
    while len(node) == 2:
        node, key = node
        out.append(key)
    out.extend(reversed(node[0]))
    out.reverse()
    return out
