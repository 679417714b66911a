"""A Tornado app under sentry_sdk or sentry_lite, served on a free 127.0.0.1 port and
called over real HTTP.

Usage: python -m tests.tornado_scenarios <sdk module> <dsn> [stream] [nopii]
Requests: a handler that raises (Tornado answers with its own 500 page), one that raises
``HTTPError(503)`` (the app's answer: not reported), a JSON POST whose handler reports a
message, a form POST that raises, and a GET carrying an incoming ``sentry-trace`` whose
handler reports a message. Only the import differs between the two SDKs.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import sys
from typing import Any, Dict, List

INCOMING_TRACE = "471a43a4192642f0b136d5159a501701-6e8f22c393e68f19-1"


def main() -> None:
    module, dsn = sys.argv[1:3]
    streaming = "stream" in sys.argv[3:]
    sdk = importlib.import_module(module)
    integration = importlib.import_module(f"{module}.integrations.tornado").TornadoIntegration
    sdk.init(
        dsn=dsn,
        release="tornado@1",
        traces_sample_rate=1.0,
        auto_enabling_integrations=False,  # sentry_sdk's would import every library installed
        send_default_pii="nopii" not in sys.argv[3:],
        integrations=[integration()],
        **({"trace_lifecycle": "stream"} if streaming else {}),
    )
    from tornado.httpclient import AsyncHTTPClient, HTTPClientError
    from tornado.httpserver import HTTPServer
    from tornado.netutil import bind_sockets
    from tornado.web import Application, HTTPError, RequestHandler

    class UserHandler(RequestHandler):
        def get(self, user_id: str) -> None:
            sdk.get_isolation_scope().set_tag("user_id", user_id)
            self.write(f"ratio {10 / (int(user_id) - int(user_id))}")

        def get_current_user(self) -> Any:
            return "ada"

    class BusyHandler(RequestHandler):
        async def get(self) -> None:
            raise HTTPError(503, "try later")

    class OrdersHandler(RequestHandler):
        async def post(self) -> None:
            sdk.capture_message("order received")
            self.write({"ok": True})

    class FormHandler(RequestHandler):
        def post(self) -> None:
            raise ValueError(",".join(sorted(self.request.body_arguments)))

    class TracedHandler(RequestHandler):
        async def get(self) -> None:
            sdk.capture_message("traced")
            self.write("ok")

    app = Application(
        [
            (r"/users/(\d+)", UserHandler),
            (r"/busy", BusyHandler),
            (r"/orders", OrdersHandler),
            (r"/form", FormHandler),
            (r"/traced", TracedHandler),
        ]
    )

    async def run() -> List[int]:
        sockets = bind_sockets(0, "127.0.0.1")
        port = sockets[0].getsockname()[1]
        server = HTTPServer(app)
        server.add_sockets(sockets)
        client = AsyncHTTPClient()
        base = f"http://127.0.0.1:{port}"
        requests: List[Dict[str, Any]] = [
            {"url": "/users/7?page=2", "headers": {"Cookie": "theme=dark"}},
            {"url": "/busy"},
            {
                "url": "/orders",
                "method": "POST",
                "body": json.dumps({"item": "book", "count": 2}),
                "headers": {"Content-Type": "application/json"},
            },
            {
                "url": "/form?step=1",
                "method": "POST",
                "body": "name=ada&city=london",
                "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            },
            {"url": "/traced", "headers": {"sentry-trace": INCOMING_TRACE}},
        ]
        codes = []
        for spec in requests:
            spec = dict(spec)
            url = base + spec.pop("url")
            try:
                response = await client.fetch(url, **spec)
                codes.append(response.code)
            except HTTPClientError as exc:
                codes.append(exc.code)
        server.stop()
        return codes

    codes = asyncio.run(run())
    sdk.flush(5)
    print(json.dumps(codes))


if __name__ == "__main__":
    main()
