"""A small forward HTTP proxy on 127.0.0.1 for tests.

Handles absolute-form requests (``POST http://host:port/path HTTP/1.1``, what a client
sends to a proxy for an http URL) with keep-alive, and ``CONNECT host:port`` tunnels (for
https URLs). Every request head it sees is recorded, so tests can check that traffic went
through it and which headers (``Proxy-Authorization`` ...) the client sent.
"""

from __future__ import annotations

import select
import socket
import socketserver
import threading
from typing import Dict, List, Optional, Tuple
from urllib.parse import urlsplit


class ProxyRequest:
    def __init__(self, method: str, target: str, headers: Dict[str, str]) -> None:
        self.method = method
        self.target = target
        self.headers = headers

    def __repr__(self) -> str:
        return f"<ProxyRequest {self.method} {self.target}>"


def _read_head(sock: socket.socket, buf: bytes) -> Tuple[Optional[bytes], bytes]:
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            return None, buf
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    return head, rest


def _parse_head(head: bytes) -> Tuple[str, Dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    headers: Dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return lines[0], headers


def _read_body(sock: socket.socket, rest: bytes, length: int) -> Tuple[bytes, bytes]:
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return rest[:length], rest[length:]


class Proxy:
    def __init__(self) -> None:
        self.requests: List[ProxyRequest] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                try:
                    proxy._serve(self.request)
                except OSError:
                    pass

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _record(self, method: str, target: str, headers: Dict[str, str]) -> None:
        with self._lock:
            self.requests.append(ProxyRequest(method, target, headers))

    def _serve(self, client: socket.socket) -> None:
        buf = b""
        upstream: Optional[socket.socket] = None
        upstream_addr: Optional[Tuple[str, int]] = None
        try:
            while True:
                head, buf = _read_head(client, buf)
                if head is None:
                    return
                request_line, headers = _parse_head(head)
                method, target, version = request_line.split(" ", 2)
                self._record(method, target, headers)
                if method == "CONNECT":
                    host, _, port = target.rpartition(":")
                    upstream = socket.create_connection((host, int(port)), timeout=10)
                    client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    if buf:
                        upstream.sendall(buf)
                    self._tunnel(client, upstream)
                    return
                parts = urlsplit(target)
                addr = (parts.hostname or "127.0.0.1", parts.port or 80)
                if upstream is None or upstream_addr != addr:
                    if upstream is not None:
                        upstream.close()
                    upstream = socket.create_connection(addr, timeout=30)
                    upstream_addr = addr
                path = parts.path + (f"?{parts.query}" if parts.query else "")
                body, buf = _read_body(client, buf, int(headers.get("content-length") or 0))
                out = [f"{method} {path} {version}"]
                for line in head.decode("latin-1").split("\r\n")[1:]:
                    if not line.lower().startswith(("proxy-", "connection:")):
                        out.append(line)
                upstream.sendall("\r\n".join(out).encode("latin-1") + b"\r\n\r\n" + body)
                reply_head, rest = _read_head(upstream, b"")
                if reply_head is None:
                    return
                _, reply_headers = _parse_head(reply_head)
                reply_body, _ = _read_body(
                    upstream, rest, int(reply_headers.get("content-length") or 0)
                )
                client.sendall(reply_head + b"\r\n\r\n" + reply_body)
        finally:
            if upstream is not None:
                upstream.close()

    @staticmethod
    def _tunnel(a: socket.socket, b: socket.socket) -> None:
        socks = [a, b]
        while True:
            readable, _, _ = select.select(socks, [], [], 30)
            if not readable:
                return
            for sock in readable:
                data = sock.recv(65536)
                if not data:
                    return
                (b if sock is a else a).sendall(data)
