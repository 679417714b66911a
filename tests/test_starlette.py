"""Starlette integration against real Starlette apps (test client)."""

from __future__ import annotations

import json
import logging
import warnings
from typing import Any, Callable

import pytest

import sentry_lite
from sentry_lite.integrations.starlette import StarletteIntegration
from tests.receiver import Receiver
from tests.test_web_support import exc_types, mechanism, settle, wait_events

pytest.importorskip("starlette")
pytest.importorskip("httpx")

from starlette.applications import Starlette  # noqa: E402
from starlette.authentication import (  # noqa: E402
    AuthCredentials,
    AuthenticationBackend,
    SimpleUser,
)
from starlette.exceptions import HTTPException  # noqa: E402
from starlette.middleware import Middleware  # noqa: E402
from starlette.middleware.authentication import AuthenticationMiddleware  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import JSONResponse, PlainTextResponse  # noqa: E402
from starlette.routing import Route  # noqa: E402

with warnings.catch_warnings():  # "use httpx2" deprecation notice of newer Starlette
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient


async def items(request: Request) -> Any:
    sentry_lite.set_tag("item", request.path_params["item_id"])
    if request.query_params.get("fail"):
        raise ValueError("starlette boom")
    if request.query_params.get("message"):
        sentry_lite.capture_message("hello")
    return PlainTextResponse("ok")


async def post(request: Request) -> Any:
    data = await request.json()
    raise RuntimeError("bad " + str(len(data)))


async def http_error(request: Request) -> Any:
    raise HTTPException(status_code=int(request.path_params["code"]))


def sync_view(request: Request) -> Any:
    raise KeyError("sync view")


async def whoami(request: Request) -> Any:
    raise ValueError("as " + request.user.display_name)


class HeaderAuth(AuthenticationBackend):
    async def authenticate(self, conn: Any) -> Any:
        name = conn.headers.get("x-user")
        if not name:
            return None
        return AuthCredentials(["authenticated"]), SimpleUser(name)


def make_app(**kwargs: Any) -> Starlette:
    routes = [
        Route("/items/{item_id:int}", items),
        Route("/post", post, methods=["POST"]),
        Route("/http/{code:int}", http_error),
        Route("/sync", sync_view),
        Route("/me", whoami),
    ]
    middleware = [Middleware(AuthenticationMiddleware, backend=HeaderAuth())]
    return Starlette(routes=routes, middleware=middleware, **kwargs)


def client(app: Starlette) -> TestClient:
    return TestClient(app, raise_server_exceptions=False)


def test_unhandled_error_one_event(sentry_init: Callable[..., Any], receiver: Receiver) -> None:
    sentry_init()
    response = client(make_app()).get("/items/3?fail=1")
    assert response.status_code == 500
    (event,) = wait_events(receiver, 1)
    assert exc_types(event) == ["ValueError"]
    assert mechanism(event) == {"type": "starlette", "handled": False}
    assert event["transaction"] == "/items/{item_id:int}"
    assert event["transaction_info"] == {"source": "route"}
    assert event["request"]["url"] == "http://testserver/items/3"
    assert event["request"]["query_string"] == "fail=1"
    assert event["tags"] == {"item": 3}
    settle(receiver)
    assert len(receiver.events) == 1


def test_sync_endpoint_error(sentry_init: Callable[..., Any], receiver: Receiver) -> None:
    sentry_init()
    client(make_app()).get("/sync")
    (event,) = wait_events(receiver, 1)
    assert exc_types(event) == ["KeyError"]
    assert event["transaction"] == "/sync"


@pytest.mark.parametrize(
    "style,name,source",
    [
        ("url", "/items/{item_id:int}", "route"),
        ("endpoint", "tests.test_starlette.items", "component"),
    ],
)
def test_transaction_style(
    sentry_init: Callable[..., Any], receiver: Receiver, style: str, name: str, source: str
) -> None:
    sentry_init(
        integrations=[StarletteIntegration(transaction_style=style)], traces_sample_rate=1.0
    )
    client(make_app()).get("/items/1?message=1")
    (event,) = wait_events(receiver, 1)
    (txn,) = wait_events(receiver, 1, "transaction")
    assert (event["transaction"], event["transaction_info"]["source"]) == (name, source)
    assert (txn["transaction"], txn["transaction_info"]["source"]) == (name, source)
    trace = txn["contexts"]["trace"]
    assert trace["op"] == "http.server"
    assert trace["origin"] == "auto.http.starlette"
    assert trace["data"]["http.response.status_code"] == 200


def test_http_exception_5xx_reported_handled(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    sentry_init()
    app = make_app()
    assert client(app).get("/http/503").status_code == 503
    assert client(app).get("/http/404").status_code == 404
    (event,) = wait_events(receiver, 1)
    settle(receiver)
    assert len(receiver.events) == 1
    assert exc_types(event) == ["HTTPException"]
    assert mechanism(event) == {"type": "starlette", "handled": True}


def test_failed_request_status_codes_option(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    sentry_init(integrations=[StarletteIntegration(failed_request_status_codes={404})])
    app = make_app()
    client(app).get("/http/503")
    client(app).get("/http/404")
    (event,) = wait_events(receiver, 1)
    settle(receiver)
    assert len(receiver.events) == 1
    assert event["exception"]["values"][-1]["value"] == "Not Found"


def test_legacy_list_of_ranges(sentry_init: Callable[..., Any], receiver: Receiver) -> None:
    sentry_init(
        integrations=[StarletteIntegration(failed_request_status_codes=[range(400, 405), 418])]
    )
    app = make_app()
    client(app).get("/http/404")
    client(app).get("/http/503")
    wait_events(receiver, 1)
    settle(receiver)
    assert len(receiver.events) == 1


def test_json_body_and_user_with_pii(sentry_init: Callable[..., Any], receiver: Receiver) -> None:
    sentry_init(send_default_pii=True)
    c = client(make_app())
    c.post("/post", json={"a": 1, "password": "p"}, headers={"x-user": "ada"})
    (event,) = wait_events(receiver, 1)
    assert event["request"]["data"] == {"a": 1, "password": "[Filtered]"}
    assert event["user"]["username"] == "ada"
    assert event["request"]["env"]["REMOTE_ADDR"] == "testclient"


def test_user_not_sent_without_pii(sentry_init: Callable[..., Any], receiver: Receiver) -> None:
    sentry_init()
    client(make_app()).get("/me", headers={"x-user": "ada"})
    (event,) = wait_events(receiver, 1)
    assert not (event.get("user") or {}).get("username")


def test_error_handler_that_captures_is_one_event(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    sentry_init()

    async def on_error(request: Request, exc: Exception) -> Any:
        sentry_lite.capture_exception(exc)
        return JSONResponse({"error": str(exc)}, status_code=500)

    app = make_app(exception_handlers={Exception: on_error})
    response = client(app).get("/items/1?fail=1")
    assert response.status_code == 500
    assert response.json() == {"error": "starlette boom"}
    (event,) = wait_events(receiver, 1)
    settle(receiver)
    assert len(receiver.events) == 1
    assert mechanism(event) == {"type": "starlette", "handled": False}


def test_unknown_option_warns(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="sentry_lite"):
        StarletteIntegration(transaction_style="url", not_real=1)  # type: ignore[call-arg]
    assert "not_real" in caplog.text


def test_templates_get_trace_meta(
    sentry_init: Callable[..., Any], receiver: Receiver, tmp_path: Any
) -> None:
    pytest.importorskip("jinja2")
    from starlette.templating import Jinja2Templates

    sentry_init(traces_sample_rate=1.0)
    (tmp_path / "page.html").write_text("<head>{{ sentry_trace_meta }}</head>")
    templates = Jinja2Templates(directory=str(tmp_path))

    async def page(request: Request) -> Any:
        return templates.TemplateResponse(request, "page.html")

    body = client(Starlette(routes=[Route("/page", page)])).get("/page").text
    assert '<meta name="sentry-trace"' in body


def test_middleware_spans(sentry_init: Callable[..., Any], receiver: Receiver) -> None:
    class Custom:
        def __init__(self, app: Any) -> None:
            self.app = app

        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            await self.app(scope, receive, send)

    sentry_init(traces_sample_rate=1.0, integrations=[StarletteIntegration(middleware_spans=True)])
    app = Starlette(routes=[Route("/items/{item_id:int}", items)], middleware=[Middleware(Custom)])
    assert client(app).get("/items/1").status_code == 200
    (txn,) = wait_events(receiver, 1, "transaction")
    names = [s["description"] for s in txn["spans"] if s["op"] == "middleware.starlette"]
    assert names == ["ServerErrorMiddleware", "Custom", "ExceptionMiddleware"]
    assert all(s["tags"]["starlette.middleware_name"] for s in txn["spans"])


def test_no_middleware_wrapping_by_default(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    sentry_init(traces_sample_rate=1.0)
    app = make_app()
    assert client(app).get("/items/1").status_code == 200
    assert type(app.middleware_stack).__name__ == "ServerErrorMiddleware"
    (txn,) = wait_events(receiver, 1, "transaction")
    assert txn["spans"] == []


def test_websocket_errors_and_transactions(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    from starlette.routing import WebSocketRoute
    from starlette.websockets import WebSocket

    async def ws(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.receive_text()
        raise ValueError("ws boom")

    sentry_init(traces_sample_rate=1.0)
    app = Starlette(routes=[WebSocketRoute("/ws", ws)])
    with pytest.raises(ValueError), client(app).websocket_connect("/ws") as conn:
        conn.send_text("hi")
        conn.receive_text()
    (event,) = wait_events(receiver, 1)
    (txn,) = wait_events(receiver, 1, "transaction")
    assert mechanism(event) == {"type": "starlette", "handled": False}
    assert event["request"]["url"] == "ws://testserver/ws"
    assert txn["contexts"]["trace"]["op"] == "websocket.server"
    assert txn["transaction"] == "/ws"
    assert txn["tags"]["asgi.type"] == "websocket"


# -- i11data: conformance fixes ------------------------------------------------------


def test_asgi_middleware_around_starlette_app_is_seen_as_asgi3(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    """sentry_sdk's legacy setup: the app wrapped in SentryAsgiMiddleware as well. The
    test client inspects ``__call__`` to tell ASGI 3 from 2; it used to pick 2 and crash."""
    from sentry_lite.integrations.asgi import SentryAsgiMiddleware

    sentry_init()
    c = client(SentryAsgiMiddleware(make_app()))
    assert c.get("/items/7?message=1").status_code == 200
    (event,) = wait_events(receiver, 1)
    assert event["transaction"] == "/items/{item_id:int}"  # the integration's url style


def test_list_of_failed_codes_is_deprecated_as_in_sentry_sdk() -> None:
    import sentry_sdk.integrations.starlette as reference

    for integration in (reference.StarletteIntegration, StarletteIntegration):
        with pytest.warns(DeprecationWarning, match="failed_request_status_codes"):
            integration(failed_request_status_codes=[range(500, 600)])
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            integration(failed_request_status_codes={500})


# -- span streaming (trace_lifecycle="stream") -----------------------------------------------


@pytest.mark.parametrize("pii", [False, True])
def test_streamed_segment_has_the_request_attributes(
    sentry_init: Callable[..., Any], receiver: Receiver, pii: bool
) -> None:
    """sentry_sdk 2.75's request attributes on the ``http.server`` segment: the route,
    the body the endpoint read (as JSON), and the URL, query and client address only
    where the privacy settings allow them."""

    async def create(request: Request) -> JSONResponse:
        return JSONResponse(await request.json())

    sentry_init(
        integrations=[StarletteIntegration(transaction_style="url")],
        traces_sample_rate=1.0,
        trace_lifecycle="stream",
        send_default_pii=pii,
    )
    app = Starlette(routes=[Route("/items/{item_id}", create, methods=["POST"])])
    response = TestClient(app).post("/items/7?color=red", json={"name": "ball"})
    assert response.status_code == 200
    sentry_lite.flush(5)
    (segment,) = [
        span
        for item in receiver.items("span")
        for span in item.get_json()["items"]
        if span["is_segment"]
    ]
    attributes = {k: v["value"] for k, v in segment["attributes"].items()}
    assert segment["name"] == "/items/{item_id}"
    assert attributes["http.route"] == "/items/{item_id}"
    assert attributes["http.request.method"] == "POST"
    assert attributes["http.response.status_code"] == 200
    assert json.loads(attributes["http.request.body.data"]) == {"name": "ball"}
    private = {"url.full", "url.path", "http.query", "client.address"}
    if pii:
        assert attributes["url.full"] == "http://testserver/items/7?color=red"
        assert attributes["http.query"] == "color=red"
        assert attributes["client.address"] == "testclient"
    else:
        assert not private & set(attributes)
