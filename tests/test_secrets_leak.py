"""Secrets never leave with ``send_default_pii=False``: searched in the envelope bytes (issue 16).

sentry_sdk sends all of these; this is where sentry-lite goes beyond it. Real apps (Flask
over the test client, Django's test project) handle a request carrying secrets in headers,
the query string and the body, keep the request object and a database URL in their
locals, make an outgoing HTTP call with a token in its query and run a command with a
password on its command line, then fail. No secret value may appear in any byte the
receiver got, while the event and transaction themselves arrive.
"""

from __future__ import annotations

import gzip
import http.client
import json
import os
import subprocess
import sys
from typing import Any, Callable, Iterator, List

import pytest

import sentry_lite
from tests.child_python import run_python
from tests.httpserver import HeaderServer
from tests.receiver import Receiver
from tests.test_web_support import wait_events

HEADERS = {"X-Auth-Token": "SECRETH1x", "Private-Token": "SECRETH2x"}
QUERY = "access_token=SECRETQ1x&page=2"
FORM = {"client_secret": "SECRETB1x", "aws_secret_access_key": "SECRETB2x", "name": "bob"}
DB_URL = "postgres://bob:SECRETU1x@db.internal/app"
OUTGOING_QUERY = "token=SECRETS1x&q=shoes"
COMMAND_PASSWORD = "SECRETC1x"
SECRETS = [
    *HEADERS.values(),
    "SECRETQ1x",
    "SECRETB1x",
    "SECRETB2x",
    "SECRETU1x",
    "SECRETS1x",
    COMMAND_PASSWORD,
]


@pytest.fixture
def outside() -> Iterator[HeaderServer]:
    server = HeaderServer()
    try:
        yield server
    finally:
        server.close()


def _wire_bytes(receiver: Receiver) -> bytes:
    out = b""
    for request in receiver.requests:
        body = request.body
        if body[:2] == b"\x1f\x8b":
            body = gzip.decompress(body)
        out += body
    return out


def _leaky_work(port: int) -> None:
    """What a view does before it fails: an outgoing call, a command, a DB URL in locals."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/items?" + OUTGOING_QUERY)
    conn.getresponse().read()
    conn.close()
    subprocess.run([sys.executable, "-c", "pass", f"--password={COMMAND_PASSWORD}"], check=True)


def _assert_no_secret(receiver: Receiver) -> None:
    wire = _wire_bytes(receiver)
    assert b'"exception"' in wire and b'"transaction"' in wire
    leaked = [secret for secret in SECRETS if secret.encode() in wire]
    context = [wire[wire.index(s.encode()) - 200 :][:260] for s in leaked]
    assert not leaked, context


def test_flask_sends_no_secret(
    sentry_init: Callable[..., Any], receiver: Receiver, outside: HeaderServer
) -> None:
    flask = pytest.importorskip("flask")
    from sentry_lite.integrations.flask import FlaskIntegration

    sentry_init(integrations=[FlaskIntegration()], traces_sample_rate=1.0)
    app = flask.Flask("secrets_app")

    @app.route("/login", methods=["POST"])
    def login() -> Any:
        req = flask.request._get_current_object()  # its repr carries the query string
        _ = flask.request.form
        db_url = DB_URL
        _leaky_work(outside.port)
        raise RuntimeError(f"login failed for {len(str(req)) + len(db_url)}")

    response = app.test_client().post("/login?" + QUERY, data=FORM, headers=HEADERS)
    assert response.status_code == 500
    wait_events(receiver, 1)
    wait_events(receiver, 1, "transaction")
    _assert_no_secret(receiver)


def test_django_sends_no_secret(
    sentry_init: Callable[..., Any], receiver: Receiver, outside: HeaderServer
) -> None:
    pytest.importorskip("django")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.django_app.settings")
    import django

    django.setup()
    from django.test import Client

    from sentry_lite.integrations.django import DjangoIntegration

    sentry_init(integrations=[DjangoIntegration()], traces_sample_rate=1.0)
    # The view fails with the request (its repr has the query string) in its locals.
    headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in HEADERS.items()}
    db_url = DB_URL
    _leaky_work(outside.port)
    with sentry_lite.start_transaction(name="outside work"):
        _leaky_work(outside.port)
    try:
        raise RuntimeError(db_url[:3])
    except RuntimeError:
        sentry_lite.capture_exception()
    client = Client(raise_request_exception=False)
    assert client.get("/api/items/5/boom?" + QUERY, **headers).status_code == 500
    wait_events(receiver, 2)
    wait_events(receiver, 1, "transaction")
    _assert_no_secret(receiver)


@pytest.mark.parametrize(
    ("key", "secret"),
    [
        ("X-Auth-Token", True),
        ("access_token", True),
        ("client_secret", True),
        ("aws_secret_access_key", True),
        ("DB_PASSWORD", True),
        ("stripe_key", True),
        ("gen_ai.usage.input_tokens", False),  # a count, not a secret
        ("max_tokens", False),
        ("public_key", False),  # the DSN's public key, in the trace context
        ("keyboard", False),
    ],
)
def test_keys_judged_by_pattern(key: str, secret: bool) -> None:
    from sentry_lite.events.scrub import EventScrubber

    assert EventScrubber().is_denied(key) is secret
    # Patterns are beyond sentry_sdk: with send_default_pii on, its exact list only.
    assert EventScrubber(send_default_pii=True).is_denied("client_secret") is False


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("mysqldump --password=pw1 db", "mysqldump --password=[Filtered] db"),
        ("tool --db-password pw2 -v", "tool --db-password [Filtered] -v"),
        ("curl -u bob:pw3 https://x", "curl -u bob:[Filtered] https://x"),
        ("psql postgres://bob:pw4@h/db", "psql postgres://[Filtered]@h/db"),
        ("ls -la /tmp", "ls -la /tmp"),
    ],
)
def test_command_lines(command: str, expected: str) -> None:
    from sentry_lite.events.scrub import EventScrubber
    from sentry_lite.events.secret_text import scrub_command_line

    assert scrub_command_line(command, EventScrubber().is_denied) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["app", "--password", "pw1", "-v"], ["app", "--password", "[Filtered]", "-v"]),
        (["app", "--db-password=pw2"], ["app", "--db-password=[Filtered]"]),
        (["app", "--api-key", "k", "x"], ["app", "--api-key", "[Filtered]", "x"]),
        (["curl", "-u", "bob:pw3", "https://x"], ["curl", "-u", "bob:[Filtered]", "https://x"]),
        (["psql", "postgres://bob:pw4@h/db"], ["psql", "postgres://bob:[Filtered]@h/db"]),
        # Not secrets: a flag with no value, a user without a password, stdin, non-text.
        (["app", "--token", "--next", "-"], ["app", "--token", "--next", "-"]),
        (["app", "http://public@127.0.0.1:9/1", 3], ["app", "http://public@127.0.0.1:9/1", 3]),
        (["manage.py", "runserver", "0.0.0.0:8000"], ["manage.py", "runserver", "0.0.0.0:8000"]),
    ],
)
def test_argv(args: List[Any], expected: List[Any]) -> None:
    from sentry_lite.events.secret_text import scrub_argv

    before = list(args)
    assert scrub_argv(args) == expected
    assert args == before  # a new list: sys.argv itself is never changed


_LONG_TEXT_CHILD = r"""
from sentry_lite.events.scrub import EventScrubber
from sentry_lite.events.secret_text import scrub_argv, scrub_command_line, scrub_text

denied = EventScrubber().is_denied
for unit in ("-", "-a", "a-", "a.", "--password", "a:", "-u ", "?a", "x://"):
    text = unit * (100_000 // len(unit)) + "://@"
    scrub_text(text, denied)
    scrub_command_line(text, denied)
    scrub_argv(["app", text])
print(scrub_command_line("-" * 100_000 + " --password x", denied)[-12:])
"""


def test_long_text_is_scrubbed_in_linear_time() -> None:
    """Hostile text never stalls the thread that scrubs it: the patterns may only begin
    where a secret can (a 16,000-dash command line took 14 s before, 100,000 minutes).
    A hang guard, not a benchmark: the child takes well under a second."""
    output = run_python(_LONG_TEXT_CHILD)
    assert output.strip() == "d [Filtered]"  # the end of "--password [Filtered]"


class _CountingDict(dict):  # type: ignore[type-arg]
    """Counts how often the SDK reads it."""

    reads = 0

    def items(self) -> Any:
        _CountingDict.reads += 1
        return super().items()


def test_breadcrumbs_share_one_scrub_budget(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    """Each crumb's data was walked to the scrubber's budget on its own: 100 crumbs that
    hold one large object took seconds on the capturing thread (a million reads here).
    The section now has one budget, as the serializer's; past it the data is filtered,
    never sent unscrubbed."""
    shared: Any = _CountingDict(leaf=1)
    for _ in range(30):
        shared = _CountingDict({str(i): shared for i in range(10)})
    sentry_init()
    for _ in range(100):
        sentry_lite.add_breadcrumb(message="m", data={"big": shared, "password": "hunter2"})
    _CountingDict.reads = 0
    sentry_lite.capture_message("crumbs")
    reads = _CountingDict.reads
    sentry_lite.flush(5)
    (event,) = wait_events(receiver, 1)
    assert reads < 50_000  # 10,000 for the scrubber, the serializer's 5,000 nodes
    assert "hunter2" not in json.dumps(event)
    crumbs = event["breadcrumbs"]["values"]
    assert len(crumbs) == 100
    assert crumbs[0]["data"]["password"] == "[Filtered]"


@pytest.mark.skipif(sys.version_info < (3, 11), reason="ExceptionGroup is 3.11+")
def test_group_members_sharing_a_frame_are_each_scrubbed(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    """The members of a group raised in one frame share that frame's serialized locals
    (read once per capture): each member's copy is still scrubbed on the wire."""
    sentry_init()
    login = {"password": "SECRET" + "G1x", "user": "bob"}  # made here: not in the source
    api_key = "SECRET" + "G2x"
    members: List[Exception] = []
    for n in range(5):
        try:
            raise ValueError(f"failed {n} for {len(login) + len(api_key)}")
        except ValueError as exc:
            members.append(exc)
    try:
        raise ExceptionGroup("all failed", members)  # noqa: F821
    except Exception as group:  # noqa: BLE001
        sentry_lite.capture_exception(group)
    (event,) = wait_events(receiver, 1)
    # Spelled in two parts: the test's own lines travel in the frames' source context.
    assert ("SECRET" + "G").encode() not in _wire_bytes(receiver)
    values = event["exception"]["values"]
    assert len(values) == 6
    for value in values:
        local_vars = value["stacktrace"]["frames"][-1]["vars"]
        assert local_vars["login"] == {"password": "[Filtered]", "user": "'bob'"}
        assert local_vars["api_key"] == "[Filtered]"


@pytest.mark.parametrize("count", [20, 400])
def test_a_secret_among_many_query_keys_is_filtered_on_the_wire(
    sentry_init: Callable[..., Any], receiver: Receiver, count: int
) -> None:
    """A query of more keys than MANY_QUERY_PARAMS is first searched whole for the words
    a denied key holds; a secret under an escaped key among 20 or 400 keys is filtered
    everywhere a real Flask app's events carry it: the request's query string and the
    WSGI environ in the frames' locals (whose text scrubber judged the key unescaped
    only since this test: ``api%5Fkey`` passed it)."""
    flask = pytest.importorskip("flask")
    from sentry_lite.integrations.flask import FlaskIntegration

    sentry_init(integrations=[FlaskIntegration()], traces_sample_rate=1.0)
    app = flask.Flask("many_keys_app")

    @app.route("/search")
    def search() -> Any:
        raise RuntimeError("search failed")

    keys = [f"f{n}=v{n}" for n in range(count)]
    secret = "SECRET" + "Q9x"  # made here: the test's source travels in source context
    query = "&".join([*keys[: count // 2], f"api%5Fkey={secret}", *keys[count // 2 :]])
    response = app.test_client().get("/search?" + query)
    assert response.status_code == 500
    (event,) = wait_events(receiver, 1)
    wait_events(receiver, 1, "transaction")
    assert secret.encode() not in _wire_bytes(receiver)
    assert "api_key=[Filtered]" in event["request"]["query_string"]
    assert event["request"]["query_string"].count("&") == count
