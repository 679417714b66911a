# ruff: noqa: E501 - the child script keeps long lines readable as one block
"""Side by side: logs, metrics and sessions under sentry_sdk and sentry_lite, items compared.

Each scenario runs in a fresh interpreter per SDK against its own real receiver, with
identical app code except for the import. What differs by nature (timestamps, ids,
thread ids, SDK identity) is removed before comparing.
"""

from __future__ import annotations

import copy
from typing import Any, Dict, List, Tuple

import pytest

from tests.receiver import Receiver
from tests.sdk_child import run_child

pytest.importorskip("sentry_sdk")

CHILD = r"""
import os, sys, warnings, logging
warnings.simplefilter("ignore")
sdk_name, dsn, scenario = sys.argv[1:4]
sentry_sdk = __import__(sdk_name)
base = dict(dsn=dsn, release="r@1", environment="test", server_name="host")

if scenario == "logs_api":
    def before(log, hint):
        if log["body"] == "drop me":
            return None
        log["attributes"]["edited"] = True
        return log
    sentry_sdk.init(before_send_log=before, send_default_pii=True, **base)
    sentry_sdk.set_user({"id": "u1", "email": "a@b.c"})
    sentry_sdk.logger.info("Paid {amount} for {item}", amount=3, item="tea", attributes={"shop": "north", "n": [1, 2]})
    sentry_sdk.logger.warning("plain")
    sentry_sdk.logger.error("drop me")
    sentry_sdk.logger.fatal("odd {x}", x=object.__new__(type("Odd", (), {"__repr__": lambda s: "<odd>"})))
    with sentry_sdk.start_transaction(name="t", sampled=True):
        with sentry_sdk.start_span(op="work"):
            sentry_sdk.logger.debug("in span")
elif scenario == "logs_stdlib":
    sentry_sdk.init(enable_logs=True, **base)
    log = logging.getLogger("app.orders")
    log.setLevel(logging.DEBUG)
    log.info("order %s shipped to %s", 42, "Oslo")
    log.warning("low stock", extra={"sku": "X1"})
    log.debug("below sentry_logs_level")
    log.error("failed %(n)s", {"n": 2})
elif scenario == "loguru":
    from loguru import logger
    sentry_sdk.init(enable_logs=True, **base)
    logger.info("crumb {}", 1)
    logger.error("failed order {}", 7)
    try:
        1 / 0
    except ZeroDivisionError:
        logger.exception("division")
    logger.bind(order=7).warning("bound")
elif scenario == "metrics":
    def before(metric, hint):
        return None if metric["name"] == "drop" else metric
    sentry_sdk.init(before_send_metric=before, **base)
    sentry_sdk.metrics.count("orders", 1, attributes={"shop": "north"})
    sentry_sdk.metrics.gauge("queue.depth", 7.5, unit="item")
    sentry_sdk.metrics.distribution("latency", 12, unit="millisecond", attributes={"route": "/a"})
    sentry_sdk.metrics.count("drop", 1)
elif scenario == "app_sessions":
    sentry_sdk.init(**base)
    sentry_sdk.set_user({"id": "u7"})
    sentry_sdk.start_session()
    try:
        1 / 0
    except ZeroDivisionError:
        sentry_sdk.capture_exception()
    sentry_sdk.end_session()
    sentry_sdk.start_session()
    sentry_sdk.end_session()
elif scenario.startswith("sessions_"):
    framework = scenario.split("_")[1]
    if framework == "flask":
        sentry_sdk.init(**base)
        from flask import Flask
        app = Flask("sbs")
        @app.route("/<what>")
        def view(what):
            if what == "handled":
                try:
                    raise KeyError("h")
                except KeyError:
                    sentry_sdk.capture_exception()
            if what == "boom":
                raise ValueError("boom")
            return "ok"
        c = app.test_client()
        get = c.get
    elif framework in ("starlette", "fastapi"):
        sentry_sdk.init(**base)
        from starlette.testclient import TestClient
        if framework == "fastapi":
            from fastapi import FastAPI
            app = FastAPI()
            @app.get("/{what}")
            async def view(what: str):
                if what == "handled":
                    try:
                        raise KeyError("h")
                    except KeyError:
                        sentry_sdk.capture_exception()
                if what == "boom":
                    raise ValueError("boom")
                return "ok"
        else:
            from starlette.applications import Starlette
            from starlette.responses import PlainTextResponse
            from starlette.routing import Route
            async def view(request):
                what = request.path_params["what"]
                if what == "handled":
                    try:
                        raise KeyError("h")
                    except KeyError:
                        sentry_sdk.capture_exception()
                if what == "boom":
                    raise ValueError("boom")
                return PlainTextResponse("ok")
            app = Starlette(routes=[Route("/{what}", view)])
        c = TestClient(app, raise_server_exceptions=False)
        get = c.get
    elif framework == "django":
        import django
        from django.conf import settings
        sentry_sdk.init(**base)
        settings.configure(DEBUG=False, SECRET_KEY="x", ROOT_URLCONF="tests.django_app.urls",
                           ALLOWED_HOSTS=["*"], INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "tests.django_app"],
                           DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
                           TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates",
                                       "DIRS": [os.path.join("tests", "django_app", "templates")]}],
                           LOGGING_CONFIG=None, DEFAULT_AUTO_FIELD="django.db.models.AutoField")
        django.setup()
        from django.core.handlers.wsgi import WSGIHandler
        from werkzeug.test import Client
        c = Client(WSGIHandler())
        paths = {"ok": "/api/items/7", "boom": "/api/items/7/boom", "handled": "/api/items/7"}
        get = lambda path: c.get(paths[path.strip("/")])
    for path in ("/ok", "/ok", "/handled", "/boom"):
        get(path)
sentry_sdk.flush(5)
"""


def run(sdk: str, scenario: str) -> Receiver:
    receiver = Receiver()
    try:
        run_child(["-c", CHILD, sdk, receiver.dsn(), scenario])
    finally:
        receiver.close()
    return receiver


def both(scenario: str) -> Tuple[Receiver, Receiver]:
    return run("sentry_sdk", scenario), run("sentry_lite", scenario)


_VARYING_ATTRIBUTES = (
    "sentry.sdk.name",
    "sentry.sdk.version",
    "thread.id",
    "process.pid",
    "code.line.number",
)


def records(receiver: Receiver, item_type: str) -> List[Dict[str, Any]]:
    out = []
    for item in receiver.items(item_type):
        payload = item.get_json()
        assert payload["version"] == 2
        assert item.headers["item_count"] == len(payload["items"])
        for record in payload["items"]:
            record = copy.deepcopy(record)
            assert record.pop("timestamp") > 0
            assert len(record.pop("trace_id")) == 32
            span_id = record.pop("span_id", None)
            record["has_span"] = span_id is not None
            for key in _VARYING_ATTRIBUTES:
                record["attributes"].pop(key, None)
            out.append(record)
    return sorted(out, key=lambda r: r.get("body") or r.get("name") or "")


@pytest.mark.parametrize("scenario", ["logs_api", "logs_stdlib"])
def test_logs_side_by_side(scenario: str) -> None:
    ref, lite = both(scenario)
    expected, got = records(ref, "log"), records(lite, "log")
    assert expected, "sentry_sdk sent no logs"
    assert got == expected
    # Dropped logs are counted alike; their byte sizes differ by the SDK name/version.
    ref_lost, lite_lost = ref.discarded(), lite.discarded()
    assert {k: v for k, v in lite_lost.items() if k[0] == "log_item"} == {
        k: v for k, v in ref_lost.items() if k[0] == "log_item"
    }
    assert {k for k in lite_lost if k[0] == "log_byte"} == {
        k for k in ref_lost if k[0] == "log_byte"
    }


def test_metrics_side_by_side() -> None:
    ref, lite = both("metrics")
    expected, got = records(ref, "trace_metric"), records(lite, "trace_metric")
    assert len(expected) == 3
    assert got == expected
    assert lite.discarded().get(("trace_metric", "before_send")) == 1


def sessions(receiver: Receiver) -> Dict[str, Any]:
    app = []
    for item in receiver.items("session"):
        payload = copy.deepcopy(item.get_json())
        for key in ("sid", "started", "timestamp", "duration"):
            payload.pop(key, None)
        app.append(payload)
    aggregates = []
    for item in receiver.items("sessions"):
        payload = copy.deepcopy(item.get_json())
        totals: Dict[str, int] = {}
        for row in payload["aggregates"]:
            assert row.pop("started").endswith(":00.000000Z")
            for key, count in row.items():
                totals[key] = totals.get(key, 0) + count
        aggregates.append({"attrs": payload["attrs"], "totals": totals})
    return {"session": app, "sessions": aggregates}


def test_application_sessions_side_by_side() -> None:
    ref, lite = both("app_sessions")
    expected = sessions(ref)
    assert [s["status"] for s in expected["session"]] == ["exited", "exited"]
    assert sessions(lite) == expected


@pytest.mark.parametrize("framework", ["flask", "starlette", "fastapi", "django"])
def test_request_sessions_side_by_side(framework: str) -> None:
    ref, lite = both("sessions_" + framework)
    expected = sessions(ref)
    assert expected["sessions"], "sentry_sdk sent no session aggregates"
    assert sessions(lite) == expected


def _loguru_event(event: Dict[str, Any]) -> Dict[str, Any]:
    exception = [
        (v["type"], v["mechanism"]) for v in (event.get("exception") or {}).get("values", [])
    ]
    crumbs = [
        (c["category"], c["level"], c["message"].rsplit(" - ", 1)[-1])
        for c in event.get("breadcrumbs", {}).get("values", [])
    ]
    message = (event.get("logentry") or {}).get("message", "")
    return {
        "level": event["level"],
        "logger": event.get("logger"),
        "message": message.rsplit(" - ", 1)[-1],
        "exception": exception,
        "crumbs": crumbs,
    }


def test_loguru_side_by_side() -> None:
    pytest.importorskip("loguru")
    ref, lite = both("loguru")
    expected = [_loguru_event(e) for e in ref.events]
    assert len(expected) == 2
    assert [_loguru_event(e) for e in lite.events] == expected
    assert records(lite, "log") == records(ref, "log")
