"""A Bottle app under sentry_sdk or sentry_lite, requests made through its WSGI entry.

Usage: python -m tests.bottle_scenarios <sdk module> <dsn> [stream]
Three requests: a route that raises (Bottle answers 500 itself), one that returns an
``HTTPError(503)`` and a JSON POST whose route reports a message. Only the import differs.
"""

from __future__ import annotations

import importlib
import io
import json
import sys
from typing import Any, Dict


def call(app: Any, method: str, path: str, body: bytes = b"", query: str = "") -> str:
    environ: Dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "localhost",
        "HTTP_USER_AGENT": "scenario",
        "HTTP_COOKIE": "theme=dark",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    if body:
        environ["CONTENT_TYPE"] = "application/json"
        environ["CONTENT_LENGTH"] = str(len(body))
    status = []
    chunks = app(environ, lambda s, h, e=None: status.append(s))
    b"".join(chunks)
    getattr(chunks, "close", lambda: None)()
    return status[0]


def main() -> None:
    module, dsn = sys.argv[1:3]
    streaming = sys.argv[3:] == ["stream"]
    sdk = importlib.import_module(module)
    integration = importlib.import_module(f"{module}.integrations.bottle").BottleIntegration
    sdk.init(
        dsn=dsn,
        release="bottle@1",
        traces_sample_rate=1.0,
        send_default_pii=True,
        integrations=[integration()],
        **({"trace_lifecycle": "stream"} if streaming else {}),
    )
    import bottle

    app = bottle.Bottle()

    @app.route("/users/<user_id:int>")
    def user(user_id: int) -> str:
        ratio = 10 / (user_id - user_id)
        return f"ratio {ratio}"

    @app.route("/busy")
    def busy() -> Any:
        return bottle.HTTPError(503, "try later")

    @app.post("/orders")
    def orders() -> str:
        sdk.capture_message("order received")
        return json.dumps({"ok": True})

    statuses = [
        call(app, "GET", "/users/7", query="page=2"),
        call(app, "GET", "/busy"),
        call(app, "POST", "/orders", body=b'{"item": "book", "count": 2}'),
    ]
    sdk.flush(5)
    print(json.dumps(statuses))


if __name__ == "__main__":
    main()
