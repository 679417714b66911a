"""One HTTP request to the local receiver: ingest, the viewer's pages, static files,
the JSON API and the Server-Sent Events streams.

Every handler answers from a ``try``: a bad request gets a 4xx, never a dead server.
"""

from __future__ import annotations

import ipaddress
import json
import re
import socket
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, Callable, Dict, Optional
from urllib.parse import parse_qs, unquote, urlsplit

from sentry_lite.devserver import pages
from sentry_lite.devserver.flamegraph import profile_section, profiler_id_of
from sentry_lite.devserver.ingest import (
    IngestError,
    read_body,
    route_ingest,
)
from sentry_lite.devserver.live import Listener

__all__ = ["ENVELOPE_TYPE", "Handler", "is_loopback"]

REQUEST_TIMEOUT = 30.0
"""Seconds a client may stall mid-request before its thread gives up on it."""
SHUTDOWN_POLL_SECONDS = 0.1
SSE_PING_SECONDS = 15.0
SSE_POLL_SECONDS = 0.5
ENVELOPE_TYPE = "application/x-sentry-envelope"

_STATIC_DIR = Path(__file__).with_name("static")
_STATIC_TYPES = {"style.css": "text/css; charset=utf-8", "app.js": "text/javascript; charset=utf-8"}
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
)
_CORS_HEADERS = (
    "Content-Type, Content-Encoding, X-Sentry-Auth, Authorization, sentry-trace, baggage"
)


def _profile_section(store: Any, row: Dict[str, Any]) -> str:
    """Issue 15: the flame graph beside a transaction (its profile or profiler's chunks)."""
    event = row["body"] if isinstance(row.get("body"), dict) else {}
    profiler_id = profiler_id_of(event)
    chunks = store.chunk_bodies(profiler_id) if profiler_id else []
    return profile_section(event, store.profile_bodies(row["event_id"]), chunks)


def is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sentry-lite-devserver"
    timeout = REQUEST_TIMEOUT
    server: Any

    def log_message(self, format: str, *args: Any) -> None:
        """Access logs are replaced by the one line per item the app prints."""

    @property
    def app(self) -> Any:
        """The DevServer (typed loosely: server.py imports this module)."""
        return self.server.app

    # -- plumbing ---------------------------------------------------------------
    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str,
        headers: Optional[Dict[str, str]] = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, data: Any, headers: Optional[Dict[str, str]] = None) -> None:
        body = json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")
        self._send(status, body, "application/json", headers)

    def _html(self, status: int, text: str) -> None:
        self._send(
            status,
            text.encode("utf-8", "replace"),
            "text/html; charset=utf-8",
            {
                "Content-Security-Policy": _CSP,
                "Referrer-Policy": "no-referrer",
                "Cache-Control": "no-store",
            },
        )

    def _host_allowed(self) -> bool:
        """With a loopback bind, pages answer only to loopback Host names: a web page
        that rebinds its own DNS name to 127.0.0.1 must not read your events."""
        if not self.app.loopback_only:
            return True
        host = self.headers.get("Host") or ""
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return is_loopback(name.lower())

    def _guard(self, method: Callable[[], None]) -> None:
        try:
            method()
        except (ConnectionError, TimeoutError, socket.timeout):
            self.close_connection = True
        except Exception as exc:
            self.close_connection = True
            self.app.refused(500, self.path, f"internal error: {exc!r}")
            try:
                self._json(500, {"detail": "internal error in sentry-lite devserver"})
            except OSError:
                pass

    # -- verbs ------------------------------------------------------------------
    def do_POST(self) -> None:
        self._guard(self._post)

    def do_PUT(self) -> None:
        self._guard(self._post)

    def do_GET(self) -> None:
        self._guard(self._get)

    def do_HEAD(self) -> None:
        self._guard(self._get)

    def do_DELETE(self) -> None:
        self._guard(self._delete)

    def do_OPTIONS(self) -> None:
        def preflight() -> None:
            self._send(
                204,
                b"",
                "text/plain",
                {
                    "Access-Control-Allow-Origin": "*",
                    "Access-Control-Allow-Methods": "POST, OPTIONS",
                    "Access-Control-Allow-Headers": _CORS_HEADERS,
                    "Access-Control-Max-Age": "3600",
                },
            )

        self._guard(preflight)

    # -- ingest -----------------------------------------------------------------
    def _post(self) -> None:
        parts = urlsplit(self.path)
        path = parts.path
        if path == "/json/clear":
            self._clear()
            return
        cors = {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "*"}
        if route_ingest(path) is None:
            self.close_connection = True
            self._json(404, {"detail": f"no endpoint at {path}"}, cors)
            return
        try:
            body = read_body(self.rfile, self.headers, self.app.max_body)
            result = self.app.ingest(path, parts.query, self.headers, body)
        except IngestError as exc:
            # Whatever of the body is left unread must not be parsed as the next request.
            self.close_connection = True
            self.app.refused(exc.status, path, exc.message)
            self._json(exc.status, {"detail": exc.message}, cors)
            return
        self._json(200, result, cors)

    def _clear(self) -> None:
        if not self._host_allowed() or "json" not in (self.headers.get("Content-Type") or ""):
            self._json(403, {"detail": "clear needs a loopback Host and a JSON request"})
            return
        self.app.store.clear()
        self.app.live.publish("live", "item", json.dumps({"item_type": "clear"}))
        self._json(200, {"cleared": True})

    def _delete(self) -> None:
        if urlsplit(self.path).path == "/clear":
            self._clear()
        else:
            self._json(404, {"detail": "not found"})

    # -- reading ----------------------------------------------------------------
    def _get(self) -> None:
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        params = parse_qs(parts.query)
        q = (params.get("q") or [""])[0][:200]
        if path in ("/health", "/healthz"):
            self._send(200, b"OK", "text/plain")
            return
        if not self._host_allowed():
            self._send(403, b"forbidden Host header", "text/plain")
            return
        if path.startswith("/static/"):
            self._static(path[len("/static/") :])
            return
        if path == "/stream":
            channel = "stream64" if (params.get("base64") or [""])[0] in ("1", "true") else "stream"
            self._sse(channel)
            return
        if path == "/live":
            self._sse("live")
            return
        if path.startswith("/json/"):
            self._api(path[len("/json/") :].strip("/"), q)
            return
        self._page(path, q)

    def _static(self, name: str) -> None:
        content_type = _STATIC_TYPES.get(name)
        if content_type is None:
            self._send(404, b"not found", "text/plain")
            return
        self._send(
            200, (_STATIC_DIR / name).read_bytes(), content_type, {"Cache-Control": "no-cache"}
        )

    def _frame(self) -> pages.Frame:
        return pages.Frame(self.app.url, self.app.store.counts(), self.app.dsn())

    def _page(self, path: str, q: str) -> None:
        store = self.app.store
        segments = [s for s in path.split("/") if s]
        if not segments:
            self._html(200, pages.issues_page(self._frame(), store.issues(q), q))
        elif segments == ["transactions"]:
            self._html(200, pages.transactions_page(self._frame(), store.transactions(q), q))
        elif segments == ["logs"]:
            self._html(200, pages.logs_page(self._frame(), store.logs(q), q))
        elif segments == ["other"]:
            self._html(200, pages.other_page(self._frame(), store.other_items()))
        elif len(segments) == 2 and segments[0] == "issues":
            issue = store.issue(segments[1])
            if issue is None:
                self._html(404, pages.not_found_page(self._frame(), "Issue"))
                return
            events = store.issue_events(issue["id"])
            latest = store.event(events[0]["event_id"]) if events else None
            self._html(200, pages.issue_page(self._frame(), issue, events, latest))
        elif len(segments) == 2 and segments[0] == "events":
            row = store.event(segments[1])
            if row is None:
                self._html(404, pages.not_found_page(self._frame(), "Event"))
                return
            issue = store.issue(row["issue_id"]) if row.get("issue_id") else None
            trace = store.trace_events(row["trace_id"]) if row.get("trace_id") else []
            profile = _profile_section(store, row) if row["kind"] == "transaction" else ""
            self._html(200, pages.event_page(self._frame(), row, issue, trace, profile))
        else:
            self._html(404, pages.not_found_page(self._frame(), "Page"))

    def _api(self, path: str, q: str) -> None:
        store = self.app.store
        segments = path.split("/") if path else []
        data: Any = None
        if segments == ["issues"]:
            data = store.issues(q)
        elif len(segments) == 2 and segments[0] == "issues":
            issue = store.issue(segments[1])
            if issue is not None:
                data = {"issue": issue, "events": store.issue_events(issue["id"])}
        elif segments == ["events"] or segments == ["transactions"]:
            data = store.transactions(q)
        elif len(segments) == 2 and segments[0] == "events":
            data = store.event(segments[1])
        elif segments == ["logs"]:
            data = store.logs(q)
        elif segments == ["items"]:
            data = store.other_items()
        elif segments == ["stats"]:
            data = store.counts()
        if data is None:
            self._json(404, {"detail": "not found"})
        else:
            self._json(200, data, {"Cache-Control": "no-store"})

    def _sse(self, channel: str) -> None:
        if self.command == "HEAD":
            self._send(200, b"", "text/event-stream")
            return
        listener = self.app.live.subscribe(channel)
        if listener is None:
            self._json(503, {"detail": "too many live connections"})
            return
        try:
            self.close_connection = True
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            if channel != "live":
                self.send_header("Access-Control-Allow-Origin", "*")
            self.end_headers()
            self.wfile.write(b"retry: 2000\n\n")
            self.wfile.flush()
            self._sse_loop(listener)
        finally:
            self.app.live.unsubscribe(listener)

    def _sse_loop(self, listener: Listener) -> None:
        last_write = time.monotonic()
        while not self.app.live.closed.is_set():
            message = listener.get(SSE_POLL_SECONDS)
            if message is None:
                if time.monotonic() - last_write >= SSE_PING_SECONDS:
                    self.wfile.write(b": ping\n\n")
                    self.wfile.flush()
                    last_write = time.monotonic()
                continue
            name, data = message
            lines = "".join(f"data: {line}\n" for line in _LINE_BREAK.split(data))
            self.wfile.write(f"event: {name}\n{lines}\n".encode())
            self.wfile.flush()
            last_write = time.monotonic()
