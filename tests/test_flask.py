"""Flask integration against real Flask apps (test client)."""

from __future__ import annotations

import logging
from typing import Any, Callable, Dict, List

import pytest

import sentry_lite
from sentry_lite.integrations.flask import FlaskIntegration
from tests.conftest import require
from tests.receiver import Receiver
from tests.test_web_support import exc_types, mechanism, settle, wait_events

flask = pytest.importorskip("flask")


def make_app() -> Any:
    app = flask.Flask("tests_flask_app")

    @app.route("/hello/<name>", methods=["GET", "POST"])
    def hello(name: str) -> str:
        sentry_lite.set_tag("name", name)
        if name == "boom":
            raise ValueError("flask boom")
        if name == "message":
            sentry_lite.capture_message("hi from view")
        return "hello " + name

    @app.route("/json", methods=["POST"])
    def post_json() -> Any:
        payload = flask.request.get_json()
        raise RuntimeError("bad json " + str(len(payload)))

    @app.route("/form", methods=["POST"])
    def post_form() -> Any:
        _ = flask.request.form
        raise RuntimeError("bad form")

    @app.route("/unread", methods=["POST"])
    def unread() -> Any:
        raise RuntimeError("body never read by the app")

    @app.route("/page")
    def page() -> Any:
        return flask.render_template_string("<head>{{ sentry_trace_meta }}</head>")

    return app


@pytest.fixture
def app() -> Any:
    return make_app()


def test_unhandled_error_one_event(
    sentry_init: Callable[..., Any], receiver: Receiver, app: Any
) -> None:
    sentry_init()
    response = app.test_client().get("/hello/boom?x=1")
    assert response.status_code == 500
    (event,) = wait_events(receiver, 1)
    assert exc_types(event) == ["ValueError"]
    assert mechanism(event) == {"type": "flask", "handled": False}
    assert event["transaction"] == "hello"
    assert event["transaction_info"] == {"source": "component"}
    assert event["request"]["url"] == "http://localhost/hello/boom"
    assert event["request"]["query_string"] == "x=1"
    assert event["tags"] == {"name": "boom"}
    frames = event["exception"]["values"][-1]["stacktrace"]["frames"]
    assert frames[-1]["function"] == "hello"
    settle(receiver)
    assert len(receiver.events) == 1


def test_propagating_exceptions_still_one_event(
    sentry_init: Callable[..., Any], receiver: Receiver, app: Any
) -> None:
    sentry_init()
    app.testing = True  # PROPAGATE_EXCEPTIONS: the error reaches the WSGI middleware too
    with pytest.raises(ValueError):
        app.test_client().get("/hello/boom")
    (event,) = wait_events(receiver, 1)
    assert mechanism(event) == {"type": "flask", "handled": False}
    settle(receiver)
    assert len(receiver.events) == 1


def test_errorhandler_500_calling_capture_exception_yields_original_only(
    sentry_init: Callable[..., Any], receiver: Receiver, app: Any
) -> None:
    sentry_init()

    @app.errorhandler(500)
    def on_500(error: Any) -> Any:
        sentry_lite.capture_exception(error)  # tutorial code: the InternalServerError wrapper
        return {"error": "internal"}, 500

    response = app.test_client().get("/hello/boom")
    assert response.status_code == 500
    (event,) = wait_events(receiver, 1)
    settle(receiver)
    assert len(receiver.events) == 1
    assert exc_types(event) == ["ValueError"]
    assert mechanism(event)["handled"] is False
    assert event["exception"]["values"][-1]["stacktrace"]["frames"][-1]["function"] == "hello"


def test_errorhandler_capturing_original_exception_is_deduplicated(
    sentry_init: Callable[..., Any], receiver: Receiver, app: Any
) -> None:
    sentry_init()

    @app.errorhandler(500)
    def on_500(error: Any) -> Any:
        sentry_lite.capture_exception(error.original_exception)
        sentry_lite.capture_exception()
        return "err", 500

    app.test_client().get("/hello/boom")
    wait_events(receiver, 1)
    settle(receiver)
    assert len(receiver.events) == 1


@pytest.mark.parametrize(
    "style,name,source", [("endpoint", "hello", "component"), ("url", "/hello/<name>", "route")]
)
def test_transaction_style(
    sentry_init: Callable[..., Any],
    receiver: Receiver,
    app: Any,
    style: str,
    name: str,
    source: str,
) -> None:
    sentry_init(integrations=[FlaskIntegration(transaction_style=style)], traces_sample_rate=1.0)
    app.test_client().get("/hello/message")
    (event,) = wait_events(receiver, 1)
    (txn,) = wait_events(receiver, 1, "transaction")
    assert event["transaction"] == name
    assert event["transaction_info"] == {"source": source}
    assert txn["transaction"] == name
    assert txn["transaction_info"] == {"source": source}
    trace = txn["contexts"]["trace"]
    assert trace["op"] == "http.server"
    assert trace["origin"] == "auto.http.flask"
    assert trace["data"]["http.response.status_code"] == 200
    assert event["contexts"]["trace"]["trace_id"] == trace["trace_id"]


def test_404_transaction_keeps_generic_name(
    sentry_init: Callable[..., Any], receiver: Receiver, app: Any
) -> None:
    sentry_init(traces_sample_rate=1.0)
    assert app.test_client().get("/nowhere").status_code == 404
    (txn,) = wait_events(receiver, 1, "transaction")
    assert txn["transaction"] == "generic WSGI request"
    assert txn["contexts"]["trace"]["status"] == "not_found"


def test_json_body_read_by_the_app(
    sentry_init: Callable[..., Any], receiver: Receiver, app: Any
) -> None:
    sentry_init()
    app.test_client().post("/json", json={"item": "x", "password": "p"})
    (event,) = wait_events(receiver, 1)
    assert event["request"]["data"] == {"item": "x", "password": "[Filtered]"}


def test_form_body(sentry_init: Callable[..., Any], receiver: Receiver, app: Any) -> None:
    sentry_init()
    app.test_client().post("/form", data={"a": "1", "b": "2"})
    (event,) = wait_events(receiver, 1)
    assert event["request"]["data"] == {"a": "1", "b": "2"}


def test_unread_body_is_cached_not_lost(
    sentry_init: Callable[..., Any], receiver: Receiver, app: Any
) -> None:
    # werkzeug caches the body, so reading it for the event cannot take it from the app.
    sentry_init()
    app.test_client().post("/unread", json={"k": "v"})
    (event,) = wait_events(receiver, 1)
    assert event["request"]["data"] == {"k": "v"}


def test_body_over_limit_is_removed(
    sentry_init: Callable[..., Any], receiver: Receiver, app: Any
) -> None:
    sentry_init(max_request_body_size="small")
    app.test_client().post("/json", json={"k": "v" * 2000})
    (event,) = wait_events(receiver, 1)
    assert event["request"]["data"] == ""
    assert event["_meta"]["request"]["data"][""]["rem"] == [["!config", "x"]]


def test_no_pii_by_default(sentry_init: Callable[..., Any], receiver: Receiver, app: Any) -> None:
    sentry_init()
    client = app.test_client()
    client.set_cookie("theme", "dark")
    client.get("/hello/boom", environ_base={"REMOTE_ADDR": "1.2.3.4"})
    (event,) = wait_events(receiver, 1)
    assert "cookies" not in event["request"]
    assert "REMOTE_ADDR" not in event["request"]["env"]
    assert not (event.get("user") or {}).get("ip_address")


def test_pii_cookies_ip(sentry_init: Callable[..., Any], receiver: Receiver, app: Any) -> None:
    sentry_init(send_default_pii=True)
    client = app.test_client()
    client.set_cookie("theme", "dark")
    client.get("/hello/boom", environ_base={"REMOTE_ADDR": "1.2.3.4"})
    (event,) = wait_events(receiver, 1)
    assert event["request"]["cookies"] == {"theme": "dark"}
    assert event["user"]["ip_address"] == "1.2.3.4"


@pytest.mark.parametrize("pii", [False, True])
def test_cookies_are_parsed_only_when_they_may_be_sent(
    sentry_init: Callable[..., Any], receiver: Receiver, pii: bool
) -> None:
    """Without send_default_pii (or data_collection) no cookie is sent, so none is parsed:
    werkzeug caches what it parsed on the request, which shows whether we asked."""
    app = flask.Flask("tests_flask_cookies")
    requests: List[Any] = []

    @app.route("/boom")
    def boom() -> str:
        requests.append(flask.request._get_current_object())  # type: ignore[attr-defined]
        raise ValueError("boom")

    sentry_init(send_default_pii=pii)
    client = app.test_client()
    client.set_cookie("theme", "dark")
    client.get("/boom")
    (event,) = wait_events(receiver, 1)
    assert ("cookies" in vars(requests[0])) is pii
    assert event["request"].get("cookies") == ({"theme": "dark"} if pii else None)


def test_flask_login_user_with_pii(sentry_init: Callable[..., Any], receiver: Receiver) -> None:
    try:
        import flask_login
    except ImportError:
        flask_login = None
    require(flask_login is not None, "flask-login is not installed")
    sentry_init(send_default_pii=True, traces_sample_rate=1.0)
    app = flask.Flask("login_app")
    app.secret_key = "x"
    manager = flask_login.LoginManager(app)

    class User(flask_login.UserMixin):
        def __init__(self, uid: str) -> None:
            self.id = uid
            self.email = f"{uid}@example.com"

    manager.user_loader(User)

    @app.route("/login/<uid>")
    def login(uid: str) -> str:
        flask_login.login_user(User(uid))
        return "ok"

    @app.route("/fail")
    def fail() -> str:
        raise ValueError("logged in failure")

    client = app.test_client()
    client.get("/login/7")
    client.get("/fail")
    (event,) = wait_events(receiver, 1)
    assert event["user"]["id"] == "7"
    assert event["user"]["email"] == "7@example.com"
    txns = wait_events(receiver, 2, "transaction")
    assert txns[0]["user"]["id"] == "7"


def test_template_gets_trace_meta(
    sentry_init: Callable[..., Any], receiver: Receiver, app: Any
) -> None:
    sentry_init(traces_sample_rate=1.0)
    body = app.test_client().get("/page").get_data(as_text=True)
    assert '<meta name="sentry-trace" content="' in body
    (txn,) = wait_events(receiver, 1, "transaction")
    assert txn["contexts"]["trace"]["trace_id"] in body


def test_integration_off_means_untouched(receiver: Receiver, app: Any) -> None:
    from tests.conftest import reset_sdk

    reset_sdk()
    try:
        sentry_lite.init(dsn=receiver.dsn(), disabled_integrations=[FlaskIntegration])
        assert app.test_client().get("/hello/boom").status_code == 500
        settle(receiver)
        # Only the logging integration sees Flask's own error log; no request handling.
        assert all(mechanism(e)["type"] == "logging" for e in receiver.events)
        assert all("request" not in e for e in receiver.events)
    finally:
        reset_sdk()


def test_unknown_option_and_bad_style_warn(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="sentry_lite"):
        integration = FlaskIntegration(transaction_style="nope", typo_option=True)  # type: ignore[call-arg]
    assert integration.transaction_style == "endpoint"
    assert "typo_option" in caplog.text and "nope" in caplog.text


def test_breadcrumbs_and_user_do_not_cross_requests(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    sentry_init()
    app = flask.Flask("crumbs")

    @app.route("/<int:n>")
    def view(n: int) -> str:
        sentry_lite.add_breadcrumb(message=f"crumb {n}")
        sentry_lite.set_user({"id": str(n)})
        if n % 2:
            raise ValueError(str(n))
        return "ok"

    client = app.test_client()
    for n in range(6):
        client.get(f"/{n}")
    events = wait_events(receiver, 3)
    by_user: Dict[str, Any] = {e["user"]["id"]: e for e in events}
    assert sorted(by_user) == ["1", "3", "5"]
    for uid, event in by_user.items():
        crumbs = [c["message"] for c in event["breadcrumbs"]["values"]]
        assert crumbs == [f"crumb {uid}"]


def test_file_upload_fields_are_not_sent(
    sentry_init: Callable[..., Any], receiver: Receiver, app: Any
) -> None:
    import io

    sentry_init()
    app.test_client().post(
        "/form", data={"name": "n", "upload": (io.BytesIO(b"secret bytes"), "a.txt")}
    )
    (event,) = wait_events(receiver, 1)
    assert event["request"]["data"] == {"name": "n", "upload": ""}
    assert event["_meta"]["request"]["data"]["upload"][""]["rem"] == [["!raw", "x"]]


def test_http_methods_to_capture(
    sentry_init: Callable[..., Any], receiver: Receiver, app: Any
) -> None:
    sentry_init(
        traces_sample_rate=1.0, integrations=[FlaskIntegration(http_methods_to_capture=("post",))]
    )
    client = app.test_client()
    client.get("/hello/a")
    client.post("/hello/b")
    (txn,) = wait_events(receiver, 1, "transaction")
    settle(receiver)
    assert len(receiver.transactions) == 1
    assert txn["request"]["method"] == "POST"


# -- i11data: conformance fixes ------------------------------------------------------


def test_transaction_of_a_raising_view_named_after_its_route(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    """As sentry_sdk: a view that raises (testing mode re-raises it) still names the
    transaction. Flask clears its request before the exception reaches the WSGI layer,
    and no start_response is called, so it stayed 'generic WSGI request'."""
    from flask import Flask

    sentry_init(integrations=[FlaskIntegration()], traces_sample_rate=1.0)
    app = Flask("raising")
    app.testing = True

    @app.route("/error")
    def error() -> str:
        raise ZeroDivisionError("boom")

    with pytest.raises(ZeroDivisionError):
        app.test_client().get("/error")
    (event,) = wait_events(receiver, 1)
    (txn,) = wait_events(receiver, 1, "transaction")
    assert event["transaction"] == txn["transaction"] == "error"
    assert txn["contexts"]["trace"]["status"] == "internal_error"


def test_transaction_carries_the_form_the_view_read(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    """As sentry_sdk: the transaction (sent after Flask ended the request) has the body too."""
    from flask import Flask, request

    sentry_init(integrations=[FlaskIntegration()], traces_sample_rate=1.0)
    app = Flask("form")

    @app.route("/", methods=["POST"])
    def index() -> str:
        return request.form["username"]

    app.test_client().post("/", data={"username": "sentry-user", "age": "26"})
    (txn,) = wait_events(receiver, 1, "transaction")
    assert txn["request"]["data"] == {"username": "sentry-user", "age": "26"}


def test_a_withheld_authorization_header_has_one_meta_remark(
    sentry_init: Callable[..., Any], receiver: Receiver, app: Any
) -> None:
    """As sentry_sdk: the scrubber's ``[Filtered]`` note alone, not beside the WSGI
    integration's "removed" note for the header it emptied."""
    sentry_init()
    app.test_client().get("/hello/boom", headers={"Authorization": "Bearer secret"})
    (event,) = wait_events(receiver, 1)
    assert event["request"]["headers"]["Authorization"] == "[Filtered]"
    assert event["_meta"]["request"]["headers"]["Authorization"] == {
        "": {"rem": [["!config", "s"]]}
    }
