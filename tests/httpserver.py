"""A plain HTTP server on 127.0.0.1 for outgoing-request tests (not an ingest)."""

from __future__ import annotations

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List


class HeaderServer:
    """Answers ``GET /<status>`` with that status (200 for other paths) and keeps the
    headers of each request; repeated fields combine with commas (RFC 9110)."""

    def __init__(self) -> None:
        self.headers: List[Dict[str, str]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

            def do_GET(self) -> None:  # noqa: N802
                outer.headers.append(
                    {k.lower(): ",".join(self.headers.get_all(k) or ()) for k in self.headers}
                )
                first = self.path.strip("/").split("?")[0]
                status = int(first) if first.isdigit() else 200
                body = b"x" * 10
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/items"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def get(self, path: str) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            return response.status
        finally:
            conn.close()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
