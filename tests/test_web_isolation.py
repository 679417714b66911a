"""Hundreds of concurrent requests, each setting its own user, tags and breadcrumbs.

Threads for Flask and Django, asyncio tasks for Starlette and FastAPI. Every event must
carry only the data of the request that produced it.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
import warnings
from typing import Any, Callable, Dict, List

import pytest

import sentry_lite
from tests.receiver import Receiver
from tests.test_web_support import wait_events

REQUESTS = 200
THREADS = 16


def record(n: int) -> None:
    sentry_lite.set_user({"id": str(n)})
    sentry_lite.set_tag("n", str(n))
    sentry_lite.add_breadcrumb(message=f"crumb {n}")


def check(events: List[Dict[str, Any]]) -> None:
    assert len(events) == REQUESTS
    seen = set()
    for event in events:
        n = event["tags"]["n"]
        assert event["user"]["id"] == n
        crumbs = [c["message"] for c in event["breadcrumbs"]["values"]]
        assert crumbs == [f"crumb {n}"], crumbs
        assert event["request"]["url"].endswith(f"/iso/{n}")
        assert event["exception"]["values"][-1]["value"] == f"iso {n}"
        seen.add(n)
    assert seen == {str(n) for n in range(REQUESTS)}


def run_threads(func: Callable[[int], None]) -> None:
    errors: List[BaseException] = []
    numbers = list(range(REQUESTS))
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                if not numbers:
                    return
                n = numbers.pop()
            try:
                func(n)
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors[:3]


def test_flask_threads(sentry_init: Callable[..., Any], receiver: Receiver) -> None:
    flask = pytest.importorskip("flask")
    sentry_init(transport_queue_size=1000)
    app = flask.Flask("iso")

    @app.route("/iso/<int:n>")
    def iso(n: int) -> str:
        record(n)
        time.sleep(0.001)  # let other threads interleave
        raise ValueError(f"iso {n}")

    local = threading.local()

    def one(n: int) -> None:
        if not hasattr(local, "client"):
            local.client = app.test_client()
        assert local.client.get(f"/iso/{n}").status_code == 500

    run_threads(one)
    check(wait_events(receiver, REQUESTS))


def test_django_threads(sentry_init: Callable[..., Any], receiver: Receiver) -> None:
    pytest.importorskip("django")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.django_app.settings")
    import django

    django.setup()
    from django.test import Client

    sentry_init(transport_queue_size=1000)

    def one(n: int) -> None:
        assert Client(raise_request_exception=False).get(f"/iso/{n}").status_code == 500

    run_threads(one)
    check(wait_events(receiver, REQUESTS))


def asgi_requests(app: Any) -> None:
    httpx = pytest.importorskip("httpx")

    async def main() -> None:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            responses = await asyncio.gather(*(client.get(f"/iso/{n}") for n in range(REQUESTS)))
        assert all(r.status_code == 500 for r in responses)

    asyncio.run(main())


def test_starlette_asyncio(sentry_init: Callable[..., Any], receiver: Receiver) -> None:
    pytest.importorskip("starlette")
    from starlette.applications import Starlette
    from starlette.routing import Route

    sentry_init(transport_queue_size=1000)

    async def iso(request: Any) -> Any:
        n = request.path_params["n"]
        record(n)
        await asyncio.sleep(0.001)
        raise ValueError(f"iso {n}")

    asgi_requests(Starlette(routes=[Route("/iso/{n:int}", iso)]))
    check(wait_events(receiver, REQUESTS))


def test_fastapi_asyncio(sentry_init: Callable[..., Any], receiver: Receiver) -> None:
    pytest.importorskip("fastapi")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi import FastAPI

    sentry_init(transport_queue_size=1000)
    app = FastAPI()

    @app.get("/iso/{n}")
    async def iso(n: int) -> None:
        record(n)
        await asyncio.sleep(0.001)
        raise ValueError(f"iso {n}")

    asgi_requests(app)
    check(wait_events(receiver, REQUESTS))
