"""A local HTTP service for outgoing-request scenarios that records the trace headers
each request brings (``path``, ``sentry-trace``, ``baggage``). It answers 404 for a path
with "missing" in it, else 200 "ok"; stopped with ``.shutdown()`` (or with its process)."""

from __future__ import annotations

import http.server
import threading
from typing import Any, Dict, List


def start_recording_upstream(received: List[Dict[str, str]]) -> Any:
    class Upstream(http.server.BaseHTTPRequestHandler):
        def answer(self) -> None:
            received.append(
                {
                    "path": self.path,
                    "sentry-trace": self.headers.get("sentry-trace") or "",
                    "baggage": self.headers.get("baggage") or "",
                }
            )
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            self.send_response(404 if "missing" in self.path else 200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        do_GET = do_POST = answer

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
