"""A Litestar app under sentry_sdk or sentry_lite, served by uvicorn on a free 127.0.0.1
port and called over real HTTP.

Usage: python -m tests.litestar_scenarios <sdk module> <dsn> [stream] [nopii]
Requests: a handler that raises (Litestar answers 500 itself), one that raises
``HTTPException(503)`` (in ``failed_request_status_codes``: reported), a JSON POST whose
handler (named ``orders``) reports a message, and a GET carrying an incoming
``sentry-trace`` whose handler reports one. A middleware of the app gets its span. Only
the import differs between the two SDKs.
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
    integration = importlib.import_module(f"{module}.integrations.litestar").LitestarIntegration
    sdk.init(
        dsn=dsn,
        release="litestar@1",
        traces_sample_rate=1.0,
        auto_enabling_integrations=False,  # sentry_sdk's would import every library installed
        send_default_pii="nopii" not in flags,
        integrations=[integration()],
        **({"trace_lifecycle": "stream"} if "stream" in flags else {}),
    )
    from litestar import Litestar, get, post
    from litestar.exceptions import HTTPException
    from litestar.middleware import AbstractMiddleware

    class TimingMiddleware(AbstractMiddleware):
        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            await self.app(scope, receive, send)

    @get("/users/{user_id:int}")
    async def user(user_id: int) -> str:
        sdk.get_isolation_scope().set_tag("user_id", str(user_id))
        return f"ratio {10 / (user_id - user_id)}"

    @get("/busy")
    async def busy() -> str:
        raise HTTPException(status_code=503, detail="try later")

    @post("/orders", name="orders")
    async def create_order(data: Dict[str, Any]) -> Dict[str, Any]:
        sdk.capture_message(f"order received: {data['item']}")
        return {"ok": True}

    @get("/traced")
    async def traced() -> str:
        sdk.capture_message("traced")
        return "ok"

    app = Litestar(route_handlers=[user, busy, create_order, traced], middleware=[TimingMiddleware])

    requests: List[Dict[str, Any]] = [
        {"url": "/users/7?page=2", "headers": {"Cookie": "theme=dark"}},
        {"url": "/busy"},
        {"url": "/orders", "method": "POST", "json": {"item": "book", "count": 2}},
        {"url": "/traced", "headers": {"sentry-trace": INCOMING_TRACE}},
    ]
    codes = serve_and_request(app, requests, log_level="critical")
    sdk.flush(5)
    print(json.dumps(codes))


if __name__ == "__main__":
    main()
