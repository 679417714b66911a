"""SentryAsgiMiddleware on bare ASGI apps: request data, bodies, errors, lifespan, tracing."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Callable, Dict

import pytest

import sentry_lite
from sentry_lite.integrations.asgi import SentryAsgiMiddleware
from tests.receiver import Receiver
from tests.test_web_support import asgi_scope, call_asgi, exc_types, mechanism, settle, wait_events


async def read_body(receive: Any) -> bytes:
    body = b""
    more = True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    return body


def make_app(read: bool = True, fail: bool = True) -> Any:
    async def app(scope: Dict[str, Any], receive: Any, send: Any) -> None:
        sentry_lite.set_tag("path", scope["path"])
        if read:
            await read_body(receive)
        if fail:
            raise ValueError("asgi boom")
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    return app


def test_error_reported_once_with_request_data(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    sentry_init()
    scope = asgi_scope(
        "/items/2",
        query=b"a=1%202&secret=x",
        headers=[(b"user-agent", b"t"), (b"authorization", b"Bearer y"), (b"cookie", b"a=b")],
    )
    with pytest.raises(ValueError):
        call_asgi(SentryAsgiMiddleware(make_app(read=False)), scope)
    (event,) = wait_events(receiver, 1)
    assert exc_types(event) == ["ValueError"]
    assert mechanism(event) == {"type": "asgi", "handled": False}
    request = event["request"]
    assert request["url"] == "http://example.com/items/2"
    assert request["method"] == "GET"
    assert request["headers"]["user-agent"] == "t"
    assert request["headers"]["authorization"] == "[Filtered]"
    assert request["headers"]["cookie"] == "[Filtered]"
    assert (
        request["query_string"].startswith("a=1") and "secret=[Filtered]" in request["query_string"]
    )
    assert "env" not in request and "cookies" not in request
    assert event["tags"] == {"path": "/items/2"}
    # endpoint style without a router: the URL names the event
    assert event["transaction"] == "http://example.com/items/2"
    assert event["transaction_info"] == {"source": "url"}
    settle(receiver)
    assert len(receiver.events) == 1


def test_pii_adds_remote_addr_and_cookies(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    sentry_init(send_default_pii=True)
    scope = asgi_scope(
        "/", headers=[(b"cookie", b"a=b"), (b"x-forwarded-for", b"1.1.1.1, 2.2.2.2")]
    )
    with pytest.raises(ValueError):
        call_asgi(SentryAsgiMiddleware(make_app(read=False)), scope)
    (event,) = wait_events(receiver, 1)
    assert event["request"]["env"] == {"REMOTE_ADDR": "1.1.1.1"}
    assert event["request"]["cookies"] == {"a": "b"}


@pytest.mark.parametrize(
    "content_type,body,expected",
    [
        (
            "application/json",
            b'{"name": "n", "password": "p"}',
            {"name": "n", "password": "[Filtered]"},
        ),
        ("application/x-www-form-urlencoded", b"a=1&b=two", {"a": "1", "b": "two"}),
    ],
)
def test_body_the_app_read_is_attached(
    sentry_init: Callable[..., Any],
    receiver: Receiver,
    content_type: str,
    body: bytes,
    expected: Any,
) -> None:
    sentry_init()
    scope = asgi_scope(
        "/post",
        method="POST",
        headers=[
            (b"content-type", content_type.encode()),
            (b"content-length", str(len(body)).encode()),
        ],
    )
    with pytest.raises(ValueError):
        call_asgi(SentryAsgiMiddleware(make_app()), scope, body)
    (event,) = wait_events(receiver, 1)
    assert event["request"]["data"] == expected


def test_unread_body_is_not_read_for_the_event(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    sentry_init()
    body = b'{"a": 1}'
    scope = asgi_scope(
        "/post",
        method="POST",
        headers=[
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
    )
    with pytest.raises(ValueError):
        call_asgi(SentryAsgiMiddleware(make_app(read=False)), scope, body)
    (event,) = wait_events(receiver, 1)
    assert "data" not in event["request"]


@pytest.mark.parametrize(
    "size,option,kept",
    [
        (2000, "small", False),
        (2000, "medium", True),
        (20000, "medium", False),
        (20000, "always", True),
        (10, "never", False),
    ],
)
def test_body_size_limits(
    sentry_init: Callable[..., Any], receiver: Receiver, size: int, option: str, kept: bool
) -> None:
    sentry_init(max_request_body_size=option)
    body = json.dumps({"k": "x" * size}).encode()
    scope = asgi_scope(
        "/post",
        method="POST",
        headers=[
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
    )
    with pytest.raises(ValueError):
        call_asgi(SentryAsgiMiddleware(make_app()), scope, body)
    (event,) = wait_events(receiver, 1)
    if kept:
        assert event["request"]["data"]["k"].startswith("x")
    else:
        assert event["request"]["data"] == ""
        assert event["_meta"]["request"]["data"][""]["rem"] == [["!config", "x"]]


def test_raw_body_is_removed_not_sent(sentry_init: Callable[..., Any], receiver: Receiver) -> None:
    sentry_init()
    body = b"\x00\x01binary"
    scope = asgi_scope(
        "/post",
        method="POST",
        headers=[
            (b"content-type", b"application/octet-stream"),
            (b"content-length", str(len(body)).encode()),
        ],
    )
    with pytest.raises(ValueError):
        call_asgi(SentryAsgiMiddleware(make_app()), scope, body)
    (event,) = wait_events(receiver, 1)
    assert event["request"]["data"] == ""
    assert event["_meta"]["request"]["data"][""]["rem"] == [["!raw", "x"]]


def test_lifespan_errors_are_reported(sentry_init: Callable[..., Any], receiver: Receiver) -> None:
    sentry_init()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise RuntimeError("startup failed")

    async def run() -> None:
        async def receive() -> Dict[str, Any]:
            return {"type": "lifespan.startup"}

        async def send(message: Any) -> None:
            pass

        await SentryAsgiMiddleware(app)({"type": "lifespan"}, receive, send)

    with pytest.raises(RuntimeError):
        asyncio.run(run())
    (event,) = wait_events(receiver, 1)
    assert mechanism(event) == {"type": "asgi", "handled": False}


def test_asgi2_app(sentry_init: Callable[..., Any], receiver: Receiver) -> None:
    sentry_init()

    class App2:
        def __init__(self, scope: Any) -> None:
            self.scope = scope

        async def __call__(self, receive: Any, send: Any) -> None:
            raise KeyError("asgi2")

    with pytest.raises(KeyError):
        call_asgi(SentryAsgiMiddleware(App2), asgi_scope("/v2"))
    (event,) = wait_events(receiver, 1)
    assert exc_types(event) == ["KeyError"]


def test_transaction_and_status(sentry_init: Callable[..., Any], receiver: Receiver) -> None:
    sentry_init(traces_sample_rate=1.0)
    trace_id = "771a43a4192642f0b136d5159a501701"
    scope = asgi_scope(
        "/ok", headers=[(b"sentry-trace", f"{trace_id}-1234567890abcdef-1".encode())]
    )
    status, _ = call_asgi(SentryAsgiMiddleware(make_app(read=False, fail=False)), scope)
    assert status == 200
    (txn,) = wait_events(receiver, 1, "transaction")
    trace = txn["contexts"]["trace"]
    assert trace["trace_id"] == trace_id
    assert trace["parent_span_id"] == "1234567890abcdef"
    assert trace["op"] == "http.server"
    assert trace["data"]["http.response.status_code"] == 200
    assert txn["tags"]["asgi.type"] == "http"
    assert txn["transaction"] == "http://example.com/ok"
    assert txn["transaction_info"] == {"source": "url"}


def test_unknown_middleware_option_warns(caplog: pytest.LogCaptureFixture) -> None:
    SentryAsgiMiddleware(make_app(), not_an_option=1)
    assert "not_an_option" in caplog.text


def test_sdk_failure_never_fails_the_request(
    sentry_init: Callable[..., Any], receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sentry_lite.scope import Scope

    sentry_init()

    def broken_fork(self: Any) -> Any:
        raise RuntimeError("sdk bug")

    monkeypatch.setattr(Scope, "fork", broken_fork)
    weird = asgi_scope("/", headers=[(b"content-length", b"not-a-number")])
    status, body = call_asgi(SentryAsgiMiddleware(make_app(read=False, fail=False)), weird)
    assert (status, body) == (200, b"ok")
    monkeypatch.undo()
    status, body = call_asgi(SentryAsgiMiddleware(make_app(read=False, fail=False)), weird)
    assert (status, body) == (200, b"ok")
