"""A Quart app under sentry_sdk or sentry_lite, served by uvicorn on a free 127.0.0.1
port and called over real HTTP.

Usage: python -m tests.quart_scenarios <sdk module> <dsn> [stream] [nopii] [url]
Requests: a view that raises (Quart answers with its own 500 page), one that aborts
with 503 (the app's answer: not reported), a JSON POST whose view reports a message, a
sync view (run on a worker thread) that reports one, and a GET carrying an incoming
``sentry-trace`` whose view reports one. Only the import differs between the SDKs.
"""

from __future__ import annotations

import importlib
import json
import sys
from typing import Any, Dict, List

from tests.uvicorn_requests import serve_and_request

INCOMING_TRACE = "471a43a4192642f0b136d5159a501701-6e8f22c393e68f19-1"


def main() -> None:
    module, dsn = sys.argv[1:3]
    flags = sys.argv[3:]
    sdk = importlib.import_module(module)
    integration = importlib.import_module(f"{module}.integrations.quart").QuartIntegration
    sdk.init(
        dsn=dsn,
        release="quart@1",
        traces_sample_rate=1.0,
        auto_enabling_integrations=False,  # sentry_sdk's would import every library installed
        send_default_pii="nopii" not in flags,
        integrations=[integration(transaction_style="url" if "url" in flags else "endpoint")],
        **({"trace_lifecycle": "stream"} if "stream" in flags else {}),
    )
    from quart import Quart, abort

    app = Quart(__name__)

    @app.route("/users/<int:user_id>")
    async def user(user_id: int) -> str:
        sdk.get_isolation_scope().set_tag("user_id", str(user_id))
        return f"ratio {10 / (user_id - user_id)}"

    @app.route("/busy")
    async def busy() -> str:
        abort(503)
        return "unreachable"

    @app.post("/orders")
    async def orders() -> Any:
        from quart import request

        payload = await request.get_json()
        sdk.capture_message(f"order received: {payload['item']}")
        return {"ok": True}

    @app.get("/sync")
    def sync_view() -> str:
        sdk.capture_message("from a worker thread")
        return "ok"

    @app.get("/traced")
    async def traced() -> str:
        sdk.capture_message("traced")
        return "ok"

    requests: List[Dict[str, Any]] = [
        {"url": "/users/7?page=2", "headers": {"Cookie": "theme=dark"}},
        {"url": "/busy"},
        {"url": "/orders", "method": "POST", "json": {"item": "book", "count": 2}},
        {"url": "/sync"},
        {"url": "/traced", "headers": {"sentry-trace": INCOMING_TRACE}},
    ]
    codes = serve_and_request(app, requests, log_level="error")
    sdk.flush(5)
    print(json.dumps(codes))


if __name__ == "__main__":
    main()
