"""A real Sentry-protocol ingest on 127.0.0.1 for tests, with fault injection.

Tests point a DSN at it, then read back what arrived. ``behaviour`` tells it how to
misbehave: answer a status code, add headers, be slow, hang, reset or close the
connection. Everything runs in a thread of the test process and stops with the fixture.
"""

from __future__ import annotations

import gzip
import json
import os
import socket
import ssl
import struct
import threading
import time
import uuid
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional, Tuple

from sentry_lite.envelope import Envelope
from sentry_lite.transport import Transport


@dataclass
class Behaviour:
    status: int = 200
    headers: Dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    hang: bool = False
    reset: bool = False
    close: bool = False
    drop_after: bool = False
    """Answer normally, then close the connection without saying so (a stale keep-alive)."""
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
    @classmethod
    def self_signed(cls, directory: str) -> Tuple[Receiver, str]:
        """A TLS receiver whose certificate (for localhost) comes from a throwaway CA.

        Returns the receiver and the path of the CA bundle that trusts it.
        """
        import trustme

        ca = trustme.CA()
        cert = ca.issue_cert("localhost", "127.0.0.1")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(context)
        ca_path = os.path.join(directory, "test-ca.pem")
        ca.cert_pem.write_to_path(ca_path)
        return cls(tls_context=context), ca_path

    def __init__(self, tls_context: Optional[ssl.SSLContext] = None) -> None:
        self.requests: List[Request] = []
        self.behaviour = Behaviour()
        self._cond = threading.Condition()
        self._release = threading.Event()
        self._aborted: List[threading.Event] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                receiver._handle(self)

            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        self._handler_cls = Handler
        self._tls_context = tls_context
        self.tls = tls_context is not None
        self.port = 0
        self._listen()

    def _listen(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler_cls)
        self.server.daemon_threads = True
        if self._tls_context is not None:
            self.server.socket = self._tls_context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def stop_listening(self) -> None:
        """Go down: connections to the port are refused until :meth:`start_listening`."""
        self._release.set()
        self.server.shutdown()
        self.server.server_close()

    def start_listening(self) -> None:
        """Come back up on the same port (same DSN)."""
        self._release = threading.Event()
        self._listen()

    # -- configuration -------------------------------------------------
    def dsn(self, key: str = "public", project: str = "42") -> str:
        scheme = "https" if self.tls else "http"
        host = "localhost" if self.tls else "127.0.0.1"
        return f"{scheme}://{key}@{host}:{self.port}/{project}"

    def respond(self, **kwargs: Any) -> None:
        self._release.set()
        self._release = threading.Event()
        self.behaviour = Behaviour(**kwargs)

    def drop_hung(self) -> None:
        """End every hung request without recording or answering it (a server crash)."""
        self._aborted.append(self._release)
        self._release.set()
        self._release = threading.Event()

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

    def client_reports(self) -> List[Dict[str, Any]]:
        return [i.get_json() for i in self.items("client_report")]

    def discarded(self) -> Dict[Tuple[str, str], int]:
        """Sum of every client report received: ``{(category, reason): quantity}``."""
        out: Dict[Tuple[str, str], int] = {}
        for report in self.client_reports():
            for entry in report.get("discarded_events", []):
                key = (entry["category"], entry["reason"])
                out[key] = out.get(key, 0) + int(entry["quantity"])
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
            linger = struct.pack("ii", 1, 0)  # linger on, 0 s: closing sends an RST
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
            handler.close_connection = True
            # Close the descriptor itself: rfile/wfile would otherwise keep it open.
            os.close(sock.detach())
            return
        if behaviour.close:
            handler.close_connection = True
            handler.connection.shutdown(socket.SHUT_RDWR)
            return
        if behaviour.hang:
            release = self._release
            release.wait(60)
            if release in self._aborted:  # see drop_hung(): as if the server died
                handler.close_connection = True
                return
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
            elif encoding == "br":  # sentry_sdk's choice whenever brotli is installed
                import brotli  # type: ignore[import-not-found,import-untyped,unused-ignore]

                body = brotli.decompress(raw)
            if handler.path.rstrip("/").endswith("/store"):
                event = json.loads(body)
                envelope = Envelope({"event_id": event.get("event_id")})
                envelope.add_event(event)
            else:
                envelope = Envelope.parse(body)
        except Exception:
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
            if behaviour.drop_after:
                handler.wfile.flush()
                handler.close_connection = True
        except OSError:
            pass


# -- envelopes for driving a transport directly ------------------------------------------
class EnvelopeRecorder(Transport):
    """A transport that keeps what it is given, unread and unsent (the in-process
    counterpart of :class:`Receiver`, for what happens before the sending thread)."""

    def __init__(self) -> None:
        super().__init__()
        self.envelopes: List[Envelope] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        self.envelopes.append(envelope)


def event_envelope(message: str = "hello", **fields: Any) -> Envelope:
    """An envelope with one small error event whose ``message`` identifies it."""
    event_id = uuid.uuid4().hex
    event: Dict[str, Any] = {
        "event_id": event_id,
        "message": message,
        "level": "error",
        "platform": "python",
        "timestamp": time.time(),
    }
    event.update(fields)
    envelope = Envelope({"event_id": event_id})
    envelope.add_event(event)
    return envelope


def transaction_envelope(name: str = "tx", spans: int = 2) -> Envelope:
    event_id = uuid.uuid4().hex
    now = time.time()
    tx = {
        "event_id": event_id,
        "type": "transaction",
        "transaction": name,
        "start_timestamp": now - 0.01,
        "timestamp": now,
        "spans": [
            {
                "span_id": f"{i:016x}",
                "trace_id": "0" * 32,
                "op": "db",
                "start_timestamp": now - 0.01,
                "timestamp": now,
            }
            for i in range(spans)
        ],
        "contexts": {"trace": {"trace_id": "0" * 32, "span_id": "f" * 16}},
    }
    envelope = Envelope({"event_id": event_id})
    envelope.add_transaction(tx)
    return envelope


def messages(receiver: Receiver) -> List[str]:
    """The ``message`` of every event the receiver accepted, in arrival order."""
    return [str(e.get("message")) for e in receiver.events]
