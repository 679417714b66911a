"""A second origin for browser tests: a tiny HTTP server on 127.0.0.1 that serves given
pages, as a site other than the viewer would."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict


class PageServer:
    """``with PageServer({"/x.html": "<html>..."}) as site:`` serves the pages at site.url."""

    def __init__(self, pages: Dict[str, str], host: str = "localhost") -> None:
        self.pages = pages
        self.host = host
        pages_ref = pages

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                body = pages_ref.get(self.path.split("?")[0])
                status = 200 if body is not None else 404
                data = (body or "not found").encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://{host}:{self._server.server_address[1]}"

    def __enter__(self) -> PageServer:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()
