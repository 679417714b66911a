"""What the ASGI framework scenarios (Quart, Litestar) share: the app served by uvicorn
on a free 127.0.0.1 port, a list of requests sent to it over real HTTP with httpx, the
response codes back."""

from __future__ import annotations

import asyncio
import socket
from typing import Any, Dict, List


def serve_and_request(app: Any, requests: List[Dict[str, Any]], log_level: str) -> List[int]:
    """Each request is ``{"url": ..., "method": "GET", **httpx keyword arguments}``."""
    import httpx
    import uvicorn

    async def run() -> List[int]:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(app, log_level=log_level, lifespan="off"))
        serving = asyncio.ensure_future(server.serve(sockets=[sock]))
        while not server.started:
            await asyncio.sleep(0.01)
        codes = []
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            for spec in requests:
                spec = dict(spec)
                response = await client.request(spec.pop("method", "GET"), spec.pop("url"), **spec)
                codes.append(response.status_code)
        server.should_exit = True
        await serving
        return codes

    return asyncio.run(run())
