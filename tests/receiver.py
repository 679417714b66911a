"""A real Sentry-protocol ingest on 127.0.0.1 for tests, with fault injection.

Tests point a DSN at it, then read back what arrived. ``behaviour`` tells it how to
misbehave: answer a status code, add headers, be slow, hang, reset or close the
connection. Everything runs in a thread of the test process and stops with the fixture.
"""

from __future__ import annotations

import gzip
import json
import socket
import ssl
import threading
import time
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional

from sentry_lite.envelope import Envelope


@dataclass
class Behaviour:
    status: int = 200
    headers: Dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    hang: bool = False
    reset: bool = False
    close: bool = False
    times: Optional[int] = None
    """Apply this behaviour to the next ``times`` requests only, then answer 200."""


@dataclass
class Request:
    path: str
    headers: Dict[str, str]
    body: bytes
    envelope: Optional[Envelope]
    status: int
    received_at: float


class Receiver:
    def __init__(self, tls_context: Optional[ssl.SSLContext] = None) -> None:
        self.requests: List[Request] = []
        self.behaviour = Behaviour()
        self._cond = threading.Condition()
        self._release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

            def do_POST(self) -> None:  # noqa: N802
                receiver._handle(self)

            def do_GET(self) -> None:  # noqa: N802
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.tls = tls_context is not None
        if tls_context is not None:
            self.server.socket = tls_context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    # -- configuration -------------------------------------------------
    def dsn(self, key: str = "public", project: str = "42") -> str:
        scheme = "https" if self.tls else "http"
        host = "localhost" if self.tls else "127.0.0.1"
        return f"{scheme}://{key}@{host}:{self.port}/{project}"

    def respond(self, **kwargs: Any) -> None:
        self._release.set()
        self._release = threading.Event()
        self.behaviour = Behaviour(**kwargs)

    def reset_behaviour(self) -> None:
        self.behaviour = Behaviour()
        self._release.set()

    # -- reading what arrived -----------------------------------------
    @property
    def envelopes(self) -> List[Envelope]:
        with self._cond:
            return [r.envelope for r in self.requests if r.envelope is not None and r.status < 300]

    def items(self, item_type: Optional[str] = None) -> List[Any]:
        out = []
        for env in self.envelopes:
            for item in env.items:
                if item_type is None or item.type == item_type:
                    out.append(item)
        return out

    @property
    def events(self) -> List[Dict[str, Any]]:
        return [i.get_json() for i in self.items("event")]

    @property
    def transactions(self) -> List[Dict[str, Any]]:
        return [i.get_json() for i in self.items("transaction")]

    def wait_for(self, count: int = 1, timeout: float = 10.0, item_type: str = "event") -> None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self._count(item_type)) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"receiver got {len(self._count(item_type))} {item_type} items, "
                        f"expected {count}"
                    )
                self._cond.wait(remaining)

    def _count(self, item_type: str) -> List[Any]:
        return [
            i
            for r in self.requests
            if r.envelope is not None and r.status < 300
            for i in r.envelope.items
            if i.type == item_type
        ]

    def clear(self) -> None:
        with self._cond:
            self.requests.clear()

    def close(self) -> None:
        self._release.set()
        self.server.shutdown()
        self.server.server_close()

    # -- request handling -----------------------------------------------
    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        behaviour = self.behaviour
        if behaviour.times is not None:
            if behaviour.times <= 0:
                behaviour = Behaviour()
            else:
                behaviour.times -= 1
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        if behaviour.reset:
            sock = handler.connection
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            sock.close()
            return
        if behaviour.close:
            handler.close_connection = True
            handler.connection.shutdown(socket.SHUT_RDWR)
            return
        if behaviour.hang:
            self._release.wait(60)
        if behaviour.delay:
            time.sleep(behaviour.delay)
        body = raw
        encoding = (handler.headers.get("Content-Encoding") or "").lower()
        envelope = None
        try:
            if encoding == "gzip":
                body = gzip.decompress(raw)
            elif encoding == "deflate":
                body = zlib.decompress(raw)
            if handler.path.rstrip("/").endswith("/store"):
                event = json.loads(body)
                envelope = Envelope({"event_id": event.get("event_id")})
                envelope.add_event(event)
            else:
                envelope = Envelope.parse(body)
        except Exception:  # noqa: BLE001
            envelope = None
        status = behaviour.status if envelope is not None else 400
        with self._cond:
            self.requests.append(
                Request(
                    path=handler.path,
                    headers={k.lower(): v for k, v in handler.headers.items()},
                    body=body,
                    envelope=envelope,
                    status=status,
                    received_at=time.time(),
                )
            )
            self._cond.notify_all()
        reply = b"{}"
        try:
            handler.send_response(status)
            for key, value in behaviour.headers.items():
                handler.send_header(key, value)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(reply)))
            handler.end_headers()
            handler.wfile.write(reply)
        except OSError:
            pass
