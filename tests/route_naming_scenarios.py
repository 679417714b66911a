"""A web request whose view calls another service, under sentry_sdk or sentry_lite.

Usage: python -m tests.route_naming_scenarios <sdk module> <dsn> <framework> <rate>

Prints JSON: the transaction's name as the view sees it, and the ``sentry-transaction``
of the baggage that the upstream service received from the view's outgoing call. Only
the import differs between the two SDKs' runs.
"""

from __future__ import annotations

import http.client
import importlib
import io
import json
import sys
from typing import Any, Callable, Dict, List

from tests.upstream import start_recording_upstream

SEEN: Dict[str, Any] = {}


def view_work(sdk: Any, port: int) -> None:
    """What each framework's view does: note the name, call the upstream service."""
    transaction = sdk.get_current_scope().transaction
    SEEN["name_in_view"] = transaction.name if transaction is not None else None
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request("GET", "/upstream")
    connection.getresponse().read()
    sdk.capture_message("in the view")


def flask_app(sdk: Any, port: int) -> Callable[[], None]:
    import flask

    app = flask.Flask("named")

    @app.route("/users/<int:user_id>")
    def user(user_id: int) -> str:
        view_work(sdk, port)
        return "hello"

    return lambda: app.test_client().get("/users/3")


def starlette_app(sdk: Any, port: int) -> Callable[[], None]:
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route
    from starlette.testclient import TestClient

    def user(request: Any) -> Any:
        view_work(sdk, port)
        return PlainTextResponse("hello")

    app = Starlette(routes=[Route("/users/{user_id}", user)])
    return lambda: TestClient(app).get("/users/3")


def fastapi_app(sdk: Any, port: int) -> Callable[[], None]:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    app = FastAPI()

    @app.get("/users/{user_id}")
    def user(user_id: int) -> Dict[str, int]:
        view_work(sdk, port)
        return {"user": user_id}

    return lambda: TestClient(app).get("/users/3")


def django_app(sdk: Any, port: int) -> Callable[[], None]:
    import django
    from django.conf import settings

    settings.configure(
        DEBUG=False,
        ROOT_URLCONF=__name__,
        ALLOWED_HOSTS=["*"],
        SECRET_KEY="route-naming",
        MIDDLEWARE=[],
    )
    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.http import HttpResponse
    from django.urls import path

    def user(request: Any, user_id: int) -> Any:
        view_work(sdk, port)
        return HttpResponse("hello")

    sys.modules[__name__].urlpatterns = [path("users/<int:user_id>", user)]  # type: ignore[attr-defined]
    handler = WSGIHandler()

    def call() -> None:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": "/users/3",
            "QUERY_STRING": "",
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "localhost",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "wsgi.version": (1, 0),
        }
        response = handler(environ, lambda status, headers, exc_info=None: None)
        for _ in response:
            pass
        response.close()

    return call


APPS = {
    "flask": ("flask", "FlaskIntegration", flask_app),
    "starlette": ("starlette", "StarletteIntegration", starlette_app),
    "fastapi": ("fastapi", "FastApiIntegration", fastapi_app),
    "django": ("django", "DjangoIntegration", django_app),
}


def main() -> None:
    module, dsn, framework, rate = sys.argv[1:5]
    sdk = importlib.import_module(module)
    package, integration, build = APPS[framework]
    integrations = importlib.import_module(f"{module}.integrations.{package}")
    sdk.init(
        dsn=dsn,
        release="named@1",
        traces_sample_rate=float(rate),
        integrations=[getattr(integrations, integration)()],
    )
    received: List[Dict[str, str]] = []
    server = start_recording_upstream(received)
    build(sdk, server.server_port)()
    sdk.flush(5)
    server.shutdown()
    items = dict(part.split("=", 1) for part in received[0]["baggage"].split(",") if "=" in part)
    SEEN["baggage_transaction"] = items.get("sentry-transaction")
    SEEN["baggage_sampled"] = items.get("sentry-sampled")
    print(json.dumps(SEEN))


if __name__ == "__main__":
    main()
