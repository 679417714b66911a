"""Span streaming scenarios run under sentry_sdk or sentry_lite in a fresh interpreter.

Usage: python -m tests.stream_scenarios <sdk module> <dsn> <scenario>
Only the import differs between the two runs (the drop-in promise).
"""

from __future__ import annotations

import asyncio
import importlib
import json
import sys
from typing import Any, Callable, Dict, List

SCENARIOS: Dict[str, Callable[[Any], None]] = {}
INCOMING = {
    "sentry-trace": "771a43a4192642f0b136d5159a501700-1234567890abcdef-1",
    "baggage": "sentry-trace_id=771a43a4192642f0b136d5159a501700,sentry-sample_rand=0.250000,"
    "sentry-sample_rate=0.5,sentry-environment=upstream,sentry-transaction=upstream,"
    "other-vendor=1",
}


def scenario(func: Callable[[Any], None]) -> Callable[[Any], None]:
    SCENARIOS[func.__name__] = func
    return func


class Opaque:
    def __repr__(self) -> str:
        return "<Opaque>"


def start_upstream() -> Any:
    """A local HTTP server for outgoing-request spans: 200 "ok", or 500 for a path with
    "fail" in it; stopped with ``.shutdown()`` (or with the scenario's process)."""
    import http.server
    import threading

    class Upstream(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(500 if "fail" in self.path else 200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def before_send_span(span: Dict[str, Any], hint: Dict[str, Any]) -> Dict[str, Any]:
    if span["name"] == "rename me":
        span["name"] = "renamed"
        span["attributes"]["hooked"] = True
    return span


@scenario
def segment_with_children(sdk: Any) -> None:
    sdk.set_attribute("app.tier", "web")
    sdk.get_current_scope().set_attribute("scope.attr", 3)
    sdk.set_attributes({"removed": 1, "kept": 2.5})
    sdk.remove_attribute("removed")
    with sdk.traces.start_span(
        name="GET /users/{id}",
        attributes={"sentry.op": "http.server", "sentry.segment.name.source": "route"},
    ):
        with sdk.traces.start_span(
            name="SELECT * FROM users", attributes={"sentry.op": "db", "db.system": "postgresql"}
        ) as db:
            db.set_attribute("db.rows", 3)
            db.set_attribute("tags", ["a", "b"])
            db.set_attribute("mixed", [1, "x"])
            db.set_attribute("ratio", 0.5)
            db.set_attribute("flag", True)
            db.set_attribute("object", Opaque())
        with (
            sdk.traces.start_span(name="ignored span"),
            sdk.traces.start_span(name="child of ignored"),
        ):
            pass
        with sdk.traces.start_span(name="rename me"):
            pass
        try:
            with sdk.traces.start_span(name="fails", attributes={"sentry.op": "function"}):
                raise ValueError("boom")
        except ValueError:
            pass
        span = sdk.traces.start_span(name="inactive", active=False)
        with sdk.traces.start_span(name="sibling of inactive"):
            pass
        span.status = sdk.traces.SpanStatus.ERROR
        span.end()


@scenario
def continued_trace(sdk: Any) -> None:
    sdk.traces.continue_trace(INCOMING)
    with sdk.traces.start_span(name="downstream"), sdk.traces.start_span(name="work"):
        pass


@scenario
def decorated(sdk: Any) -> None:
    @sdk.traces.trace
    def plain() -> int:
        return 1

    @sdk.traces.trace(name="custom name", attributes={"k": "v"})
    async def coro() -> int:
        return 2

    with sdk.traces.start_span(name="root"):
        plain()
        asyncio.run(coro())


@scenario
def asyncio_fan_out(sdk: Any) -> None:
    async def work(i: int) -> None:
        with sdk.traces.start_span(name=f"task {i}", attributes={"sentry.op": "task"}):
            await asyncio.sleep(0.01 * (3 - i))
            with sdk.traces.start_span(name=f"inner {i}"):
                await asyncio.sleep(0)

    async def main() -> None:
        with sdk.traces.start_span(name="fan-out"):
            await asyncio.gather(*(work(i) for i in range(3)))

    asyncio.run(main())


@scenario
def error_in_segment(sdk: Any) -> None:
    with sdk.traces.start_span(name="with error", attributes={"sentry.op": "task"}):
        sdk.capture_message("inside")


@scenario
def flask_request(sdk: Any) -> None:
    """A Flask request with a DB query and an outgoing HTTP call, in streaming mode."""
    import http.client

    import flask
    import sqlalchemy

    server = start_upstream()
    engine = sqlalchemy.create_engine("sqlite://")
    app = flask.Flask("streamed")

    @app.route("/users/<int:user_id>")
    def user(user_id: int) -> str:
        with engine.connect() as conn:
            conn.execute(sqlalchemy.text("SELECT 1"))
        connection = http.client.HTTPConnection("127.0.0.1", server.server_port)
        connection.request("GET", "/upstream")
        connection.getresponse().read()
        return "hello"

    assert app.test_client().get("/users/3").status_code == 200
    server.shutdown()


@scenario
def outgoing_with_pii(sdk: Any) -> None:
    """An HTTP call with a query and fragment and a named SQLite database, with PII on:
    ``url.*`` and ``db.namespace`` under their streaming names."""
    import http.client

    import sqlalchemy

    server = start_upstream()
    engine = sqlalchemy.create_engine("sqlite:///:memory:")
    with sdk.traces.start_span(name="job"):
        with engine.connect() as conn:
            conn.execute(sqlalchemy.text("SELECT 1"))
        connection = http.client.HTTPConnection("127.0.0.1", server.server_port)
        connection.request("GET", "/upstream?page=2&q=x#top")
        connection.getresponse().read()
    server.shutdown()


@scenario
def flask_headers_collected(sdk: Any) -> None:
    """A Flask request's headers on its streamed segment under ``data_collection``
    (``INIT_OPTIONS``): the header rules apply, as on error events."""
    import flask

    app = flask.Flask("collected")

    @app.route("/ping")
    def ping() -> str:
        return "pong"

    headers = {"X-Custom-Token": "t", "X-Other": "o", "Authorization": "Bearer s"}
    assert app.test_client().get("/ping", headers=headers).status_code == 200


@scenario
def sql_outside_any_span(sdk: Any) -> None:
    """SQLAlchemy statements with no span running, then one under a segment."""
    import sqlalchemy

    engine = sqlalchemy.create_engine("sqlite:///:memory:")
    with engine.connect() as conn:
        conn.execute(sqlalchemy.text("SELECT 1"))
    sdk.flush()  # the two segments share the trace: one envelope each, whatever the timing
    with sdk.traces.start_span(name="job"), engine.connect() as conn:
        conn.execute(sqlalchemy.text("SELECT 2"))


@scenario
def subprocess_calls(sdk: Any) -> None:
    """Subprocesses inside a segment (their pid under its streaming name) and one waited
    for with no span running (no span)."""
    import os
    import subprocess
    import sys

    with sdk.traces.start_span(name="job"):
        subprocess.run([sys.executable, "-c", "pass"], cwd=os.getcwd(), check=True)
        with subprocess.Popen([sys.executable, "-c", "pass"]) as child:
            child.wait()
    subprocess.Popen([sys.executable, "-c", "pass"]).wait()


@scenario
def starlette_middleware_spans(sdk: Any) -> None:
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route
    from starlette.testclient import TestClient

    class Passing:
        def __init__(self, app: Any) -> None:
            self.app = app

        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            async def forward(message: Any) -> None:
                await send(message)

            await self.app(scope, receive, forward)

    async def hello(request: Any) -> Any:
        return PlainTextResponse("ok")

    app = Starlette(routes=[Route("/hello", hello)], middleware=[Middleware(Passing)])
    TestClient(app).get("/hello")


@scenario
def starlette_sync_endpoint(sdk: Any) -> None:
    """A sync endpoint runs on a worker thread: the segment names that thread."""
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route
    from starlette.testclient import TestClient

    def hello(request: Any) -> Any:
        return PlainTextResponse("ok")

    TestClient(Starlette(routes=[Route("/hello", hello)])).get("/hello")


INIT_OPTIONS: Dict[str, Dict[str, Any]] = {
    "flask_headers_collected": {
        "data_collection": {"http_headers": {"request": {"mode": "denylist", "terms": ["other"]}}}
    },
    "outgoing_with_pii": {"send_default_pii": True},
    "segment_with_children": {
        "ignore_spans": ["ignored span"],
        "before_send_span": before_send_span,
    },
}


# -- c-http: outgoing HTTP and SQLAlchemy spans in streaming mode --------------------------
CRUMBS: List[Dict[str, Any]] = []


def keep_crumb(crumb: Dict[str, Any], hint: Any) -> Dict[str, Any]:
    # sentry_sdk records its own envelope POSTs when the DSN has a port; we skip our ingest
    if crumb.get("data", {}).get("http.request.method") != "POST":
        CRUMBS.append({k: v for k, v in crumb.items() if k != "timestamp"})
    return crumb


def _http_and_sql(sdk: Any) -> None:
    """Requests (absolute URLs, so the names carry no port) and statements under a
    parent, one request without; the breadcrumbs go out as an attribute to compare."""
    import http.client

    import sqlalchemy

    server = start_upstream()
    engine = sqlalchemy.create_engine("sqlite:///:memory:")

    def get(path: str) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", server.server_port)
        conn.request("GET", "http://api.example.com" + path)
        conn.getresponse().read()

    get("/outside?x=1")
    with sdk.traces.start_span(name="parent"):
        get("/up?toy=ball&auth=secret#frag")
        get("/fail")
        with engine.connect() as conn:
            conn.execute(sqlalchemy.text("SELECT 1"))
    server.shutdown()
    with sdk.traces.start_span(name="breadcrumbs") as span:
        span.set_attribute("crumbs", json.dumps(CRUMBS, sort_keys=True))


SOURCES = {"http_request_source_threshold_ms": 0, "db_query_source_threshold_ms": 0}
for _name, _options in {
    "http_sql_defaults": {},
    "http_sql_pii": {"send_default_pii": True, **SOURCES},
    "http_sql_data_collection": {"data_collection": {}, **SOURCES},
    "http_sql_query_off": {"data_collection": {"url_query_params": {"mode": "off"}}},
}.items():
    SCENARIOS[_name] = _http_and_sql
    INIT_OPTIONS[_name] = {"before_breadcrumb": keep_crumb, **_options}


def main() -> None:
    module_name, dsn, name = sys.argv[1:4]
    sdk = importlib.import_module(module_name)
    options: Dict[str, Any] = {
        "release": "side@1",
        "environment": "test",
        "server_name": "host",
        "traces_sample_rate": 1.0,
        "trace_lifecycle": "stream",
        "default_integrations": False,
    }
    options.update(INIT_OPTIONS.get(name, {}))
    if name == "subprocess_calls":
        stdlib = importlib.import_module(module_name + ".integrations.stdlib")
        options["integrations"] = [stdlib.StdlibIntegration()]
    if name == "sql_outside_any_span":
        sqlalchemy_integration = importlib.import_module(module_name + ".integrations.sqlalchemy")
        options["integrations"] = [sqlalchemy_integration.SqlalchemyIntegration()]
    if name == "outgoing_with_pii":
        sqlalchemy_integration = importlib.import_module(module_name + ".integrations.sqlalchemy")
        stdlib = importlib.import_module(module_name + ".integrations.stdlib")
        options["integrations"] = [
            sqlalchemy_integration.SqlalchemyIntegration(),
            stdlib.StdlibIntegration(),
        ]
    if name == "flask_headers_collected":
        flask_integration = importlib.import_module(module_name + ".integrations.flask")
        options["integrations"] = [flask_integration.FlaskIntegration()]
    if name == "flask_request" or name.startswith("http_sql_"):
        flask_integration = importlib.import_module(module_name + ".integrations.flask")
        sqlalchemy_integration = importlib.import_module(module_name + ".integrations.sqlalchemy")
        stdlib = importlib.import_module(module_name + ".integrations.stdlib")
        options["integrations"] = [
            flask_integration.FlaskIntegration(),
            sqlalchemy_integration.SqlalchemyIntegration(),
            stdlib.StdlibIntegration(),
        ]
    if name.startswith("starlette_"):
        starlette = importlib.import_module(module_name + ".integrations.starlette")
        options["integrations"] = [
            starlette.StarletteIntegration(middleware_spans=name.endswith("middleware_spans"))
        ]
    sdk.init(dsn=dsn, **options)
    SCENARIOS[name](sdk)
    sdk.flush(10)


if __name__ == "__main__":
    main()
