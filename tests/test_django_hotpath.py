"""Django's per-request shortcuts give the same events as the long way.

Signal receivers are wrapped without ``functools.wraps`` and named from two attributes,
a WSGI request without ``CONTENT_LENGTH`` is not read for a body, route names are cached.
"""

from __future__ import annotations

import functools
import os
from typing import Any, Callable, List

import pytest

pytest.importorskip("django")

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.django_app.settings")

import django  # noqa: E402

django.setup()

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402

import sentry_lite  # noqa: E402
from sentry_lite.integrations.django import simplify_route  # noqa: E402
from sentry_lite.integrations.django._signals import receiver_name  # noqa: E402
from tests.django_app import views  # noqa: E402
from tests.receiver import Receiver  # noqa: E402
from tests.test_web_support import call_wsgi, environ, settle, wait_events  # noqa: E402

calls: List[str] = []


def plain(sender: Any, **kwargs: Any) -> str:
    """A plain receiver."""
    calls.append("plain")
    return "plain-result"


plain.marker = "kept"  # type: ignore[attr-defined]


def with_prefix(prefix: str, sender: Any, **kwargs: Any) -> str:
    calls.append(prefix)
    return prefix


class Holder:
    def method(self, sender: Any, **kwargs: Any) -> str:
        calls.append("method")
        return "method-result"


class CallableReceiver:
    def __call__(self, sender: Any, **kwargs: Any) -> str:
        calls.append("object")
        return "object-result"


def test_receiver_spans_names_and_results(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    holder = Holder()
    partial = functools.partial(with_prefix, "partial")
    obj = CallableReceiver()
    shapes = [plain, holder.method, partial, obj]
    for r in shapes:
        views.custom_signal.connect(r, weak=False)
    calls.clear()
    try:
        sentry_init(traces_sample_rate=1.0)
        with sentry_lite.start_transaction(name="signals", op="task"):
            results = views.custom_signal.send(sender=None)
        (txn,) = wait_events(receiver, 1, "transaction")
    finally:
        for r in shapes:
            views.custom_signal.disconnect(r)
    assert calls == ["plain", "method", "partial", "object"]
    assert [value for _, value in results] == [
        "plain-result",
        "method-result",
        "partial",
        "object-result",
    ]
    # The wrappers handed back by send() look like the receivers, as functools.wraps did.
    wrapped_plain = results[0][0]
    assert wrapped_plain.__name__ == "plain"
    assert wrapped_plain.__qualname__ == "plain"
    assert wrapped_plain.__module__ == __name__
    assert wrapped_plain.__doc__ == "A plain receiver."
    assert wrapped_plain.marker == "kept"
    assert wrapped_plain.__wrapped__ is plain
    assert results[1][0].__wrapped__ == holder.method
    assert results[2][0].__wrapped__ is partial
    spans = [s for s in txn["spans"] if s["op"] == "event.django"]
    expected = [receiver_name(r) for r in shapes]
    assert expected[0] == f"{__name__}.plain"
    assert expected[1] == f"{__name__}.Holder.method"
    assert expected[2] == f"partial(<function {__name__}.with_prefix>)"
    assert [s["description"] for s in spans] == expected
    assert [s["data"]["signal"] for s in spans] == expected
    assert all(s["origin"] == "auto.http.django" for s in spans)
    assert all(s["parent_span_id"] == txn["contexts"]["trace"]["span_id"] for s in spans)


def test_receivers_untouched_without_a_transaction(sentry_init: Callable[..., Any]) -> None:
    views.custom_signal.connect(plain, weak=False)
    try:
        sentry_init(traces_sample_rate=1.0)
        results = views.custom_signal.send(sender=None)
    finally:
        views.custom_signal.disconnect(plain)
    assert results == [(plain, "plain-result")]


def test_wsgi_request_without_content_length_has_no_body(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    sentry_init(traces_sample_rate=1.0)
    status, _ = call_wsgi(WSGIHandler(), environ("/api/items/3/boom"))
    assert status.startswith("500")
    (event,) = wait_events(receiver, 1)
    (txn,) = wait_events(receiver, 1, "transaction")
    for sent in (event, txn):
        assert "data" not in sent["request"]
        assert "data" not in ((sent.get("_meta") or {}).get("request") or {})
        assert sent["transaction"] == "/api/items/{pk}/boom"


def test_wsgi_request_without_content_length_body_never(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    sentry_init(max_request_body_size="never")
    call_wsgi(WSGIHandler(), environ("/api/items/3/boom"))
    (event,) = wait_events(receiver, 1)
    assert event["request"]["data"] == ""
    assert event["_meta"]["request"]["data"] == {"": {"rem": [["!config", "x"]]}}


def test_wsgi_request_with_a_body_still_reads_it(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    sentry_init()
    body = b'{"fail": 1, "x": "y"}'
    env = environ("/json", method="POST", headers={"Content-Type": "application/json"}, body=body)
    call_wsgi(WSGIHandler(), env)
    (event,) = wait_events(receiver, 1)
    assert event["request"]["data"] == {"fail": 1, "x": "y"}
    settle(receiver)


def test_route_names_cached_and_equal() -> None:
    route = "api/v2/<slug:name>/items/<int:pk>/"
    first = simplify_route(route)
    assert first == "/api/v2/{name}/items/{pk}/"
    assert simplify_route(route) == first


def test_db_span_data_follows_the_connection_settings() -> None:
    from django.db import connections

    from sentry_lite.integrations.django._db import _connection_data, _span_data

    db = connections["default"]
    first = _span_data(db)
    assert first == _connection_data(db)
    assert first["db.system"] == "sqlite"
    assert _span_data(db) is first  # remembered
    old = db.settings_dict["NAME"]
    db.settings_dict["NAME"] = "renamed.sqlite3"  # as the test runner does for test DBs
    try:
        assert _span_data(db)["db.name"] == "renamed.sqlite3"
    finally:
        db.settings_dict["NAME"] = old
    assert _span_data(db)["db.name"] == str(old)
