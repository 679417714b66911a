"""One HTTP request to the local receiver: ingest, the viewer's pages and JSON (through
:mod:`~sentry_lite.devserver.routes`), static files, Clear, and the Server-Sent Events
streams. Who may do what is decided by :mod:`~sentry_lite.devserver.security`.

Every handler answers from a ``try``: a bad request gets a 4xx, never a dead server.
"""

from __future__ import annotations

import json
import re
import socket
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, Callable, Dict, Optional
from urllib.parse import parse_qs, unquote, urlsplit

from sentry_lite.devserver import routes
from sentry_lite.devserver.body import read_body
from sentry_lite.devserver.context import Context, Reply
from sentry_lite.devserver.ingest import IngestError, route_ingest
from sentry_lite.devserver.limits import REQUEST_TIMEOUT, SSE_PING_SECONDS, SSE_POLL_SECONDS
from sentry_lite.devserver.live import Listener
from sentry_lite.devserver.security import EMBED_ANCESTORS, TOKEN_HEADER, Policy
from sentry_lite.devserver.views.not_found import not_found

__all__ = ["ENVELOPE_TYPE", "Handler"]

ENVELOPE_TYPE = "application/x-sentry-envelope"

_STATIC_DIR = Path(__file__).with_name("static")
_STATIC_TYPES = {"style.css": "text/css; charset=utf-8", "app.js": "text/javascript; charset=utf-8"}
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors {ancestors}; base-uri 'self'; "
    "form-action 'self'"
)
_INGEST_CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": (
        "Content-Type, Content-Encoding, X-Sentry-Auth, Authorization, sentry-trace, baggage"
    ),
    "Access-Control-Max-Age": "3600",
}


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

    @property
    def policy(self) -> Policy:
        return self.app.policy  # type: ignore[no-any-return]

    # -- plumbing ---------------------------------------------------------------------
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

    def _reply(self, reply: Reply, embeddable: bool = False) -> None:
        headers = dict(reply.headers)
        if reply.content_type.startswith("text/html"):
            ancestors = EMBED_ANCESTORS if embeddable else "'none'"
            headers["Content-Security-Policy"] = _CSP.format(ancestors=ancestors)
            headers["Referrer-Policy"] = "no-referrer"
            headers["Cache-Control"] = "no-store"
            headers["Vary"] = "Origin, Sec-Fetch-Mode"
        self._send(reply.status, reply.body, reply.content_type, headers)

    def _refuse(self, status: int, message: str) -> None:
        self.close_connection = True
        self._json(status, {"detail": message})

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

    # -- verbs ------------------------------------------------------------------------
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
            # Browser SDKs may send from any origin; nothing else is open to other pages.
            if route_ingest(urlsplit(self.path).path) is not None:
                self._send(204, b"", "text/plain", _INGEST_CORS)
            else:
                self._refuse(403, "only the ingest endpoints answer other origins")

        self._guard(preflight)

    # -- ingest and clear ---------------------------------------------------------------
    def _post(self) -> None:
        parts = urlsplit(self.path)
        path = parts.path
        if path.rstrip("/") in ("/json/clear", "/clear"):
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
        if not self.policy.host_ok(self.headers):
            self._refuse(403, "forbidden Host header")
            return
        if not self.policy.change_ok(self.command, self.headers):
            self._refuse(
                403,
                f"clear needs DELETE, or POST with the {TOKEN_HEADER} header, from the"
                " viewer's own origin",
            )
            return
        self.app.clear()
        self._json(200, {"cleared": True})

    def _delete(self) -> None:
        if urlsplit(self.path).path.rstrip("/") in ("/json/clear", "/clear"):
            self._clear()
        else:
            self._json(404, {"detail": "not found"})

    # -- reading ------------------------------------------------------------------------
    def _get(self) -> None:
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        if path in ("/health", "/healthz"):
            self._send(200, b"OK", "text/plain", {"X-Sentry-Lite": "1"})
            return
        if not self.policy.host_ok(self.headers):
            self._send(403, b"forbidden Host header", "text/plain")
            return
        if path.startswith("/static/"):
            self._static(path[len("/static/") :])
            return
        is_page = not path.startswith(("/json/", "/stream", "/live"))
        if not self.policy.read_ok(self.headers, navigation_ok=is_page):
            self._refuse(403, "the viewer answers its own origin only")
            return
        params = parse_qs(parts.query)
        if path.rstrip("/") == "/stream":
            base64 = (params.get("base64") or [""])[0] in ("1", "true")
            self._sse("stream64" if base64 else "stream")
        elif path == "/live":
            self._sse("live")
        elif path.startswith("/json/"):
            self._view(routes.API, path, params)
        else:
            self._view(routes.PAGES, path, params)

    def _context(self, path: str, params: Dict[str, Any]) -> Context:
        host = self.headers.get("Host")
        base_url = f"http://{host}" if host else self.app.url
        token = self.policy.token if self.policy.is_browser(self.headers) else ""
        return Context(
            self.app.store,
            self.app.settings,
            path,
            params,
            base_url=base_url,
            token=token,
            tabs=routes.TABS,
        )

    def _view(self, table: Any, path: str, params: Dict[str, Any]) -> None:
        ctx = self._context(path, params)
        found = routes.match(table, path)
        if found is None:
            if table is routes.API:
                self._json(404, {"detail": "not found"})
            else:
                self._reply(not_found(ctx, "Page"))
            return
        view, parts = found
        embeddable = (params.get("embed") or [""])[0] == "1"
        reply = view(ctx, **parts)
        extra = self.policy.extra_origin(self.headers)
        if extra is not None and table is routes.API:  # --allow-origin
            reply.headers.update({"Access-Control-Allow-Origin": extra, "Vary": "Origin"})
        self._reply(reply, embeddable=embeddable)

    def _static(self, name: str) -> None:
        content_type = _STATIC_TYPES.get(name)
        if content_type is None:
            self._send(404, b"not found", "text/plain")
            return
        self._send(
            200, (_STATIC_DIR / name).read_bytes(), content_type, {"Cache-Control": "no-cache"}
        )

    def _sse(self, channel: str) -> None:
        cors: Dict[str, str] = {}
        extra = self.policy.extra_origin(self.headers)
        if extra is not None:
            cors = {"Access-Control-Allow-Origin": extra, "Vary": "Origin"}
        if self.command == "HEAD":
            self._send(200, b"", "text/event-stream", cors)
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
            for key, value in cors.items():
                self.send_header(key, value)
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
