"""Hostile input for the receiver: it answers 400 (or stores what is valid), never 500,
never stops serving, and every stored event renders."""

from __future__ import annotations

import gzip
import http.client
import json
from typing import Any, Dict, Iterator, Tuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sentry_lite.devserver import DevServer
from sentry_lite.envelope import Envelope, Item

FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def server() -> Iterator[DevServer]:
    srv = DevServer("127.0.0.1", 0).start()
    try:
        yield srv
    finally:
        srv.stop()


def _request(
    srv: DevServer, method: str, path: str, body: bytes = b"", headers: Any = None
) -> Tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _alive(srv: DevServer) -> None:
    assert _request(srv, "GET", "/health") == (200, b"OK")


def _valid() -> bytes:
    env = Envelope({"event_id": "a" * 32})
    env.add_event({"message": "ok", "level": "info", "exception": {"values": []}})
    env.add_item(Item(b"\x00binary\n", "attachment", {"filename": "x"}))
    return env.serialize()


@FUZZ
@given(body=st.binary(max_size=2048))
def test_random_bytes(server: DevServer, body: bytes) -> None:
    status, reply = _request(server, "POST", "/api/1/envelope/", body)
    assert status in (200, 400), reply
    if status == 400:
        assert "detail" in json.loads(reply)
    _alive(server)


@FUZZ
@given(
    cut=st.integers(min_value=0, max_value=400),
    flips=st.lists(st.tuples(st.integers(0, 400), st.integers(0, 255)), max_size=4),
    gzipped=st.booleans(),
)
def test_mutated_valid_envelope(server: DevServer, cut: int, flips: Any, gzipped: bool) -> None:
    data = bytearray(_valid()[: cut or None])
    for index, value in flips:
        if index < len(data):
            data[index] = value
    body = bytes(data)
    headers = {}
    if gzipped:
        body = gzip.compress(body)[: max(1, len(body) // (2 if cut % 2 else 1))]
        headers["Content-Encoding"] = "gzip"
    status, reply = _request(server, "POST", "/api/1/envelope/", body, headers)
    assert status in (200, 400), reply
    _alive(server)


@FUZZ
@given(
    header=st.dictionaries(st.text(max_size=8), st.integers() | st.text(max_size=8), max_size=3),
    item_type=st.sampled_from(["event", "transaction", "log", "session", "attachment", "", "x"]),
    length=st.one_of(st.none(), st.integers(-5, 50), st.text(max_size=3), st.floats()),
    payload=st.binary(max_size=64),
)
def test_item_headers(
    server: DevServer, header: Dict[str, Any], item_type: str, length: Any, payload: bytes
) -> None:
    item_header: Dict[str, Any] = {"type": item_type, **header}
    if length is not None:
        item_header["length"] = length
    try:
        line = json.dumps(item_header).encode()
    except ValueError:
        line = b"{}"
    body = b"{}\n" + line + b"\n" + payload
    status, reply = _request(server, "POST", "/api/1/envelope/", body)
    assert status in (200, 400), reply
    _alive(server)


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
_FIELDS = [
    "exception",
    "breadcrumbs",
    "contexts",
    "spans",
    "tags",
    "user",
    "request",
    "timestamp",
    "start_timestamp",
    "level",
    "fingerprint",
    "logentry",
    "message",
    "threads",
    "stacktrace",
    "extra",
    "sdk",
    "transaction",
    "measurements",
    "event_id",
    "platform",
    "release",
]


@settings(FUZZ, max_examples=100)
@given(
    kind=st.sampled_from(["event", "transaction"]),
    fields=st.dictionaries(st.sampled_from(_FIELDS), _JSON, max_size=8),
    frames=st.lists(
        st.dictionaries(
            st.sampled_from(
                [
                    "filename",
                    "function",
                    "lineno",
                    "context_line",
                    "pre_context",
                    "post_context",
                    "vars",
                    "in_app",
                    "module",
                ]
            ),
            _JSON,
        ),
        max_size=3,
    ),
)
def test_hostile_but_valid_json_events_store_and_render(
    server: DevServer, kind: str, fields: Dict[str, Any], frames: Any
) -> None:
    event = dict(fields)
    if "exception" not in event:
        event["exception"] = {"values": [{"type": "E", "stacktrace": {"frames": frames}}]}
    if kind == "transaction":
        event["type"] = "transaction"
    env = Envelope({})
    env.add_item(Item(json.dumps(event).encode(), kind))  # Infinity/NaN tokens, as some SDKs send
    status, reply = _request(server, "POST", "/api/1/envelope/", env.serialize())
    if status == 400:
        return  # e.g. an event_id that is not a string is refused, which is fine
    assert status == 200, reply
    rows = server.store._rows(
        "SELECT event_id, issue_id FROM events ORDER BY received DESC LIMIT 1"
    )
    event_id, issue_id = rows[0]["event_id"], rows[0]["issue_id"]
    assert len(event_id) == 32, "ids are normalised"
    for path in (f"/events/{event_id}", f"/json/events/{event_id}"):
        status, page = _request(server, "GET", path)
        assert status == 200, (path, page[-500:])
    if issue_id:
        assert _request(server, "GET", f"/issues/{issue_id}")[0] == 200


def test_lists_render_after_all_of_the_above(server: DevServer) -> None:
    for path in ("/", "/transactions", "/logs", "/other", "/json/issues", "/?q=%00%ff"):
        status, page = _request(server, "GET", path)
        assert status == 200, (path, page[-500:])


def test_deeply_nested_json_is_refused_or_stored(server: DevServer) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    body = b'{}\n{"type":"event"}\n' + deep + b"\n"
    status, _ = _request(server, "POST", "/api/1/envelope/", body)
    assert status == 400
    deep_event = b'{"message":"deep","extra":{"x":' + b"[" * 5000 + b"]" * 5000 + b"}}"
    status, _ = _request(server, "POST", "/api/1/envelope/", b'{}\n{"type":"event"}\n' + deep_event)
    assert status in (200, 400)
    _alive(server)
    assert _request(server, "GET", "/")[0] == 200
