"""The body of one event page: exception chain with frames, source and locals,
breadcrumbs, request, user, tags, contexts, and a transaction's spans as a waterfall.

Events are whatever an SDK sent, so every accessor here tolerates any JSON shape.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional, Tuple

from sentry_lite.devserver.markup import (
    as_list,
    clock,
    esc,
    kv_table,
    level_badge,
    ms,
    pretty,
    section,
    value_html,
    values_of,
    when,
)
from sentry_lite.devserver.store import parse_timestamp

__all__ = ["event_body"]


def event_body(row: Dict[str, Any], now: float) -> str:
    event: Dict[str, Any] = row["body"] if isinstance(row["body"], dict) else {}
    chips = [level_badge(row["level"])] if row["kind"] != "transaction" else []
    for label, value in (
        ("event", row["event_id"]),
        ("platform", row.get("platform")),
        ("sdk", row.get("sdk")),
        ("environment", row.get("environment")),
        ("release", row.get("release")),
        ("server", event.get("server_name")),
        ("logger", event.get("logger")),
        ("transaction", event.get("transaction") if row["kind"] != "transaction" else None),
    ):
        if value:
            chips.append(f'<span class="chip">{esc(label)} <b>{esc(value)}</b></span>')
    chips.append(f'<span class="chip">received {when(row["received"], now)}</span>')
    parts = [f'<div class="chips">{"".join(chips)}</div>']
    if row["kind"] == "transaction":
        parts.append(section("Spans", _waterfall(event), "spans"))
    parts.append(section("Message", _message(event), "message"))
    parts.append(section("Exception", _exceptions(event), "exception"))
    parts.append(section("Threads", _threads(event), "threads"))
    parts.append(section("Breadcrumbs", _breadcrumbs(event), "breadcrumbs"))
    parts.append(section("Request", _request(event.get("request")), "request"))
    parts.append(section("User", kv_table(event.get("user")), "user"))
    parts.append(section("Tags", _tags(event.get("tags")), "tags"))
    parts.append(section("Contexts", _contexts(event.get("contexts")), "contexts"))
    parts.append(section("Measurements", kv_table(event.get("measurements")), "measurements"))
    parts.append(section("Extra", kv_table(event.get("extra")), "extra"))
    parts.append(section("SDK", kv_table(event.get("sdk")), "sdk"))
    raw = (
        f'<details><summary>Show JSON (<a href="/json/events/{esc(row["event_id"])}">'
        f'open</a>)</summary><pre class="json">{esc(pretty(event))}</pre></details>'
    )
    parts.append(section("Raw event", raw, "raw"))
    return "".join(parts)


def _message(event: Dict[str, Any]) -> str:
    logentry = event.get("logentry")
    text = ""
    params: Any = None
    if isinstance(logentry, dict):
        text = str(logentry.get("formatted") or logentry.get("message") or "")
        params = logentry.get("params")
    message = event.get("message")
    if not text and message:
        text = (
            str(message.get("formatted") or message.get("message") or "")
            if isinstance(message, dict)
            else str(message)
        )
    if not text:
        return ""
    out = f'<pre class="message">{esc(text)}</pre>'
    if params:
        out += f'<div class="sub">params</div>{value_html(params)}'
    return out


def _exceptions(event: Dict[str, Any]) -> str:
    values = values_of(event.get("exception"))
    if not values:
        return ""
    blocks = []
    for index, exc in enumerate(values):
        if index:
            source = _mechanism(values[index - 1]).get("source")
            if source in ("__cause__", "cause"):
                note = "The above exception was the direct cause of the following exception:"
            elif source == "__context__":
                note = "During handling of the above exception, another exception occurred:"
            else:
                note = "The above exception led to the following exception:"
            blocks.append(f'<p class="chain">{esc(note)}</p>')
        blocks.append(_exception(exc))
    return "".join(blocks)


def _mechanism(exc: Dict[str, Any]) -> Dict[str, Any]:
    mechanism = exc.get("mechanism")
    return mechanism if isinstance(mechanism, dict) else {}


def _exception(exc: Dict[str, Any]) -> str:
    kind = esc(exc.get("type") or "Error")
    module = exc.get("module")
    qualified = (
        f'<span class="sub">{esc(module)}.</span>' if module and module != "builtins" else ""
    )
    value = exc.get("value")
    mechanism = _mechanism(exc)
    chips = ""
    if mechanism:
        handled = mechanism.get("handled")
        if handled is not None:
            chips += (
                f'<span class="chip {"ok" if handled else "bad"}">'
                f"{'handled' if handled else 'unhandled'}</span>"
            )
        if mechanism.get("type"):
            chips += f'<span class="chip">mechanism <b>{esc(mechanism["type"])}</b></span>'
        if mechanism.get("is_exception_group"):
            chips += '<span class="chip">exception group</span>'
    head = (
        f'<h3 class="exc"><span class="exc-type">{qualified}{kind}</span>'
        + (f': <span class="exc-value">{esc(value)}</span>' if value not in (None, "") else "")
        + "</h3>"
    )
    return (
        f'<div class="exception">{head}<div class="chips">{chips}</div>'
        f"{_stacktrace(exc.get('stacktrace'))}</div>"
    )


def _stacktrace(stack: Any) -> str:
    frames = stack.get("frames") if isinstance(stack, dict) else None
    if not isinstance(frames, list) or not frames:
        return ""
    frames = [f for f in frames if isinstance(f, dict)]
    any_in_app = any(f.get("in_app") is True for f in frames)
    last_in_app = max(
        (i for i, f in enumerate(frames) if f.get("in_app") is True), default=len(frames) - 1
    )
    rendered = "".join(
        _frame(f, open_=(i == last_in_app) or (f.get("in_app") is True and any_in_app))
        for i, f in enumerate(frames)
    )
    return (
        '<div class="frames"><div class="sub">Traceback (most recent call last)</div>'
        f"{rendered}</div>"
    )


def _frame(frame: Dict[str, Any], open_: bool) -> str:
    filename = frame.get("filename") or frame.get("abs_path") or frame.get("module") or "?"
    function = frame.get("function") or "?"
    lineno = frame.get("lineno")
    in_app = frame.get("in_app") is True
    where = f'<span class="file">{esc(filename)}</span>'
    if lineno is not None:
        where += f':<span class="lineno">{esc(lineno)}</span>'
    summary = (
        f'<summary>{where} in <span class="fn">{esc(function)}</span>'
        + ('<span class="pill app">in app</span>' if in_app else "")
        + "</summary>"
    )
    body = _source(frame)
    variables = frame.get("vars")
    if isinstance(variables, dict) and variables:
        body += f'<div class="vars-title">Local variables</div>{kv_table(variables, "kv vars")}'
    if not body:
        body = '<div class="sub nosource">no source context</div>'
    css = "frame in-app" if in_app else "frame"
    return f'<details class="{css}"{" open" if open_ else ""}>{summary}{body}</details>'


def _source(frame: Dict[str, Any]) -> str:
    context = frame.get("context_line")
    if context is None:
        return ""
    lineno = frame.get("lineno")
    pre = [str(x) for x in as_list(frame.get("pre_context")) if x is not None]
    post = [str(x) for x in as_list(frame.get("post_context")) if x is not None]
    start = lineno - len(pre) if isinstance(lineno, int) and not isinstance(lineno, bool) else 1
    lines: List[Tuple[str, bool]] = [(x, False) for x in pre]
    lines.append((str(context), True))
    lines.extend((x, False) for x in post)
    current = ' class="current"'
    items = "".join(
        f'<li{current if cur else ""} value="{start + i}"><code>{esc(text)}</code></li>'
        for i, (text, cur) in enumerate(lines)
    )
    return f'<ol class="source">{items}</ol>'


def _threads(event: Dict[str, Any]) -> str:
    out = []
    for thread in values_of(event.get("threads")):
        stack = _stacktrace(thread.get("stacktrace"))
        if not stack:
            continue
        name = thread.get("name") or thread.get("id") or "thread"
        flags = " (crashed)" if thread.get("crashed") else ""
        out.append(f"<h3>{esc(name)}{esc(flags)}</h3>{stack}")
    stack = _stacktrace(event.get("stacktrace"))
    if stack:
        out.append(stack)
    return "".join(out)


def _breadcrumbs(event: Dict[str, Any]) -> str:
    crumbs = values_of(event.get("breadcrumbs"))
    if not crumbs:
        return ""
    rows = "".join(
        "<tr>"
        f'<td class="mono">{clock(c.get("timestamp"))}</td>'
        f"<td>{esc(c.get('category') or c.get('type') or '')}</td>"
        f"<td>{level_badge(c.get('level') or 'info')}</td>"
        f'<td class="main">{esc(c.get("message") or "")}'
        + (f"{value_html(c['data'])}" if c.get("data") else "")
        + "</td></tr>"
        for c in crumbs
    )
    return (
        '<table class="list crumbs-table"><thead><tr><th>Time (UTC)</th><th>Category</th>'
        f"<th>Level</th><th>Message</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _request(request: Any) -> str:
    if not isinstance(request, dict) or not request:
        return ""
    line = " ".join(str(x) for x in (request.get("method"), request.get("url")) if x)
    out = f'<pre class="message">{esc(line)}</pre>' if line else ""
    rest = {k: v for k, v in request.items() if k not in ("method", "url")}
    return out + kv_table(rest)


def _tags(tags: Any) -> str:
    if isinstance(tags, list):
        pairs: Iterable[Any] = tags
        tags = {str(p[0]): p[1] for p in pairs if isinstance(p, list) and len(p) == 2}
    if not isinstance(tags, dict) or not tags:
        return ""
    return (
        '<div class="tags">'
        + "".join(
            f'<span class="tag"><span class="k">{esc(k)}</span>'
            f'<span class="v">{esc(v)}</span></span>'
            for k, v in tags.items()
        )
        + "</div>"
    )


def _contexts(contexts: Any) -> str:
    if not isinstance(contexts, dict) or not contexts:
        return ""
    return (
        '<div class="contexts">'
        + "".join(
            f'<div class="context"><h3>{esc(name)}</h3>{kv_table(value)}</div>'
            for name, value in contexts.items()
        )
        + "</div>"
    )


def _num(value: Any) -> Optional[float]:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        parsed = parse_timestamp(value, float("nan"))
        return None if parsed != parsed else parsed
    return None


def _span_id(value: Any) -> Optional[str]:
    return value if isinstance(value, str) else None


def _waterfall(event: Dict[str, Any]) -> str:
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

    def walk(span: Dict[str, Any], depth: int) -> None:
        if id(span) in seen or len(ordered) > 2000:
            return
        seen.add(id(span))
        ordered.append((span, depth))
        span_id = _span_id(span.get("span_id"))
        for child in children.get(span_id, []) if span_id else []:
            walk(child, min(depth + 1, 12))

    walk(root, 0)
    for span in spans:  # anything unreachable (cycles, duplicate ids) still shows
        if id(span) not in seen:
            ordered.append((span, 1))
            seen.add(id(span))
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
            f'<span class="chip">trace <b>{esc(trace.get("trace_id"))}</b></span>'
            if trace.get("trace_id")
            else ""
        )
        + "</div>"
    )
    return summary + f'<div class="waterfall">{"".join(rows)}</div>'
