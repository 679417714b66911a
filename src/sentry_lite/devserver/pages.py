"""Server-rendered HTML for the viewer: lists, the event page, the transaction waterfall.

Every value from an event is untrusted text and goes through :func:`esc`; the pages
carry no inline script, so the Content-Security-Policy can forbid it. The little
behaviour there is (live refresh, search as you type) lives in ``static/app.js``.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from html import escape
from typing import Any, Dict, Iterable, List, Optional, Tuple
from urllib.parse import quote

from sentry_lite.consts import VERSION
from sentry_lite.devserver.store import parse_timestamp

__all__ = [
    "esc",
    "event_page",
    "issue_page",
    "issues_page",
    "logs_page",
    "not_found_page",
    "other_page",
    "transactions_page",
]

MAX_RENDERED_JSON = 200_000
"""Characters of pretty-printed JSON shown for one value before it is cut."""
_LEVELS = ("fatal", "error", "warning", "info", "debug")


def esc(value: Any) -> str:
    return escape(value if isinstance(value, str) else str(value), quote=True)


def _pretty(value: Any) -> str:
    try:
        text = json.dumps(value, indent=2, ensure_ascii=False, default=str, sort_keys=False)
    except (ValueError, RecursionError):
        text = repr(value)
    if len(text) > MAX_RENDERED_JSON:
        text = text[:MAX_RENDERED_JSON] + "\n… (cut)"
    return text


def _value(value: Any) -> str:
    """A cell value: scalars inline, structures as pretty JSON."""
    if value is None:
        return '<span class="null">null</span>'
    if isinstance(value, bool):
        return f"<code>{'true' if value else 'false'}</code>"
    if isinstance(value, (int, float)):
        return f"<code>{esc(value)}</code>"
    if isinstance(value, str):
        return f'<code class="str">{esc(value)}</code>'
    return f'<pre class="json">{esc(_pretty(value))}</pre>'


def _when(ts: Optional[float], now: Optional[float] = None) -> str:
    """Relative time with the absolute UTC time as a tooltip; app.js keeps it fresh."""
    if ts is None:
        return ""
    absolute = datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    return (
        f'<time datetime="{esc(ts)}" title="{esc(absolute)}">'
        f"{esc(_ago(ts, now or time.time()))}</time>"
    )


def _ago(ts: float, now: float) -> str:
    delta = max(0.0, now - ts)
    if delta < 60:
        return f"{int(delta)}s ago"
    if delta < 3600:
        return f"{int(delta // 60)} min ago"
    if delta < 86400:
        return f"{int(delta // 3600)} h ago"
    return f"{int(delta // 86400)} d ago"


def _clock(ts: Any) -> str:
    """HH:MM:SS.mmm (UTC) for epoch seconds or an RFC 3339 string."""
    if isinstance(ts, str):
        parsed = parse_timestamp(ts, float("nan"))
        if parsed != parsed:  # NaN: not a timestamp we understand, show it as sent
            return esc(ts)
        ts = parsed
    if not isinstance(ts, (int, float)) or isinstance(ts, bool):
        return esc(ts or "")
    try:
        return datetime.fromtimestamp(ts, timezone.utc).strftime("%H:%M:%S.%f")[:-3]
    except (OverflowError, OSError, ValueError):
        return esc(ts)


def _level(level: Any) -> str:
    name = str(level or "info").lower()
    css = name if name in _LEVELS else "info"
    return f'<span class="level level-{css}">{esc(name)}</span>'


def _kv_table(data: Any, css: str = "kv") -> str:
    if not isinstance(data, dict) or not data:
        return _value(data) if data not in (None, {}, []) else ""
    rows = "".join(
        f'<tr><th scope="row">{esc(key)}</th><td>{_value(val)}</td></tr>'
        for key, val in data.items()
    )
    return f'<table class="{css}"><tbody>{rows}</tbody></table>'


def _section(title: str, body: str, anchor: str = "") -> str:
    if not body:
        return ""
    ident = f' id="{esc(anchor)}"' if anchor else ""
    return f'<section class="card"{ident}><h2>{esc(title)}</h2>{body}</section>'


# -- page frame ---------------------------------------------------------------------


class Frame:
    """What every page shares: where the server is, the counts in the tabs, the search."""

    def __init__(self, base_url: str, counts: Dict[str, int], dsn: str) -> None:
        self.base_url = base_url
        self.counts = counts
        self.dsn = dsn

    def render(
        self, title: str, body: str, *, tab: str = "", q: str = "", live: str = "list"
    ) -> str:
        tabs = [
            ("issues", "/", "Issues", self.counts.get("issues", 0)),
            ("transactions", "/transactions", "Transactions", self.counts.get("transactions", 0)),
            ("logs", "/logs", "Logs", self.counts.get("logs", 0)),
            ("other", "/other", "Other items", self.counts.get("other", 0)),
        ]
        nav = "".join(
            f'<a href="{href}" class="tab{" active" if key == tab else ""}" data-tab="{key}">'
            f'{label} <span class="count">{count}</span></a>'
            for key, href, label, count in tabs
        )
        action = {"transactions": "/transactions", "logs": "/logs", "other": "/other"}.get(tab, "/")
        return (
            "<!doctype html>\n"
            '<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(title)} · sentry-lite</title>"
            '<link rel="stylesheet" href="/static/style.css">'
            '<script src="/static/app.js" defer></script></head>'
            f'<body data-live="{esc(live)}">'
            '<header class="top"><a class="brand" href="/">sentry<span>-lite</span></a>'
            f'<nav class="tabs">{nav}</nav>'
            f'<form class="search" action="{action}" method="get" role="search">'
            f'<input type="search" name="q" value="{esc(q)}"'
            f' placeholder="Search {esc(tab or "issues")}…"'
            ' aria-label="Search" autocomplete="off"></form>'
            '<span id="live" class="live" title="live updates">live</span></header>'
            f'<main id="main">{body}</main>'
            f"<footer>sentry-lite {esc(VERSION)} · DSN <code>{esc(self.dsn)}</code></footer>"
            "</body></html>"
        )


def _empty(frame: Frame, what: str) -> str:
    snippet = (
        f'import sentry_lite  # or: import sentry_sdk\nsentry_lite.init(dsn="{frame.dsn}")\n1 / 0'
    )
    return (
        f'<div class="empty"><p>No {esc(what)} yet. Point any Sentry SDK at this server:</p>'
        f"<pre>{esc(snippet)}</pre>"
        "<p>SDKs started with <code>spotlight=True</code> reach it too.</p></div>"
    )


# -- lists --------------------------------------------------------------------------


def issues_page(frame: Frame, issues: List[Dict[str, Any]], q: str) -> str:
    now = time.time()
    if not issues:
        body = _empty(frame, "matching issues" if q else "issues")
    else:
        rows = "".join(
            "<tr>"
            f'<td class="main"><a class="issue-link" href="/issues/{esc(i["id"])}">'
            f'{esc(i["title"])}</a><div class="sub">{esc(i["culprit"] or "")}</div></td>'
            f"<td>{_level(i['level'])}</td>"
            f'<td class="num">{esc(i["count"])}</td>'
            f"<td>{_when(i['last_seen'], now)}</td>"
            f"<td>{_when(i['first_seen'], now)}</td>"
            "</tr>"
            for i in issues
        )
        body = (
            '<table class="list issues"><thead><tr><th>Issue</th><th>Level</th>'
            '<th class="num">Events</th><th>Last seen</th><th>First seen</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>"
        )
    return frame.render("Issues", body, tab="issues", q=q)


def transactions_page(frame: Frame, rows: List[Dict[str, Any]], q: str) -> str:
    now = time.time()
    if not rows:
        body = _empty(frame, "matching transactions" if q else "transactions")
    else:
        cells = "".join(
            "<tr>"
            f'<td class="main"><a href="/events/{esc(r["event_id"])}">{esc(r["title"])}</a>'
            f'<div class="sub">{esc(r["sdk"] or "")}</div></td>'
            f'<td class="num">{_ms(r["duration_ms"])}</td>'
            f"<td>{_when(r['received'], now)}</td>"
            "</tr>"
            for r in rows
        )
        body = (
            '<table class="list"><thead><tr><th>Transaction</th><th class="num">Duration</th>'
            f"<th>Received</th></tr></thead><tbody>{cells}</tbody></table>"
        )
    return frame.render("Transactions", body, tab="transactions", q=q)


def logs_page(frame: Frame, rows: List[Dict[str, Any]], q: str) -> str:
    if not rows:
        body = _empty(frame, "matching logs" if q else "logs")
    else:
        cells = "".join(
            "<tr>"
            f'<td class="mono">{_clock(r["timestamp"])}</td>'
            f"<td>{_level(r['level'])}</td>"
            f'<td class="main">{esc(r["body"])}'
            + (
                f"<details><summary>attributes</summary>{_kv_table(_attrs(r['attributes']))}"
                "</details>"
                if r["attributes"]
                else ""
            )
            + f'</td><td class="mono sub">{_trace_link(r["trace_id"])}</td></tr>'
            for r in rows
        )
        body = (
            '<table class="list logs"><thead><tr><th>Time (UTC)</th><th>Level</th>'
            f"<th>Message</th><th>Trace</th></tr></thead><tbody>{cells}</tbody></table>"
        )
    return frame.render("Logs", body, tab="logs", q=q)


def _trace_link(trace_id: Any) -> str:
    if not trace_id:
        return ""
    href = esc("/transactions?q=" + quote(str(trace_id), safe=""))
    return f'<a href="{href}" title="transactions in this trace">{esc(trace_id)}</a>'


def _attrs(attributes: Any) -> Any:
    """Log attributes arrive as ``{name: {"value": v, "type": t}}``; show just the values."""
    if not isinstance(attributes, dict):
        return attributes
    return {
        k: (v.get("value") if isinstance(v, dict) and "value" in v else v)
        for k, v in attributes.items()
    }


def other_page(frame: Frame, rows: List[Dict[str, Any]]) -> str:
    if not rows:
        body = _empty(frame, "sessions, client reports or attachments")
    else:
        cells = "".join(
            "<tr>"
            f'<td class="mono">{_clock(r["received"])}</td>'
            f'<td><span class="pill">{esc(r["type"])}</span></td>'
            f'<td class="num">{esc(r["size"])}</td>'
            f'<td class="main">'
            + (
                f"<details><summary>{esc((r['body'] or '')[:120])}</summary>"
                f'<pre class="json">{esc(_maybe_pretty(r["body"]))}</pre></details>'
                if r["body"]
                else '<span class="sub">binary</span>'
            )
            + "</td></tr>"
            for r in rows
        )
        body = (
            '<table class="list"><thead><tr><th>Received (UTC)</th><th>Type</th>'
            f'<th class="num">Bytes</th><th>Payload</th></tr></thead><tbody>{cells}</tbody></table>'
        )
    return frame.render("Other items", body, tab="other")


def _maybe_pretty(text: str) -> str:
    try:
        return _pretty(json.loads(text))
    except (ValueError, RecursionError):
        return text


def _ms(value: Any) -> str:
    if not isinstance(value, (int, float)):
        return ""
    return f"{value:,.1f} ms" if value < 10_000 else f"{value / 1000:,.2f} s"


# -- one issue / one event ----------------------------------------------------------


def issue_page(
    frame: Frame,
    issue: Dict[str, Any],
    events: List[Dict[str, Any]],
    latest: Optional[Dict[str, Any]],
) -> str:
    now = time.time()
    head = (
        f'<div class="crumbs"><a href="/">Issues</a>&nbsp;&rsaquo; issue {esc(issue["id"])}</div>'
        f'<h1>{esc(issue["title"])}</h1><div class="sub">{esc(issue["culprit"] or "")}</div>'
        f'<div class="chips">{_level(issue["level"])}'
        f'<span class="chip"><b>{esc(issue["count"])}</b> events</span>'
        f'<span class="chip">first seen {_when(issue["first_seen"], now)}</span>'
        f'<span class="chip">last seen {_when(issue["last_seen"], now)}</span></div>'
    )
    others = "".join(
        f'<li><a href="/events/{esc(e["event_id"])}">{esc(e["event_id"])}</a> '
        f'{_when(e["received"], now)} <span class="sub">{esc(e["sdk"] or "")}'
        f"{' · ' + esc(e['environment']) if e['environment'] else ''}</span></li>"
        for e in events
    )
    body = head + _section(f"Events ({len(events)} shown)", f'<ul class="events">{others}</ul>')
    if latest is not None:
        body += '<h2 class="divider">Latest event</h2>' + _event_body(latest, now)
    return frame.render(issue["title"], body, tab="issues", live="page")


def event_page(
    frame: Frame,
    row: Dict[str, Any],
    issue: Optional[Dict[str, Any]],
    same_trace: Optional[List[Dict[str, Any]]] = None,
) -> str:
    now = time.time()
    is_txn = row["kind"] == "transaction"
    crumbs = (
        '<a href="/transactions">Transactions</a>'
        if is_txn
        else '<a href="/">Issues</a>'
        + (
            f'&nbsp;&rsaquo; <a href="/issues/{esc(issue["id"])}">issue {esc(issue["id"])}</a>'
            if issue
            else ""
        )
    )
    culprit = row["culprit"] if row["culprit"] != row["title"] else ""
    head = (
        f'<div class="crumbs">{crumbs}&nbsp;&rsaquo; {esc(row["event_id"])}</div>'
        f'<h1>{esc(row["title"])}</h1><div class="sub">{esc(culprit or "")}</div>'
    )
    related = [e for e in same_trace or [] if e["event_id"] != row["event_id"]]
    links = "".join(
        f'<li><span class="pill">{esc(e["kind"])}</span> '
        f'<a href="/events/{esc(e["event_id"])}">{esc(e["title"])}</a></li>'
        for e in related
    )
    body = head + _event_body(row, now)
    if links:
        body += _section("Same trace", f'<ul class="related">{links}</ul>', "trace")
    return frame.render(row["title"], body, tab="transactions" if is_txn else "issues", live="page")


def _event_body(row: Dict[str, Any], now: float) -> str:
    event: Dict[str, Any] = row["body"] if isinstance(row["body"], dict) else {}
    chips = [_level(row["level"])] if row["kind"] != "transaction" else []
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
    chips.append(f'<span class="chip">received {_when(row["received"], now)}</span>')
    parts = [f'<div class="chips">{"".join(chips)}</div>']
    if row["kind"] == "transaction":
        parts.append(_section("Spans", _waterfall(event), "spans"))
    parts.append(_section("Message", _message(event), "message"))
    parts.append(_section("Exception", _exceptions(event), "exception"))
    parts.append(_section("Threads", _threads(event), "threads"))
    parts.append(_section("Breadcrumbs", _breadcrumbs(event), "breadcrumbs"))
    parts.append(_section("Request", _request(event.get("request")), "request"))
    parts.append(_section("User", _kv_table(event.get("user")), "user"))
    parts.append(_section("Tags", _tags(event.get("tags")), "tags"))
    parts.append(_section("Contexts", _contexts(event.get("contexts")), "contexts"))
    parts.append(_section("Measurements", _kv_table(event.get("measurements")), "measurements"))
    parts.append(_section("Extra", _kv_table(event.get("extra")), "extra"))
    parts.append(_section("SDK", _kv_table(event.get("sdk")), "sdk"))
    raw = (
        f'<details><summary>Show JSON (<a href="/json/events/{esc(row["event_id"])}">'
        f'open</a>)</summary><pre class="json">{esc(_pretty(event))}</pre></details>'
    )
    parts.append(_section("Raw event", raw, "raw"))
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
        out += f'<div class="sub">params</div>{_value(params)}'
    return out


def _list(value: Any) -> List[Any]:
    return value if isinstance(value, list) else []


def _values(container: Any) -> List[Dict[str, Any]]:
    if isinstance(container, dict):
        container = container.get("values")
    if not isinstance(container, list):
        return []
    return [v for v in container if isinstance(v, dict)]


def _exceptions(event: Dict[str, Any]) -> str:
    values = _values(event.get("exception"))
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
        body += f'<div class="vars-title">Local variables</div>{_kv_table(variables, "kv vars")}'
    if not body:
        body = '<div class="sub nosource">no source context</div>'
    css = "frame in-app" if in_app else "frame"
    return f'<details class="{css}"{" open" if open_ else ""}>{summary}{body}</details>'


def _source(frame: Dict[str, Any]) -> str:
    context = frame.get("context_line")
    if context is None:
        return ""
    lineno = frame.get("lineno")
    pre = [str(x) for x in _list(frame.get("pre_context")) if x is not None]
    post = [str(x) for x in _list(frame.get("post_context")) if x is not None]
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
    for thread in _values(event.get("threads")):
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
    crumbs = _values(event.get("breadcrumbs"))
    if not crumbs:
        return ""
    rows = "".join(
        "<tr>"
        f'<td class="mono">{_clock(c.get("timestamp"))}</td>'
        f"<td>{esc(c.get('category') or c.get('type') or '')}</td>"
        f"<td>{_level(c.get('level') or 'info')}</td>"
        f'<td class="main">{esc(c.get("message") or "")}'
        + (f"{_value(c['data'])}" if c.get("data") else "")
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
    return out + _kv_table(rest)


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
            f'<div class="context"><h3>{esc(name)}</h3>{_kv_table(value)}</div>'
            for name, value in contexts.items()
        )
        + "</div>"
    )


# -- transaction waterfall ----------------------------------------------------------


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
    spans = [s for s in _list(event.get("spans")) if isinstance(s, dict)]
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
            f'<div class="wf-dur">{_ms((s_end - s_start) * 1000)}</div></div>'
        )
    summary = (
        f'<div class="chips"><span class="chip">duration <b>{_ms(total * 1000)}</b></span>'
        f'<span class="chip">spans <b>{len(spans)}</b></span>'
        + (
            f'<span class="chip">trace <b>{esc(trace.get("trace_id"))}</b></span>'
            if trace.get("trace_id")
            else ""
        )
        + "</div>"
    )
    return summary + f'<div class="waterfall">{"".join(rows)}</div>'


def not_found_page(frame: Frame, what: str) -> str:
    return frame.render(
        "Not found",
        f'<div class="empty"><p>{esc(what)} not found.</p>'
        '<p><a href="/">Back to issues</a></p></div>',
    )
