"""An aiohttp.web app under sentry_sdk or sentry_lite, served on a free 127.0.0.1 port,
whose handlers call a recording upstream server through ``aiohttp.ClientSession``.

Usage: python -m tests.aiohttp_scenarios <sdk module> <dsn> <scenario>

The requests come from a session made before ``init`` (so not instrumented itself):
a handler that calls upstream and raises, an ``HTTPException`` 503 with a body the
handler never read, a 403, a JSON POST that calls upstream three times (a 404, the
app's own ``baggage``, a refused port) and reports a message, an oversized body, a
redirect, an unknown route and a request continuing a caller's trace. Prints, as JSON,
the response statuses and the trace headers upstream received. Only the import differs.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import socket
import sys
from typing import Any, Dict, List

from tests.upstream import start_recording_upstream

RECEIVED: List[Dict[str, str]] = []
INCOMING_TRACE = "771a43a4192642f0b136d5159a501700-1234567890abcdef-1"
INCOMING_BAGGAGE = (
    "sentry-trace_id=771a43a4192642f0b136d5159a501700,sentry-sample_rand=0.25,"
    "sentry-sample_rate=1.0,sentry-sampled=true,sentry-environment=upstream"
)

SCENARIOS: Dict[str, Dict[str, Any]] = {
    "transaction": {"traces_sample_rate": 1.0},
    "pii_routes": {
        "traces_sample_rate": 1.0,
        "send_default_pii": True,
        "max_request_body_size": "small",
        "trace_propagation_targets": ["example.org"],
    },
    "unsampled": {"traces_sample_rate": 0.0},
    "no_tracing": {},
    "streaming": {"traces_sample_rate": 1.0, "trace_lifecycle": "stream"},
    "streaming_pii": {
        "traces_sample_rate": 1.0,
        "trace_lifecycle": "stream",
        "send_default_pii": True,
    },
}


def refused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # closed again: nothing listens there


def make_app(sdk: Any, upstream: str) -> Any:
    from aiohttp import ClientError, ClientSession, web

    async def user(request: web.Request) -> web.Response:
        url = f"{upstream}/items?page=2&sort=asc#top"
        async with ClientSession() as session, session.get(url) as response:
            await response.read()
        ratio = 10 / (int(request.match_info["user_id"]) * 0)
        return web.Response(text=f"ratio {ratio}")

    async def busy(request: web.Request) -> web.Response:
        raise web.HTTPServiceUnavailable(text="try later")

    async def forbidden(request: web.Request) -> web.Response:
        raise web.HTTPForbidden()

    async def orders(request: web.Request) -> web.Response:
        order = await request.json()
        async with ClientSession() as session:
            async with session.post(f"{upstream}/missing", json=order) as response:
                await response.read()
            headers = {"baggage": "other-vendor=1"}
            async with session.get(f"{upstream}/with-baggage", headers=headers) as response:
                await response.read()
            try:
                async with session.get(f"http://127.0.0.1:{refused_port()}/down"):
                    pass
            except ClientError:
                pass
        sdk.capture_message("order received")
        return web.json_response({"ok": True})

    async def big(request: web.Request) -> web.Response:
        await request.text()
        raise ValueError("too big to handle")

    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPFound("/elsewhere")

    async def continued(request: web.Request) -> web.Response:
        sdk.capture_message("continued")
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/users/{user_id}", user)
    app.router.add_post("/busy", busy)
    app.router.add_get("/forbidden", forbidden)
    app.router.add_post("/orders", orders)
    app.router.add_post("/big", big)
    app.router.add_get("/moved", moved)
    app.router.add_get("/continue", continued)
    return app


async def run(module: str, dsn: str, name: str) -> List[int]:
    from aiohttp import ClientSession, web

    caller = ClientSession()  # before init: it sends only what we tell it to
    sdk = importlib.import_module(module)
    options = dict(SCENARIOS[name])
    integration = importlib.import_module(f"{module}.integrations.aiohttp").AioHttpIntegration
    if name == "pii_routes":
        options["integrations"] = [
            integration(
                transaction_style="method_and_path_pattern",
                failed_request_status_codes={403, *range(500, 600)},
            )
        ]
    else:
        options["integrations"] = [integration()]
    # sentry_sdk tries to import every library it auto-enables for: seconds per run
    sdk.init(dsn=dsn, release="aiohttp@1", auto_enabling_integrations=False, **options)

    upstream = start_recording_upstream(RECEIVED)
    app = make_app(sdk, f"http://127.0.0.1:{upstream.server_port}")
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    base = f"http://127.0.0.1:{port}"
    common = {
        "User-Agent": "scenario",
        "Cookie": "theme=dark",
        "Authorization": "Bearer secret",
        "X-Custom": "kept",
    }
    statuses = []
    requests = [
        ("GET", "/users/7?page=2", {}),
        ("POST", "/busy", {"data": b"never read"}),
        ("GET", "/forbidden", {}),
        ("POST", "/orders", {"json": {"item": "book", "count": 2}}),
        ("POST", "/big", {"data": b"x" * 2000}),
        ("GET", "/moved", {"allow_redirects": False}),
        ("GET", "/nowhere", {}),
        (
            "GET",
            "/continue",
            {"headers": {**common, "sentry-trace": INCOMING_TRACE, "baggage": INCOMING_BAGGAGE}},
        ),
    ]
    for method, path, kwargs in requests:
        kwargs.setdefault("headers", common)
        async with caller.request(method, base + path, **kwargs) as response:
            await response.read()
            statuses.append(response.status)
    await caller.close()
    await runner.cleanup()
    sdk.capture_message("after the requests")
    sdk.flush(5)
    upstream.shutdown()
    return statuses


def main() -> None:
    module, dsn, name = sys.argv[1:4]
    statuses = asyncio.run(run(module, dsn, name))
    print(json.dumps({"statuses": statuses, "upstream": RECEIVED}))


if __name__ == "__main__":
    main()
