# ruff: noqa: E501 - the child script keeps long lines readable as one block
"""Side by side: the same web app under sentry_sdk and sentry_lite, envelopes compared.

Each scenario runs in a fresh interpreter per SDK (both patch the same frameworks), with
the app code identical except for the import. We compare the fields that matter on the
wire: exception and mechanism, transaction name and source, request data, trace context,
span ops. Intentional differences are asserted here and listed in docs/frameworks/.
"""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

import pytest

from tests.receiver import Receiver
from tests.sdk_child import run_child

pytest.importorskip("sentry_sdk")

CHILD = r"""
import os, sys, warnings
warnings.simplefilter("ignore")
sdk_name, dsn, scenario = sys.argv[1:4]
sentry_sdk = __import__(sdk_name)
import logging
logging.disable(logging.CRITICAL)
traces = 1.0 if scenario.endswith("_txn") else None
framework = scenario.split("_")[0]

if framework == "flask":
    FlaskIntegration = __import__(sdk_name + ".integrations.flask", fromlist=["x"]).FlaskIntegration
    sentry_sdk.init(dsn=dsn, traces_sample_rate=traces, release="r@1",
                    integrations=[FlaskIntegration(transaction_style="url")])
    from flask import Flask, request
    app = Flask("sbs")

    @app.route("/hello/<name>", methods=["GET", "POST"])
    def hello(name):
        sentry_sdk.set_tag("name", name)
        if name == "boom":
            request.get_json(silent=True)
            raise ValueError("flask boom")
        return "hi"

    if scenario == "flask_errorhandler":
        @app.errorhandler(500)
        def on_500(error):
            sentry_sdk.capture_exception(error)
            return "err", 500

    c = app.test_client()
    if scenario.endswith("_txn"):
        c.get("/hello/ada?x=1", headers={"sentry-trace": "0123456789abcdef0123456789abcdef-89abcdef01234567-1"})
    else:
        c.post("/hello/boom?x=1", json={"a": 1, "password": "p"}, headers={"User-Agent": "sbs", "Authorization": "secret"})

elif framework == "fastapi":
    FastApiIntegration = __import__(sdk_name + ".integrations.fastapi", fromlist=["x"]).FastApiIntegration
    StarletteIntegration = __import__(sdk_name + ".integrations.starlette", fromlist=["x"]).StarletteIntegration
    sentry_sdk.init(dsn=dsn, traces_sample_rate=traces, release="r@1",
                    integrations=[StarletteIntegration(), FastApiIntegration()])
    from fastapi import FastAPI
    from fastapi.testclient import TestClient
    from pydantic import BaseModel
    app = FastAPI()

    class Item(BaseModel):
        name: str
        password: str = ""

    @app.post("/items/{item_id}")
    async def create(item_id: int, item: Item):
        sentry_sdk.set_tag("item", item_id)
        raise ValueError("fastapi boom")

    @app.get("/items/{item_id}")
    async def read(item_id: int):
        return {"id": item_id}

    if scenario == "fastapi_tuple":
        @app.exception_handler(Exception)
        async def handler(request, exc):
            sentry_sdk.capture_exception(exc)
            return ({"error": str(exc)}, 500)

    c = TestClient(app, raise_server_exceptions=False)
    if scenario.endswith("_txn"):
        c.get("/items/3?x=1", headers={"sentry-trace": "0123456789abcdef0123456789abcdef-89abcdef01234567-1"})
    else:
        c.post("/items/3?x=1", json={"name": "n", "password": "p"}, headers={"user-agent": "sbs", "authorization": "secret"})

elif framework == "django":
    import django
    from django.conf import settings
    DjangoIntegration = __import__(sdk_name + ".integrations.django", fromlist=["x"]).DjangoIntegration
    sentry_sdk.init(dsn=dsn, traces_sample_rate=traces, release="r@1", integrations=[DjangoIntegration()])
    settings.configure(DEBUG=False, SECRET_KEY="x", ROOT_URLCONF="tests.django_app.urls",
                       ALLOWED_HOSTS=["*"], INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "tests.django_app"],
                       DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
                       TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates",
                                   "DIRS": [os.path.join("tests", "django_app", "templates")]}],
                       LOGGING_CONFIG=None, DEFAULT_AUTO_FIELD="django.db.models.AutoField")
    django.setup()
    from django.core.management import call_command
    call_command("migrate", run_syncdb=True, verbosity=0)
    # Through the real WSGI entry point: sentry_sdk only traces requests that pass it.
    from django.core.handlers.wsgi import WSGIHandler
    from werkzeug.test import Client
    c = Client(WSGIHandler())
    if scenario.endswith("_txn"):
        c.get("/db", headers={"sentry-trace": "0123456789abcdef0123456789abcdef-89abcdef01234567-1"})
    else:
        c.get("/api/items/7/boom?x=1", headers={"User-Agent": "sbs"})

sentry_sdk.flush(5)
"""


def run(sdk: str, scenario: str, receiver: Receiver) -> Receiver:
    run_child(["-c", CHILD, sdk, receiver.dsn(), scenario])
    return receiver


def both(scenario: str) -> Tuple[Receiver, Receiver]:
    ref, lite = Receiver(), Receiver()
    try:
        run("sentry_sdk", scenario, ref)
        run("sentry_lite", scenario, lite)
    except BaseException:
        ref.close()
        lite.close()
        raise
    return ref, lite


@pytest.fixture
def close_all() -> Any:
    opened: List[Receiver] = []
    yield opened
    for r in opened:
        r.close()


def error_shape(event: Dict[str, Any]) -> Dict[str, Any]:
    values = event["exception"]["values"]
    request = event.get("request") or {}
    return {
        "types": [v["type"] for v in values],
        "mechanism": values[-1]["mechanism"],
        "last_function": ((values[-1].get("stacktrace") or {}).get("frames") or [{}])[-1].get(
            "function"
        ),
        "transaction": event.get("transaction"),
        "transaction_info": event.get("transaction_info"),
        "tags": event.get("tags"),
        "level": event.get("level"),
        "request_keys": sorted(k for k, v in request.items() if v not in (None, {}, "")),
        "url": request.get("url"),
        "method": request.get("method"),
        "query_string": request.get("query_string"),
        "data": request.get("data"),
        "user_agent": {k.lower(): v for k, v in (request.get("headers") or {}).items()}.get(
            "user-agent"
        ),
        "authorization": {k.lower(): v for k, v in (request.get("headers") or {}).items()}.get(
            "authorization"
        ),
        "release": event.get("release"),
        "platform": event.get("platform"),
    }


def txn_shape(txn: Dict[str, Any]) -> Dict[str, Any]:
    trace = txn["contexts"]["trace"]
    return {
        "transaction": txn["transaction"],
        "transaction_info": txn["transaction_info"],
        "op": trace.get("op"),
        "origin": trace.get("origin"),
        "status": trace.get("status"),
        "trace_id": trace.get("trace_id"),
        "parent_span_id": trace.get("parent_span_id"),
        "status_code": (trace.get("data") or {}).get("http.response.status_code"),
        "url": (txn.get("request") or {}).get("url"),
        "span_ops": sorted({s["op"] for s in txn.get("spans", [])}),
    }


def check_sdk_names(scenario: str, ref_event: Dict[str, Any], lite_event: Dict[str, Any]) -> None:
    """Both name the SDK after a web framework; ours after the one the app uses.

    sentry_sdk picks the first framework that is *installed* (this venv has Django, so
    even the Flask app reports sentry.python.django); we name the one that was enabled.
    """
    framework = scenario.split("_")[0]
    assert ref_event["sdk"]["name"].startswith("sentry.python.")
    assert lite_event["sdk"]["name"] == f"sentry.python.{framework}"


@pytest.mark.parametrize("scenario", ["flask_error", "fastapi_error", "django_error"])
def test_error_envelopes_match(scenario: str, close_all: List[Receiver]) -> None:
    ref, lite = both(scenario)
    close_all.extend([ref, lite])
    ref.wait_for(1)
    lite.wait_for(1)
    (ref_event,) = ref.events
    (lite_event,) = lite.events
    assert error_shape(lite_event) == error_shape(ref_event)
    check_sdk_names(scenario, ref_event, lite_event)
    ref_env, lite_env = ref.envelopes[0], lite.envelopes[0]
    assert set(lite_env.headers) >= {"event_id", "sent_at", "trace"}
    assert set(lite_env.headers["trace"]) >= {"trace_id", "public_key"}
    assert set(ref_env.headers["trace"]) >= {"trace_id", "public_key"}


@pytest.mark.parametrize("scenario", ["flask_txn", "fastapi_txn", "django_txn"])
def test_transaction_envelopes_match(scenario: str, close_all: List[Receiver]) -> None:
    ref, lite = both(scenario)
    close_all.extend([ref, lite])
    ref.wait_for(1, item_type="transaction")
    lite.wait_for(1, item_type="transaction")
    (ref_txn,) = ref.transactions
    (lite_txn,) = lite.transactions
    ref_shape, lite_shape = txn_shape(ref_txn), txn_shape(lite_txn)
    # Django: sentry_sdk adds view/middleware spans we do not emit by default (see docs).
    ref_shape["span_ops"] = [op for op in ref_shape["span_ops"] if op in lite_shape["span_ops"]]
    assert lite_shape == ref_shape
    check_sdk_names(scenario, ref_txn, lite_txn)


@pytest.mark.parametrize("scenario,ref_count", [("flask_errorhandler", 2), ("fastapi_tuple", 2)])
def test_app_error_handler_capturing_is_one_event_for_us(
    scenario: str, ref_count: int, close_all: List[Receiver]
) -> None:
    """Intentional difference: sentry_sdk sends a second event, we send one."""
    ref, lite = both(scenario)
    close_all.extend([ref, lite])
    ref.wait_for(1)
    lite.wait_for(1)
    import time

    import sentry_lite  # noqa: F401 - only for the settle below

    time.sleep(0.5)
    assert len(ref.events) == ref_count
    (lite_event,) = lite.events
    # sentry_sdk: the app's capture (handled) plus either the InternalServerError wrapper
    # (Flask) or the handler's own TypeError chained to the original (FastAPI tuple).
    ref_types = {t for e in ref.events for t in error_shape(e)["types"]}
    assert error_shape(lite_event)["types"] == ["ValueError"]
    assert "ValueError" in ref_types
    assert lite_event["exception"]["values"][-1]["mechanism"]["handled"] is False
