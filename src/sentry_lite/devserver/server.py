"""The HTTP side of the local receiver: ingest endpoints, the viewer's pages and JSON,
and two Server-Sent Events streams (``/stream`` in Spotlight's format, ``/live`` for the
viewer's own refresh).

Threads from the standard library's ``ThreadingHTTPServer``; no request can take the
server down: every handler answers from a ``try`` and a bad request gets a 4xx.
"""

from __future__ import annotations

import base64
import json
import socket
import sys
import threading
import time
from datetime import datetime
from http.server import ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

from sentry_lite.devserver.context import Settings
from sentry_lite.devserver.handler import ENVELOPE_TYPE, Handler
from sentry_lite.devserver.ingest import IngestError, parse_request
from sentry_lite.devserver.limits import MAX_BODY_BYTES, MAX_STORED_BYTES, SHUTDOWN_POLL_SECONDS
from sentry_lite.devserver.live import Broadcaster
from sentry_lite.devserver.security import Policy, is_loopback
from sentry_lite.devserver.store import BadPayload, Received, Store
from sentry_lite.envelope import Envelope

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "DevServer",
    "format_line",
]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8969
"""Spotlight's port, so SDKs started with ``spotlight=True`` find this server."""
_ANY_ADDRESS = ("0.0.0.0", "::", "")


def format_line(received: Received, base_url: str) -> str:
    """One terminal line per stored item."""
    stamp = datetime.now().strftime("%H:%M:%S")
    kind = received.item_type if received.item_type != "event" else (received.level or "error")
    text = " ".join(received.title.split())
    if len(text) > 90:
        text = text[:89] + "…"
    parts = [stamp, f"{kind:<11}", text]
    if received.sdk:
        parts.append(f"[{received.sdk}]")
    if received.duplicate:
        parts.append("(duplicate, ignored)")
    if received.link:
        parts.append(base_url + received.link)
    return "  ".join(parts)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address: Tuple[str, int], app: DevServer) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.app = app
        self._connections: Set[Any] = set()
        self._connections_lock = threading.Lock()
        super().__init__((address[0].strip("[]"), address[1]), Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """End keep-alive and streaming connections so no handler thread outlives stop()."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client vanishing mid-response is normal; anything else is a bug to report,
        # but never a reason to stop serving.
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, socket.timeout)):
            return
        super().handle_error(request, client_address)


class DevServer:
    """Receiver + viewer. ``start()`` serves from a background thread; ``serve_forever()``
    blocks. ``on_item`` is called (from request threads) for every stored item and
    ``on_refused`` for every refused request."""

    def __init__(
        self,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        db: str = ":memory:",
        *,
        public_keys: Optional[List[str]] = None,
        max_body: int = MAX_BODY_BYTES,
        max_store: int = MAX_STORED_BYTES,
        on_item: Optional[Callable[[Received, str], None]] = None,
        on_refused: Optional[Callable[[int, str, str], None]] = None,
        editor: Optional[str] = None,
        allow_origins: Optional[List[str]] = None,
    ) -> None:
        self.store = Store(db, max_store)
        self.live = Broadcaster()
        self.public_keys = set(public_keys or [])
        self.max_body = max_body
        self.on_item = on_item
        self.on_refused = on_refused
        self.loopback_only = is_loopback(host)
        self.policy = Policy(self.loopback_only, allow_origins or ())
        try:
            self._server = _Server((host, port), self)
        except BaseException:
            self.store.close()
            raise
        self.host = host
        self.port = int(self._server.server_address[1])
        self._thread: Optional[threading.Thread] = None
        self.received = 0
        self._count_lock = threading.Condition()
        self.settings = Settings(editor, self.dsn())

    @staticmethod
    def _url_for(host: str, port: int) -> str:
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        return f"http://{host}:{port}"

    @property
    def url(self) -> str:
        """Where this machine reaches the server (loopback when bound to all addresses)."""
        host = "127.0.0.1" if self.host in _ANY_ADDRESS else self.host
        return self._url_for(host, self.port)

    @property
    def public_url(self) -> str:
        """Where other machines reach it: the host name when bound to all addresses."""
        host = socket.gethostname() if self.host in _ANY_ADDRESS else self.host
        return self._url_for(host or "127.0.0.1", self.port)

    def dsn(self, key: Optional[str] = None, project: str = "1", public: bool = False) -> str:
        key = key or (sorted(self.public_keys)[0] if self.public_keys else "public")
        url = self.public_url if public else self.url
        return url.replace("http://", f"http://{key}@", 1) + f"/{project}"

    @property
    def spotlight_url(self) -> str:
        return self.url + "/stream"

    def start(self) -> DevServer:
        thread = threading.Thread(
            target=self._server.serve_forever,
            args=(SHUTDOWN_POLL_SECONDS,),
            name="sentry_lite.devserver",
            daemon=True,
        )
        thread.start()
        self._thread = thread
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever(SHUTDOWN_POLL_SECONDS)

    def stop(self) -> None:
        self.live.close()
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(5)
        self._server.close_connections()
        self._server.server_close()
        self.store.close()

    def __enter__(self) -> DevServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def wait_for(self, count: int, timeout: float) -> bool:
        """Wait until ``count`` items were stored since start; True if they were."""
        deadline = time.monotonic() + timeout
        with self._count_lock:
            while self.received < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._count_lock.wait(remaining)
        return True

    # -- called by the handler --------------------------------------------------
    def ingest(self, path: str, query: str, headers: Any, body: bytes) -> Dict[str, Any]:
        request = parse_request(path, query, headers, body)
        if self.public_keys:
            if request.public_key is None:
                raise IngestError(401, "missing authorization information (sentry_key)")
            if request.public_key not in self.public_keys:
                raise IngestError(403, f"unknown public key {request.public_key!r}")
        try:
            received = self.store.add_envelope(request.envelope, request.project)
        except BadPayload as exc:
            raise IngestError(400, str(exc)) from None
        except Exception as exc:
            raise IngestError(400, f"cannot store envelope: {exc!r}") from None
        self._publish(request.envelope, received)
        with self._count_lock:
            self.received += len(received)
            self._count_lock.notify_all()
        if self.on_item is not None:
            for item in received:
                try:
                    self.on_item(item, self.url)
                except Exception:
                    pass
        event_id = request.envelope.headers.get("event_id")
        if event_id is None:
            event_id = next((r.ref for r in received if r.ref), None)
        return {"id": event_id}

    def _publish(self, envelope: Envelope, received: List[Received]) -> None:
        if self.live.has_listeners("stream", "stream64"):
            raw = envelope.serialize()
            self.live.publish("stream", ENVELOPE_TYPE, raw.decode("utf-8", "replace"))
            self.live.publish("stream64", ENVELOPE_TYPE, base64.b64encode(raw).decode("ascii"))
        for item in received:
            if not item.duplicate:
                self.live.publish("live", "item", json.dumps(item.as_dict()))

    def clear(self) -> None:
        self.store.clear()
        self.live.publish("live", "item", json.dumps({"item_type": "clear"}))

    def refused(self, status: int, path: str, message: str) -> None:
        if self.on_refused is not None:
            try:
                self.on_refused(status, path, message)
            except Exception:
                pass
