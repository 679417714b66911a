"""Django integration against the test project in tests/django_app (test client, WSGI, ASGI)."""

from __future__ import annotations

import json
import logging
import os
from typing import Any, Callable, Iterator, List

import pytest

pytest.importorskip("django")

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.django_app.settings")

import django  # noqa: E402

django.setup()

from django.core.handlers.asgi import ASGIHandler  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

import sentry_lite  # noqa: E402
from sentry_lite.integrations.django import DjangoIntegration, simplify_route  # noqa: E402
from tests.django_app import views  # noqa: E402
from tests.receiver import Receiver  # noqa: E402
from tests.test_web_support import (  # noqa: E402
    asgi_scope,
    call_asgi,
    call_wsgi,
    environ,
    exc_types,
    mechanism,
    settle,
    wait_events,
)


@pytest.fixture(scope="module", autouse=True)
def database() -> Iterator[None]:
    call_command("migrate", run_syncdb=True, verbosity=0)
    yield


def client() -> Client:
    return Client(raise_request_exception=False)


def spans(txn: Any, op: str) -> List[Any]:
    return [s for s in txn["spans"] if s["op"] == op]


def test_unhandled_error_one_event(sentry_init: Callable[..., Any], receiver: Receiver) -> None:
    sentry_init()
    assert client().get("/api/items/5/boom?x=1").status_code == 500
    (event,) = wait_events(receiver, 1)
    assert exc_types(event) == ["ValueError"]
    assert mechanism(event) == {"type": "django", "handled": False}
    assert event["transaction"] == "/api/items/{pk}/boom"
    assert event["transaction_info"] == {"source": "route"}
    request = event["request"]
    assert request["url"] == "http://testserver/api/items/5/boom"
    assert request["method"] == "GET"
    assert request["query_string"] == "x=1"
    frames = event["exception"]["values"][-1]["stacktrace"]["frames"]
    assert frames[-1]["function"] == "boom"
    # Issue 16: a local named like a secret (*secret*) is filtered with send_default_pii off.
    assert frames[-1]["vars"]["local_secret"] == "[Filtered]"
    settle(receiver)
    assert len(receiver.events) == 1


@pytest.mark.parametrize(
    "path,name",
    [
        ("/api/items/1/boom", "tests.django_app.views.boom"),
        ("/class", "tests.django_app.views.ClassView"),
    ],
)
def test_function_name_style(
    sentry_init: Callable[..., Any], receiver: Receiver, path: str, name: str
) -> None:
    sentry_init(integrations=[DjangoIntegration(transaction_style="function_name")])
    client().get(path)
    (event,) = wait_events(receiver, 1)
    assert event["transaction"] == name
    assert event["transaction_info"] == {"source": "component"}


def test_route_names() -> None:
    assert simplify_route("api/items/<int:pk>/boom") == "/api/items/{pk}/boom"
    assert simplify_route(r"api/^legacy/(?P<slug>\w+)/$") == "/api/legacy/{slug}/"
    assert simplify_route("") == "/"


def test_http404_and_403_not_reported_by_default(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    sentry_init()
    assert client().get("/404").status_code == 404
    assert client().get("/403").status_code == 403
    settle(receiver)
    assert receiver.events == []


def test_failed_request_status_codes(sentry_init: Callable[..., Any], receiver: Receiver) -> None:
    sentry_init(integrations=[DjangoIntegration(failed_request_status_codes={403, 404})])
    client().get("/404")
    client().get("/403")
    events = wait_events(receiver, 2)
    assert sorted(exc_types(e)[-1] for e in events) == ["Http404", "PermissionDenied"]
    assert all(mechanism(e) == {"type": "django", "handled": True} for e in events)


def test_json_and_form_bodies(sentry_init: Callable[..., Any], receiver: Receiver) -> None:
    sentry_init()
    client().post(
        "/json", data=json.dumps({"fail": 1, "password": "p"}), content_type="application/json"
    )
    client().post("/form", data={"fail": "yes", "name": "n"})
    form, body = sorted(wait_events(receiver, 2), key=lambda e: e["request"]["url"])
    assert body["request"]["data"] == {"fail": 1, "password": "[Filtered]"}
    assert form["request"]["data"] == {"fail": "yes", "name": "n"}


def test_user_only_with_pii(sentry_init: Callable[..., Any], receiver: Receiver) -> None:
    sentry_init()
    client().get("/user-fail")
    (event,) = wait_events(receiver, 1)
    assert not (event.get("user") or {}).get("username")


def test_user_with_pii(sentry_init: Callable[..., Any], receiver: Receiver) -> None:
    sentry_init(send_default_pii=True)
    client().get("/user-fail")
    (event,) = wait_events(receiver, 1)
    assert event["user"]["username"] == "alice"
    assert event["user"]["email"] == "a@example.com"
    assert event["user"]["id"]


def test_own_capture_is_kept(sentry_init: Callable[..., Any], receiver: Receiver) -> None:
    sentry_init()
    assert client().get("/capture-own").status_code == 200
    (event,) = wait_events(receiver, 1)
    assert event["transaction"] == "/capture-own"
    assert event["request"]["url"].endswith("/capture-own")


def test_transaction_with_db_template_and_signal_spans(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    received: List[Any] = []

    def on_custom(sender: Any, **kwargs: Any) -> None:
        received.append(sender)

    views.custom_signal.connect(on_custom)
    try:
        sentry_init(traces_sample_rate=1.0)
        client().get("/db")
        client().get("/template")
        client().get("/template-response")
        client().get("/signal")
        by_name = {t["transaction"]: t for t in wait_events(receiver, 4, "transaction")}
        db_txn, tpl_txn, tr_txn, sig_txn = (
            by_name[n] for n in ("/db", "/template", "/template-response", "/signal")
        )
    finally:
        views.custom_signal.disconnect(on_custom)
    assert db_txn["transaction"] == "/db"
    assert db_txn["contexts"]["trace"]["op"] == "http.server"
    assert db_txn["contexts"]["trace"]["data"]["http.response.status_code"] == 200
    queries = spans(db_txn, "db")
    assert any(s["description"].startswith("INSERT INTO") for s in queries)
    assert all(s["data"]["db.system"] == "sqlite" for s in queries)
    assert all(s["origin"] == "auto.db.django" for s in queries)
    assert [s["description"] for s in spans(tpl_txn, "template.render")] == ["page.html"]
    assert [s["description"] for s in spans(tr_txn, "template.render")] == ["page.html"]
    signal_spans = spans(sig_txn, "event.django")
    assert [s["description"] for s in signal_spans] == [
        "tests.test_django.test_transaction_with_db_template_and_signal_spans.<locals>.on_custom"
    ]
    assert received == [None]


def test_signals_denylist(sentry_init: Callable[..., Any], receiver: Receiver) -> None:
    def on_custom(sender: Any, **kwargs: Any) -> None:
        pass

    views.custom_signal.connect(on_custom)
    try:
        sentry_init(
            traces_sample_rate=1.0,
            integrations=[DjangoIntegration(signals_denylist=[views.custom_signal])],
        )
        client().get("/signal")
        (txn,) = wait_events(receiver, 1, "transaction")
    finally:
        views.custom_signal.disconnect(on_custom)
    assert spans(txn, "event.django") == []


def test_middleware_spans(sentry_init: Callable[..., Any], receiver: Receiver) -> None:
    sentry_init(traces_sample_rate=1.0, integrations=[DjangoIntegration(middleware_spans=True)])
    client().get("/ok")
    (txn,) = wait_events(receiver, 1, "transaction")
    names = [s["description"] for s in spans(txn, "middleware.django")]
    assert "django.contrib.sessions.middleware.SessionMiddleware.__call__" in names


def test_db_breadcrumbs_on_errors(sentry_init: Callable[..., Any], receiver: Receiver) -> None:
    sentry_init()
    client().get("/db?fail=1")
    (event,) = wait_events(receiver, 1)
    crumbs = [c for c in event["breadcrumbs"]["values"] if c.get("category") == "query"]
    assert any("SELECT" in c["message"] for c in crumbs)


def test_settings_with_unknown_option_start_with_a_warning(
    sentry_init: Callable[..., Any], receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="sentry_lite"):
        sentry_init(integrations=[DjangoIntegration(signals_to_ignore=["post_save"])])  # type: ignore[call-arg]
    assert "signals_to_ignore" in caplog.text
    client().get("/api/items/1/boom")
    (event,) = wait_events(receiver, 1)
    assert mechanism(event)["type"] == "django"


def test_real_wsgi_handler(sentry_init: Callable[..., Any], receiver: Receiver) -> None:
    sentry_init(traces_sample_rate=1.0)
    status, _ = call_wsgi(WSGIHandler(), environ("/api/items/9/boom", query="q=1"))
    assert status.startswith("500")
    (event,) = wait_events(receiver, 1)
    (txn,) = wait_events(receiver, 1, "transaction")
    assert mechanism(event) == {"type": "django", "handled": False}
    assert event["request"]["url"] == "http://example.com/api/items/9/boom"
    assert txn["transaction"] == "/api/items/{pk}/boom"
    assert txn["contexts"]["trace"]["status"] == "internal_error"


def test_asgi_handler(sentry_init: Callable[..., Any], receiver: Receiver) -> None:
    sentry_init(traces_sample_rate=1.0)
    body = json.dumps({"fail": 1, "x": "y"}).encode()
    scope = asgi_scope(
        "/json",
        method="POST",
        headers=[
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
    )
    status, _ = call_asgi(ASGIHandler(), scope, body)
    assert status == 500
    (event,) = wait_events(receiver, 1)
    (txn,) = wait_events(receiver, 1, "transaction")
    assert exc_types(event) == ["RuntimeError"]
    assert mechanism(event) == {"type": "django", "handled": False}
    assert event["request"]["data"] == {"fail": 1, "x": "y"}
    assert event["transaction"] == "/json"
    assert txn["transaction"] == "/json"
    assert txn["contexts"]["trace"]["data"]["http.response.status_code"] == 500


def test_integration_off(receiver: Receiver) -> None:
    from tests.conftest import reset_sdk

    reset_sdk()
    try:
        sentry_lite.init(dsn=receiver.dsn(), disabled_integrations=["django"])
        client().get("/api/items/5/boom")
        settle(receiver)
        assert receiver.events == []
    finally:
        reset_sdk()
