"""SentryWsgiMiddleware on a bare WSGI app: isolation, request data, errors, tracing."""

from __future__ import annotations

import json
from typing import Any, Callable, Iterator

import pytest

import sentry_lite
from sentry_lite.integrations.wsgi import SentryWsgiMiddleware
from sentry_lite.scope import Scope
from tests.receiver import Receiver
from tests.test_web_support import call_wsgi, environ, exc_types, mechanism, settle, wait_events


def failing_app(environ: Any, start_response: Any) -> Any:
    sentry_lite.set_tag("path", environ["PATH_INFO"])
    raise ValueError("wsgi boom")


def ok_app(environ: Any, start_response: Any) -> Any:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def test_unhandled_error_is_reported_once_with_request_data(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    sentry_init()
    app = SentryWsgiMiddleware(failing_app)
    env = environ(
        "/items/1",
        query="a=1&token=abc",
        headers={"User-Agent": "t", "Authorization": "Bearer x", "X-Forwarded-For": "1.2.3.4"},
    )
    with pytest.raises(ValueError):
        call_wsgi(app, env)
    (event,) = wait_events(receiver, 1)
    assert exc_types(event) == ["ValueError"]
    assert mechanism(event) == {"type": "wsgi", "handled": False}
    request = event["request"]
    assert request["url"] == "http://example.com/items/1"
    assert request["method"] == "GET"
    assert request["env"] == {"SERVER_NAME": "localhost", "SERVER_PORT": "80"}
    assert request["headers"]["User-Agent"] == "t"
    # Sensitive headers are withheld without send_default_pii (value removed, noted in _meta).
    assert request["headers"]["X-Forwarded-For"] in ("", "[Filtered]")
    assert request["headers"]["Authorization"] in ("", "[Filtered]")
    assert "X-Forwarded-For" in event["_meta"]["request"]["headers"]
    assert "token=[Filtered]" in request["query_string"]
    assert "user" not in event or "ip_address" not in (event.get("user") or {})
    assert event["tags"] == {"path": "/items/1"}
    settle(receiver)
    assert len(receiver.events) == 1


def test_bare_middleware_event_named_generic_as_sentry_sdk(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    """sentry_sdk's request transaction names the scope even when tracing is off, so a bare
    WSGI app's error is ``generic WSGI request`` (source ``route``); it had no name."""
    sentry_init()
    with pytest.raises(ValueError):
        call_wsgi(SentryWsgiMiddleware(failing_app), environ("/x"))
    (event,) = wait_events(receiver, 1)
    assert event["transaction"] == "generic WSGI request"
    assert event["transaction_info"] == {"source": "route"}


def test_pii_adds_ip_cookies_and_remote_addr(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    sentry_init(send_default_pii=True)
    app = SentryWsgiMiddleware(failing_app)
    with pytest.raises(ValueError):
        call_wsgi(app, environ("/", headers={"Cookie": "theme=dark; lang=en"}))
    (event,) = wait_events(receiver, 1)
    assert event["user"]["ip_address"] == "10.0.0.1"
    assert event["request"]["env"]["REMOTE_ADDR"] == "10.0.0.1"
    assert event["request"]["cookies"] == {"theme": "dark", "lang": "en"}


def test_requests_do_not_leak_scope_data(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    sentry_init()

    def app(environ: Any, start_response: Any) -> Any:
        if environ["PATH_INFO"] == "/set":
            sentry_lite.set_tag("leak", "yes")
            sentry_lite.set_user({"id": "1"})
            sentry_lite.add_breadcrumb(message="first request")
        else:
            sentry_lite.capture_message("second")
        start_response("200 OK", [])
        return [b""]

    wrapped = SentryWsgiMiddleware(app)
    call_wsgi(wrapped, environ("/set"))
    call_wsgi(wrapped, environ("/other"))
    (event,) = wait_events(receiver, 1)
    assert "leak" not in (event.get("tags") or {})
    assert event.get("user") in (None, {})
    assert not (event.get("breadcrumbs") or {}).get("values")
    assert "leak" not in Scope.get_isolation_scope()._tags


def test_ok_request_sends_nothing(sentry_init: Callable[..., Any], receiver: Receiver) -> None:
    sentry_init()
    status, body = call_wsgi(SentryWsgiMiddleware(ok_app), environ("/"))
    assert status == "200 OK" and body == b"ok"
    settle(receiver)
    assert receiver.events == []


def test_error_while_streaming_is_reported(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    sentry_init()

    def app(environ: Any, start_response: Any) -> Iterator[bytes]:
        start_response("200 OK", [])
        yield b"first"
        raise RuntimeError("mid-stream")

    with pytest.raises(RuntimeError):
        call_wsgi(SentryWsgiMiddleware(app), environ("/stream"))
    (event,) = wait_events(receiver, 1)
    assert exc_types(event) == ["RuntimeError"]
    assert mechanism(event) == {"type": "wsgi", "handled": False}
    assert event["request"]["url"] == "http://example.com/stream"


def test_system_exit_zero_is_not_reported(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    sentry_init()

    def app(environ: Any, start_response: Any) -> Any:
        raise SystemExit(0)

    with pytest.raises(SystemExit):
        call_wsgi(SentryWsgiMiddleware(app), environ())
    settle(receiver)
    assert receiver.events == []


def test_nested_middleware_reports_once(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    sentry_init()
    app = SentryWsgiMiddleware(SentryWsgiMiddleware(failing_app))
    with pytest.raises(ValueError):
        call_wsgi(app, environ())
    wait_events(receiver, 1)
    settle(receiver)
    assert len(receiver.events) == 1


def test_incoming_trace_is_continued_without_tracing(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    sentry_init()
    trace_id = "771a43a4192642f0b136d5159a501700"
    header = f"{trace_id}-1234567890abcdef-1"
    with pytest.raises(ValueError):
        call_wsgi(SentryWsgiMiddleware(failing_app), environ(headers={"sentry-trace": header}))
    (event,) = wait_events(receiver, 1)
    assert event["contexts"]["trace"]["trace_id"] == trace_id
    assert event["contexts"]["trace"]["parent_span_id"] == "1234567890abcdef"


def test_each_request_gets_its_own_trace(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    sentry_init()
    for _ in range(2):
        with pytest.raises(ValueError):
            call_wsgi(SentryWsgiMiddleware(failing_app), environ())
    first, second = wait_events(receiver, 2)
    assert first["contexts"]["trace"]["trace_id"] != second["contexts"]["trace"]["trace_id"]


def test_transaction_per_request(sentry_init: Callable[..., Any], receiver: Receiver) -> None:
    sentry_init(traces_sample_rate=1.0)
    call_wsgi(SentryWsgiMiddleware(ok_app), environ("/hello"))
    call_wsgi(SentryWsgiMiddleware(ok_app), environ("/head", method="HEAD"))
    (txn,) = wait_events(receiver, 1, "transaction")
    settle(receiver)
    assert len(receiver.transactions) == 1  # HEAD is not traced by default
    assert txn["transaction"] == "generic WSGI request"
    trace = txn["contexts"]["trace"]
    assert trace["op"] == "http.server"
    assert trace["status"] == "ok"
    assert trace["data"]["http.response.status_code"] == 200
    assert txn["request"]["url"] == "http://example.com/hello"


def test_failed_transaction_and_error_share_the_trace(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    sentry_init(traces_sample_rate=1.0)
    with pytest.raises(ValueError):
        call_wsgi(SentryWsgiMiddleware(failing_app), environ("/x"))
    (event,) = wait_events(receiver, 1)
    (txn,) = wait_events(receiver, 1, "transaction")
    assert event["contexts"]["trace"]["trace_id"] == txn["contexts"]["trace"]["trace_id"]
    assert txn["contexts"]["trace"]["status"] == "internal_error"


def test_request_data_is_strict_json(sentry_init: Callable[..., Any], receiver: Receiver) -> None:
    sentry_init()
    env = environ("/\u00e9", headers={"X-Odd": "\udcff bytes"})
    env["PATH_INFO"] = "/\xc3\xa9"  # WSGI latin-1 encoded UTF-8
    with pytest.raises(ValueError):
        call_wsgi(SentryWsgiMiddleware(failing_app), env)
    (event,) = wait_events(receiver, 1)
    assert event["request"]["url"] == "http://example.com/\u00e9"
    json.dumps(event, allow_nan=False)


def test_sdk_failure_never_fails_the_request(
    sentry_init: Callable[..., Any], receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    sentry_init()

    def broken_fork(self: Any) -> Any:
        raise RuntimeError("sdk bug")

    monkeypatch.setattr(Scope, "fork", broken_fork)
    status, body = call_wsgi(SentryWsgiMiddleware(ok_app), environ("/"))
    assert status == "200 OK" and body == b"ok"


def test_request_after_an_sdk_failure_is_observed(
    sentry_init: Callable[..., Any], receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failed request set-up left the request marker set: later requests on the thread
    looked nested and were not reported."""
    sentry_init()
    real_fork = Scope.fork
    monkeypatch.setattr(Scope, "fork", lambda self: 1 / 0)
    call_wsgi(SentryWsgiMiddleware(ok_app), environ("/"))
    monkeypatch.setattr(Scope, "fork", real_fork)
    with pytest.raises(ValueError):
        call_wsgi(SentryWsgiMiddleware(failing_app), environ("/x"))
    (event,) = wait_events(receiver, 1)
    assert exc_types(event) == ["ValueError"]
