"""A bare TCP server on 127.0.0.1 for tests that script an ingest byte by byte.

The test receiver (receiver.py) is a well-behaved HTTP server; these tests need one that
misbehaves in exact ways (stalls, lies, drops, cuts connections), so each subclass reads
and writes the raw socket itself in :meth:`RawIngest.handle`.
"""

from __future__ import annotations

import socket
import threading
from typing import Optional


class RawIngest:
    """Accepts connections and hands each to :meth:`handle` on a thread of its own."""

    def __init__(self) -> None:
        self.connections = 0
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def dsn(self) -> str:
        return f"http://public@127.0.0.1:{self.port}/1"

    def handle(self, conn: socket.socket) -> None:
        raise NotImplementedError

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self.handle, args=(conn,), daemon=True).start()

    def close(self) -> None:
        self._server.close()


def content_length(head: bytes) -> int:
    """The Content-Length a request head declares (0 without one)."""
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return length


def read_request(conn: socket.socket) -> Optional[bytes]:
    """Read one request from ``conn``; its body, or None when the client closed first."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = content_length(head)
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return body
