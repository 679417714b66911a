"""A Sanic app under sentry_sdk or sentry_lite, served by Sanic's own server on a free
127.0.0.1 port and called over real HTTP.

Usage: python -m tests.sanic_scenarios <sdk module> <dsn> [stream] [nopii]
Requests: a route that raises (Sanic answers 500 itself), one that raises
``ServiceUnavailable`` (a ``SanicException``: the app's answer, not reported), a JSON
POST whose route reports a message, a path no route matches (404: its transaction is
dropped by ``unsampled_statuses``), and a GET carrying an incoming ``sentry-trace``.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import socket
import sys
from typing import Any, Dict, List

INCOMING_TRACE = "471a43a4192642f0b136d5159a501701-6e8f22c393e68f19-1"


def main() -> None:
    module, dsn = sys.argv[1:3]
    flags = sys.argv[3:]
    sdk = importlib.import_module(module)
    integration = importlib.import_module(f"{module}.integrations.sanic").SanicIntegration
    sdk.init(
        dsn=dsn,
        release="sanic@1",
        traces_sample_rate=1.0,
        auto_enabling_integrations=False,  # sentry_sdk's would import every library installed
        send_default_pii="nopii" not in flags,
        integrations=[integration()],
        **({"trace_lifecycle": "stream"} if "stream" in flags else {}),
    )
    import httpx
    from sanic import Sanic, response
    from sanic.exceptions import ServiceUnavailable

    app = Sanic("scenario")
    app.config.MOTD = False
    app.config.ACCESS_LOG = False

    @app.get("/users/<user_id:int>")
    async def user(request: Any, user_id: int) -> Any:
        sdk.get_isolation_scope().set_tag("user_id", str(user_id))
        return response.text(f"ratio {10 / (user_id - user_id)}")

    @app.get("/busy")
    async def busy(request: Any) -> Any:
        raise ServiceUnavailable("try later")

    @app.post("/orders")
    async def orders(request: Any) -> Any:
        sdk.capture_message(f"order received: {request.json['item']}")
        return response.json({"ok": True})

    @app.get("/traced")
    async def traced(request: Any) -> Any:
        sdk.capture_message("traced")
        return response.text("ok")

    async def run() -> List[int]:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        sock.close()
        server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True)
        assert server is not None
        await server.startup()
        await server.before_start()
        await server.after_start()
        requests: List[Dict[str, Any]] = [
            {"url": "/users/7?page=2", "headers": {"Cookie": "theme=dark"}},
            {"url": "/busy"},
            {"url": "/orders", "method": "POST", "json": {"item": "book", "count": 2}},
            {"url": "/nowhere"},
            {"url": "/traced", "headers": {"sentry-trace": INCOMING_TRACE}},
        ]
        codes = []
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            for spec in requests:
                spec = dict(spec)
                reply = await client.request(spec.pop("method", "GET"), spec.pop("url"), **spec)
                codes.append(reply.status_code)
        await server.before_stop()
        await server.close()
        await server.after_stop()
        return codes

    codes = asyncio.run(run())
    sdk.flush(5)
    print(json.dumps(codes))


if __name__ == "__main__":
    main()
