"""FastAPI integration against real FastAPI apps (test client)."""

from __future__ import annotations

import logging
import warnings
from typing import Any, Callable, Dict

import pytest

import sentry_lite
from sentry_lite.integrations.fastapi import FastApiIntegration
from tests.receiver import Receiver
from tests.test_web_support import exc_types, mechanism, settle, wait_events

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi import APIRouter, FastAPI, HTTPException  # noqa: E402
from pydantic import BaseModel  # noqa: E402

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


class Item(BaseModel):
    name: str
    password: str = ""


def make_app() -> FastAPI:
    app = FastAPI()
    router = APIRouter(prefix="/api")

    @router.get("/users/{user_id}")
    async def get_user(user_id: int) -> Dict[str, Any]:
        sentry_lite.set_tag("user", user_id)
        if user_id == 0:
            raise ValueError("no user 0")
        sentry_lite.capture_message("found")
        return {"id": user_id}

    @app.post("/items/{item_id}")
    async def create_item(item_id: int, item: Item) -> Dict[str, Any]:
        raise RuntimeError(f"cannot store {item.name}")

    @app.get("/sync")
    def sync_route() -> Dict[str, Any]:
        raise KeyError("sync")

    @app.get("/down")
    async def down() -> None:
        raise HTTPException(status_code=503, detail="maintenance")

    @app.get("/missing")
    async def missing() -> None:
        raise HTTPException(status_code=404, detail="nope")

    app.include_router(router)
    return app


def client(app: FastAPI) -> TestClient:
    return TestClient(app, raise_server_exceptions=False)


def test_unhandled_error_one_event(sentry_init: Callable[..., Any], receiver: Receiver) -> None:
    sentry_init()
    assert client(make_app()).get("/api/users/0").status_code == 500
    (event,) = wait_events(receiver, 1)
    assert exc_types(event) == ["ValueError"]
    assert mechanism(event) == {"type": "starlette", "handled": False}
    assert event["transaction"] == "/api/users/{user_id}"
    assert event["transaction_info"] == {"source": "route"}
    assert event["tags"] == {"user": 0}
    settle(receiver)
    assert len(receiver.events) == 1


def test_tutorial_exception_handler_returning_tuple(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    """The handler calls capture_exception and returns a tuple: one event, the original."""
    sentry_init()
    app = make_app()

    @app.exception_handler(Exception)
    async def handle(request: Any, exc: Exception) -> Any:
        sentry_lite.capture_exception(exc)
        return ({"error": str(exc)}, 500)

    response = client(app).get("/api/users/0")
    assert response.status_code == 500
    (event,) = wait_events(receiver, 1)
    settle(receiver)
    assert len(receiver.events) == 1
    assert exc_types(event) == ["ValueError"]
    assert mechanism(event) == {"type": "starlette", "handled": False}
    assert event["exception"]["values"][-1]["stacktrace"]["frames"][-1]["function"] == "get_user"


def test_sync_exception_handler_capturing(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    sentry_init()
    app = make_app()

    @app.exception_handler(500)
    def handle(request: Any, exc: Exception) -> Any:
        from fastapi.responses import JSONResponse

        sentry_lite.capture_exception(exc)
        return JSONResponse({"error": "x"}, status_code=500)

    assert client(app).get("/sync").status_code == 500
    (event,) = wait_events(receiver, 1)
    settle(receiver)
    assert len(receiver.events) == 1
    assert exc_types(event) == ["KeyError"]


def test_body_is_attached(sentry_init: Callable[..., Any], receiver: Receiver) -> None:
    sentry_init()
    client(make_app()).post("/items/5", json={"name": "lamp", "password": "p"})
    (event,) = wait_events(receiver, 1)
    assert event["request"]["data"] == {"name": "lamp", "password": "[Filtered]"}
    assert event["request"]["method"] == "POST"
    assert event["transaction"] == "/items/{item_id}"


def test_http_exceptions(sentry_init: Callable[..., Any], receiver: Receiver) -> None:
    sentry_init()
    app = make_app()
    assert client(app).get("/down").status_code == 503
    assert client(app).get("/missing").status_code == 404
    (event,) = wait_events(receiver, 1)
    settle(receiver)
    assert len(receiver.events) == 1
    assert mechanism(event) == {"type": "starlette", "handled": True}


@pytest.mark.parametrize(
    "style,name,source",
    [
        ("url", "/api/users/{user_id}", "route"),
        ("endpoint", "tests.test_fastapi.make_app.<locals>.get_user", "component"),
    ],
)
def test_transactions(
    sentry_init: Callable[..., Any], receiver: Receiver, style: str, name: str, source: str
) -> None:
    sentry_init(integrations=[FastApiIntegration(transaction_style=style)], traces_sample_rate=1.0)
    trace_id = "771a43a4192642f0b136d5159a501702"
    client(make_app()).get(
        "/api/users/4", headers={"sentry-trace": f"{trace_id}-1234567890abcdef-1"}
    )
    (event,) = wait_events(receiver, 1)
    (txn,) = wait_events(receiver, 1, "transaction")
    assert (txn["transaction"], txn["transaction_info"]["source"]) == (name, source)
    assert (event["transaction"], event["transaction_info"]["source"]) == (name, source)
    trace = txn["contexts"]["trace"]
    assert trace["trace_id"] == trace_id == event["contexts"]["trace"]["trace_id"]
    assert trace["op"] == "http.server"
    assert trace["origin"] == "auto.http.starlette"
    assert trace["status"] == "ok"


def test_unknown_option_warns(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="sentry_lite"):
        FastApiIntegration(transaction_style="url", typo=1)  # type: ignore[call-arg]
    assert "typo" in caplog.text
