"""The body of one event page: exception chain with frames, source and locals,
breadcrumbs, request, user, tags, contexts, and a transaction's spans as a waterfall.

Events are whatever an SDK sent, so every accessor here tolerates any JSON shape.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional, Tuple

from sentry_lite.devserver.editor import editor_link
from sentry_lite.devserver.limits import (
    MAX_CONTEXT_LINES,
    MAX_RENDERED_FRAMES,
    MAX_RENDERED_ROWS,
)
from sentry_lite.devserver.markup import (
    as_list,
    clock,
    esc,
    kv_table,
    level_badge,
    pretty,
    section,
    trace_link,
    value_html,
    values_of,
    when,
)
from sentry_lite.devserver.values import Budget
from sentry_lite.devserver.waterfall import waterfall

__all__ = ["event_body"]


def event_body(row: Dict[str, Any], now: float, editor: Optional[str] = None) -> str:
    event: Dict[str, Any] = row["body"] if isinstance(row["body"], dict) else {}
    chips = [level_badge(row["level"])] if row["kind"] != "transaction" else []
    if row.get("trace_id"):
        chips.append(f'<span class="chip">trace {trace_link(row["trace_id"])}</span>')
    if row.get("http_status"):
        chips.append(f'<span class="chip">HTTP <b>{esc(row["http_status"])}</b></span>')
    for label, value in (
        ("event", row["event_id"]),
        ("project", row.get("project")),
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
        parts.append(section("Spans", waterfall(event), "spans"))
    parts.append(section("Message", _message(event), "message"))
    parts.append(section("Exception", _exceptions(event, editor), "exception"))
    parts.append(section("Threads", _threads(event, editor), "threads"))
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


def _exceptions(event: Dict[str, Any], editor: Optional[str]) -> str:
    values = values_of(event.get("exception"))
    if not values:
        return ""
    budget = Budget()
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
        blocks.append(_exception(exc, editor, budget))
    return "".join(blocks)


def _mechanism(exc: Dict[str, Any]) -> Dict[str, Any]:
    mechanism = exc.get("mechanism")
    return mechanism if isinstance(mechanism, dict) else {}


def _exception(exc: Dict[str, Any], editor: Optional[str], budget: Budget) -> str:
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
        f"{_stacktrace(exc.get('stacktrace'), editor, budget)}</div>"
    )


def _stacktrace(stack: Any, editor: Optional[str], budget: Budget) -> str:
    frames = stack.get("frames") if isinstance(stack, dict) else None
    if not isinstance(frames, list) or not frames:
        return ""
    frames = [f for f in frames if isinstance(f, dict)]
    hidden = max(0, len(frames) - MAX_RENDERED_FRAMES)
    frames = frames[hidden:]  # the frames nearest the crash are the ones kept
    any_in_app = any(f.get("in_app") is True for f in frames)
    last_in_app = max(
        (i for i, f in enumerate(frames) if f.get("in_app") is True), default=len(frames) - 1
    )
    rendered = "".join(
        _frame(f, (i == last_in_app) or (f.get("in_app") is True and any_in_app), editor, budget)
        for i, f in enumerate(frames)
    )
    more = f'<div class="sub">{hidden:,} older frames not shown</div>' if hidden else ""
    return (
        '<div class="frames"><div class="sub">Traceback (most recent call last)</div>'
        f"{more}{rendered}</div>"
    )


def _frame(frame: Dict[str, Any], open_: bool, editor: Optional[str], budget: Budget) -> str:
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
        + (editor_link(editor, frame) if in_app else "")
        + "</summary>"
    )
    body = _source(frame)
    variables = frame.get("vars")
    if isinstance(variables, dict) and variables:
        table = kv_table(variables, "kv vars", budget)
        body += f'<div class="vars-title">Local variables</div>{table}'
    if not body:
        body = '<div class="sub nosource">no source context</div>'
    css = "frame in-app" if in_app else "frame"
    return f'<details class="{css}"{" open" if open_ else ""}>{summary}{body}</details>'


def _source(frame: Dict[str, Any]) -> str:
    context = frame.get("context_line")
    if context is None:
        return ""
    lineno = frame.get("lineno")
    pre = [str(x) for x in as_list(frame.get("pre_context"))[-MAX_CONTEXT_LINES:] if x is not None]
    post = [str(x) for x in as_list(frame.get("post_context"))[:MAX_CONTEXT_LINES] if x is not None]
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


def _threads(event: Dict[str, Any], editor: Optional[str]) -> str:
    out = []
    budget = Budget()
    for thread in values_of(event.get("threads"))[:MAX_RENDERED_ROWS]:
        stack = _stacktrace(thread.get("stacktrace"), editor, budget)
        if not stack:
            continue
        name = thread.get("name") or thread.get("id") or "thread"
        flags = " (crashed)" if thread.get("crashed") else ""
        out.append(f"<h3>{esc(name)}{esc(flags)}</h3>{stack}")
    stack = _stacktrace(event.get("stacktrace"), editor, budget)
    if stack:
        out.append(stack)
    return "".join(out)


def _breadcrumbs(event: Dict[str, Any]) -> str:
    crumbs = values_of(event.get("breadcrumbs"))
    if not crumbs:
        return ""
    hidden = max(0, len(crumbs) - MAX_RENDERED_ROWS)
    crumbs = crumbs[hidden:]  # the latest, nearest the event
    budget = Budget()
    rows = "".join(
        "<tr>"
        f'<td class="mono">{clock(c.get("timestamp"))}</td>'
        f"<td>{esc(c.get('category') or c.get('type') or '')}</td>"
        f"<td>{level_badge(c.get('level') or 'info')}</td>"
        f'<td class="main">{esc(c.get("message") or "")}'
        + (f"{value_html(c['data'], budget)}" if c.get("data") else "")
        + "</td></tr>"
        for c in crumbs
    )
    more = f'<div class="sub">{hidden:,} older breadcrumbs not shown</div>' if hidden else ""
    return more + (
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
            for k, v in list(tags.items())[:MAX_RENDERED_ROWS]
        )
        + "</div>"
    )


def _contexts(contexts: Any) -> str:
    if not isinstance(contexts, dict) or not contexts:
        return ""
    budget = Budget()
    blocks = []
    for name, value in list(contexts.items())[:MAX_RENDERED_ROWS]:
        link = ""
        if isinstance(value, dict) and isinstance(value.get("trace_id"), str):
            link = f'<div class="sub">open {trace_link(value["trace_id"], "this trace")}</div>'
        blocks.append(
            f'<div class="context"><h3>{esc(name)}</h3>{link}{kv_table(value, budget=budget)}</div>'
        )
    return '<div class="contexts">' + "".join(blocks) + "</div>"
