"""Helpers shared by the web integration tests (no tests here)."""

from __future__ import annotations

import asyncio
import io
import sys
from typing import Any, Dict, List, Optional, Tuple

from tests.receiver import Receiver


def wait_events(receiver: Receiver, count: int, item_type: str = "event") -> List[Dict[str, Any]]:
    import sentry_lite

    sentry_lite.flush(5)
    receiver.wait_for(count, item_type=item_type)
    return receiver.events if item_type == "event" else receiver.transactions


def settle(receiver: Receiver) -> None:
    """Flush and give the receiver a moment, for tests that assert nothing more arrived."""
    import time

    import sentry_lite

    sentry_lite.flush(5)
    time.sleep(0.2)


def exc_types(event: Dict[str, Any]) -> List[str]:
    return [v["type"] for v in event["exception"]["values"]]


def mechanism(event: Dict[str, Any]) -> Dict[str, Any]:
    return dict(event["exception"]["values"][-1]["mechanism"])


def environ(
    path: str = "/",
    method: str = "GET",
    query: str = "",
    headers: Optional[Dict[str, str]] = None,
    body: bytes = b"",
) -> Dict[str, Any]:
    env: Dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": query,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "HTTP_HOST": "example.com",
    }
    if body:
        env["CONTENT_LENGTH"] = str(len(body))
    for key, value in (headers or {}).items():
        name = key.upper().replace("-", "_")
        if name in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            env[name] = value
        else:
            env["HTTP_" + name] = value
    return env


def call_wsgi(app: Any, env: Dict[str, Any]) -> Tuple[str, bytes]:
    status: List[str] = []

    def start_response(s: str, headers: Any, exc_info: Any = None) -> Any:
        status.append(s)
        return lambda data: None

    response = app(env, start_response)
    try:
        body = b"".join(response)
    finally:
        close = getattr(response, "close", None)
        if close is not None:
            close()
    return status[0] if status else "", body


def asgi_scope(
    path: str = "/",
    method: str = "GET",
    query: bytes = b"",
    headers: Optional[List[Tuple[bytes, bytes]]] = None,
) -> Dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query,
        "headers": [(b"host", b"example.com"), *(headers or [])],
        "client": ("10.0.0.2", 1234),
        "server": ("example.com", 80),
    }


def call_asgi(app: Any, scope: Dict[str, Any], body: bytes = b"") -> Tuple[int, bytes]:
    sent: List[Dict[str, Any]] = []
    chunks = [body]

    async def receive() -> Dict[str, Any]:
        if chunks:
            return {"type": "http.request", "body": chunks.pop(), "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: Dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    status = next((m["status"] for m in sent if m["type"] == "http.response.start"), 0)
    data = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, data
