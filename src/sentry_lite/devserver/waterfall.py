"""A transaction's spans as a waterfall: nested by parent, bars placed on one time axis,
failed spans in red. Bounded to :data:`MAX_RENDERED_SPANS` rows whatever the event holds."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from sentry_lite.devserver.limits import MAX_RENDERED_SPANS
from sentry_lite.devserver.markup import as_list, esc, ms, trace_link
from sentry_lite.devserver.store import parse_timestamp

__all__ = ["waterfall"]


def _num(value: Any) -> Optional[float]:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        parsed = parse_timestamp(value, float("nan"))
        return None if parsed != parsed else parsed
    return None


def _span_id(value: Any) -> Optional[str]:
    return value if isinstance(value, str) else None


def waterfall(event: Dict[str, Any]) -> str:
    contexts: Any = event.get("contexts")
    trace: Any = contexts.get("trace") if isinstance(contexts, dict) else None
    if not isinstance(trace, dict):
        trace = {}
    start = _num(event.get("start_timestamp"))
    end = _num(event.get("timestamp"))
    if start is None or end is None:
        return ""
    spans = [s for s in as_list(event.get("spans")) if isinstance(s, dict)]
    root_id = _span_id(trace.get("span_id"))
    root = {
        "span_id": root_id,
        "op": trace.get("op") or "transaction",
        "description": event.get("transaction"),
        "start_timestamp": start,
        "timestamp": end,
        "status": trace.get("status"),
    }
    for span in spans:
        s_end = _num(span.get("timestamp"))
        if s_end is not None and s_end > end:
            end = s_end
    total = max(end - start, 1e-9)
    children: Dict[Any, List[Dict[str, Any]]] = {}
    known = {_span_id(s.get("span_id")) for s in spans} | {root_id}
    for span in spans:
        parent = _span_id(span.get("parent_span_id"))
        children.setdefault(parent if parent in known else root_id, []).append(span)
    for group in children.values():
        group.sort(key=lambda s: _num(s.get("start_timestamp")) or start)
    ordered: List[Tuple[Dict[str, Any], int]] = []
    seen: set[int] = set()

    todo: List[Tuple[Dict[str, Any], int]] = [(root, 0)]
    while todo and len(ordered) < MAX_RENDERED_SPANS:  # depth-first, without recursion
        span, depth = todo.pop()
        if id(span) in seen:
            continue
        seen.add(id(span))
        ordered.append((span, depth))
        span_id = _span_id(span.get("span_id"))
        kids = children.get(span_id, []) if span_id else []
        todo.extend((child, min(depth + 1, 12)) for child in reversed(kids))
    for span in spans:  # anything unreachable (cycles, duplicate ids) still shows
        if len(ordered) >= MAX_RENDERED_SPANS:
            break
        if id(span) not in seen:
            ordered.append((span, 1))
            seen.add(id(span))
    hidden = len(spans) + 1 - len(ordered)
    rows = []
    for span, depth in ordered:
        s_start = _num(span.get("start_timestamp")) or start
        s_end = _num(span.get("timestamp")) or s_start
        left = max(0.0, min(100.0, (s_start - start) / total * 100))
        width = max(0.3, min(100.0 - left, (s_end - s_start) / total * 100))
        status = str(span.get("status") or "ok")
        bad = status not in ("ok", "unset", "")
        rows.append(
            f'<div class="wf-row{" bad" if bad else ""}">'
            f'<div class="wf-label" style="padding-left:{depth * 14 + 4}px">'
            f'<span class="op">{esc(span.get("op") or "")}</span> '
            f'<span class="desc">{esc(span.get("description") or "")}</span></div>'
            f'<div class="wf-track"><div class="wf-bar" style="left:{left:.3f}%;width:{width:.3f}%"'
            f' title="{esc(status)}"></div></div>'
            f'<div class="wf-dur">{ms((s_end - s_start) * 1000)}</div></div>'
        )
    summary = (
        f'<div class="chips"><span class="chip">duration <b>{ms(total * 1000)}</b></span>'
        f'<span class="chip">spans <b>{len(spans)}</b></span>'
        + (
            f'<span class="chip">trace <b>{trace_link(trace.get("trace_id"))}</b></span>'
            if trace.get("trace_id")
            else ""
        )
        + "</div>"
    )
    more = f'<div class="sub">{hidden:,} more spans not shown</div>' if hidden > 0 else ""
    return summary + f'<div class="waterfall">{"".join(rows)}</div>{more}'
