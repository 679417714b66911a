"""The local receiver and viewer, in-process, through real HTTP on 127.0.0.1."""

from __future__ import annotations

import gzip
import http.client
import json
import socket
import threading
import time
import zlib
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest

from sentry_lite.devserver import DevServer, Received
from sentry_lite.devserver.grouping import issue_id
from sentry_lite.envelope import Envelope, Item


@pytest.fixture
def server() -> Iterator[DevServer]:
    srv = DevServer("127.0.0.1", 0).start()
    try:
        yield srv
    finally:
        srv.stop()


def _error_event(
    value: str = "boom", function: str = "handler", lineno: int = 10
) -> Dict[str, Any]:
    return {
        "level": "error",
        "platform": "python",
        "timestamp": time.time(),
        "exception": {
            "values": [
                {
                    "type": "ZeroDivisionError",
                    "value": value,
                    "mechanism": {"type": "generic", "handled": False},
                    "stacktrace": {
                        "frames": [
                            {
                                "filename": "app.py",
                                "module": "app",
                                "function": function,
                                "lineno": lineno,
                                "context_line": "    return total / divisor",
                                "pre_context": ["def handler(total, divisor):"],
                                "post_context": [""],
                                "vars": {"total": 6, "divisor": 0, "label": "'<b>x</b>'"},
                                "in_app": True,
                            }
                        ]
                    },
                }
            ]
        },
        "breadcrumbs": {"values": [{"category": "auth", "message": "logged in", "timestamp": 1}]},
        "tags": {"feature": "checkout"},
        "user": {"id": "42"},
        "contexts": {"trace": {"trace_id": "a" * 32, "span_id": "b" * 16}},
    }


def _envelope(*events: Dict[str, Any], kind: str = "event") -> bytes:
    env = Envelope({"event_id": events[0].get("event_id") if events else None})
    for event in events:
        env.add_item(Item(event, kind))
    return env.serialize()


def _post(
    srv: DevServer,
    body: bytes,
    path: str = "/api/1/envelope/",
    headers: Optional[Dict[str, str]] = None,
    chunked: bool = False,
) -> Tuple[int, Dict[str, Any]]:
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    try:
        hdrs = {"Content-Type": "application/x-sentry-envelope", **(headers or {})}
        if chunked:
            conn.putrequest("POST", path)
            for k, v in hdrs.items():
                conn.putheader(k, v)
            conn.putheader("Transfer-Encoding", "chunked")
            conn.endheaders()
            for start in range(0, len(body), 7):
                chunk = body[start : start + 7]
                conn.send(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            conn.send(b"0\r\n\r\n")
        else:
            conn.request("POST", path, body=body, headers=hdrs)
        response = conn.getresponse()
        data = response.read()
        return response.status, json.loads(data) if data else {}
    finally:
        conn.close()


def _get(srv: DevServer, path: str, host: Optional[str] = None) -> Tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    try:
        headers = {"Host": host} if host else {}
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8")
    finally:
        conn.close()


def test_envelope_is_stored_grouped_and_rendered(server: DevServer) -> None:
    status, _ = _post(server, _envelope(_error_event()))
    assert status == 200
    status, _ = _post(server, _envelope(_error_event(value="boom again", lineno=99)))
    assert status == 200
    issues = json.loads(_get(server, "/json/issues")[1])
    assert len(issues) == 1, "same type + in-app function groups together, line numbers ignored"
    assert issues[0]["count"] == 2
    assert issues[0]["title"] == "ZeroDivisionError: boom again"
    status, page = _get(server, f"/issues/{issues[0]['id']}")
    assert status == 200
    assert "return total / divisor" in page
    assert "divisor" in page and "<b>x</b>" not in page, "event text is escaped"
    assert "&lt;b&gt;x&lt;/b&gt;" in page
    assert "logged in" in page and "checkout" in page


def test_store_endpoint_gzip_deflate_and_chunked(server: DevServer) -> None:
    event = _error_event("via store")
    status, _ = _post(server, json.dumps(event).encode(), path="/api/1/store/")
    assert status == 200
    raw = _envelope(_error_event("gzip", function="g"))
    assert _post(server, gzip.compress(raw), headers={"Content-Encoding": "gzip"})[0] == 200
    raw = _envelope(_error_event("deflate", function="d"))
    assert _post(server, zlib.compress(raw), headers={"Content-Encoding": "deflate"})[0] == 200
    raw = _envelope(_error_event("chunked", function="c"))
    assert _post(server, raw, chunked=True)[0] == 200
    titles = {i["title"] for i in json.loads(_get(server, "/json/issues")[1])}
    assert {"ZeroDivisionError: gzip", "ZeroDivisionError: deflate"} <= titles
    assert "ZeroDivisionError: chunked" in titles
    assert server.store.counts()["errors"] == 4


def test_public_key_checked_from_header_query_or_envelope() -> None:
    with DevServer("127.0.0.1", 0, public_keys=["right"]) as srv:
        body = _envelope(_error_event())
        assert _post(srv, body)[0] == 401
        auth = {"X-Sentry-Auth": "Sentry sentry_key=wrong, sentry_version=7"}
        status, reply = _post(srv, body, headers=auth)
        assert status == 403 and "wrong" in reply["detail"]
        auth = {"X-Sentry-Auth": "Sentry sentry_key=right, sentry_version=7"}
        assert _post(srv, body, headers=auth)[0] == 200
        assert _post(srv, body, path="/api/1/envelope/?sentry_key=right")[0] == 200
        env = Envelope({"dsn": f"http://right@127.0.0.1:{srv.port}/1"})
        env.add_event(_error_event())
        assert _post(srv, env.serialize())[0] == 200


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json\n",
        b"{}\n{not json}\n",
        b'{}\n{"type":"event","length":99999}\n{}',
        b'{}\n{"type":"event"}\n[1,2]\n',
        b'{}\n{"type":"event","length":-1}\n',
        b"[]\n",
        b'{}\n{"length":2}\n{}\n',
    ],
)
def test_malformed_is_400_and_server_keeps_serving(server: DevServer, body: bytes) -> None:
    status, reply = _post(server, body)
    assert status == 400, reply
    assert "detail" in reply
    assert _get(server, "/health") == (200, "OK")


def test_bad_encodings(server: DevServer) -> None:
    assert _post(server, b"garbage", headers={"Content-Encoding": "gzip"})[0] == 400
    assert _post(server, b"garbage", headers={"Content-Encoding": "snappy"})[0] == 415
    bomb = gzip.compress(b"\n" * (101 * 1024 * 1024))
    assert _post(server, bomb, headers={"Content-Encoding": "gzip"})[0] == 413


def test_body_over_limit_is_413() -> None:
    with DevServer("127.0.0.1", 0, max_body=1024) as srv:
        status, reply = _post(srv, _envelope({"message": "x" * 5000}))
        assert status == 413 and "limit" in reply["detail"]
        status, _ = _post(srv, _envelope({"message": "x" * 5000}), chunked=True)
        assert status == 413
        assert _post(srv, _envelope({"message": "small"}))[0] == 200


def test_declared_length_over_limit_refused_without_reading() -> None:
    with DevServer("127.0.0.1", 0, max_body=1024) as srv:
        sock = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
        try:
            sock.sendall(
                b"POST /api/1/envelope/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Length: 999999999\r\n\r\n"
            )
            reply = sock.recv(4096)
        finally:
            sock.close()
        assert reply.startswith(b"HTTP/1.1 413")


def test_transaction_waterfall_logs_and_other_items(server: DevServer) -> None:
    now = time.time()
    txn = {
        "type": "transaction",
        "transaction": "GET /checkout",
        "start_timestamp": now - 1.0,
        "timestamp": now,
        "contexts": {"trace": {"trace_id": "c" * 32, "span_id": "1" * 16, "op": "http.server"}},
        "spans": [
            {
                "span_id": "2" * 16,
                "parent_span_id": "1" * 16,
                "op": "db",
                "description": "SELECT 1",
                "start_timestamp": now - 0.9,
                "timestamp": now - 0.5,
            },
            {
                "span_id": "3" * 16,
                "parent_span_id": "2" * 16,
                "op": "net",
                "description": "connect",
                "start_timestamp": now - 0.9,
                "timestamp": now - 0.8,
                "status": "internal_error",
            },
        ],
    }
    env = Envelope({})
    env.add_transaction(txn)
    env.add_item(
        Item(
            {
                "items": [
                    {
                        "timestamp": now,
                        "level": "warn",
                        "body": "disk 91% full",
                        "attributes": {"host": {"value": "db1", "type": "string"}},
                    }
                ]
            },
            "log",
        )
    )
    env.add_item(Item({"sid": "s1", "status": "ok"}, "session"))
    env.add_item(Item(b"\x00\x01binary", "attachment", {"filename": "dump.bin"}))
    assert _post(server, env.serialize())[0] == 200
    rows = json.loads(_get(server, "/json/transactions")[1])
    assert len(rows) == 1 and rows[0]["title"] == "GET /checkout"
    assert 990 < rows[0]["duration_ms"] < 1010
    status, page = _get(server, f"/events/{rows[0]['event_id']}")
    assert status == 200
    assert page.count('class="wf-row') == 3 and "wf-row bad" in page
    assert "SELECT 1" in page
    logs_page = _get(server, "/logs")[1]
    assert "disk 91% full" in logs_page and "db1" in logs_page
    other = json.loads(_get(server, "/json/items")[1])
    assert {r["type"] for r in other} == {"attachment"}
    sessions = json.loads(_get(server, "/json/sessions")[1])
    assert [r["type"] for r in sessions] == ["session"]
    assert "sessions" in _get(server, "/sessions")[1]
    assert _get(server, "/other")[0] == 200


def test_search(server: DevServer) -> None:
    _post(server, _envelope(_error_event("needle in stack", function="a")))
    _post(server, _envelope({"message": "hay", "level": "info"}))
    assert [i["title"] for i in json.loads(_get(server, "/json/issues?q=needle")[1])] == [
        "ZeroDivisionError: needle in stack"
    ]
    page = _get(server, "/?q=hay")[1]
    assert "hay" in page and "needle" not in page
    assert len(json.loads(_get(server, "/json/issues?q=%25")[1])) == 0, "LIKE wildcards escaped"


def test_pages_refuse_foreign_host_header(server: DevServer) -> None:
    assert _get(server, "/", host="evil.example")[0] == 403
    assert _get(server, "/json/issues", host="evil.example:8969")[0] == 403
    assert _get(server, "/", host=f"localhost:{server.port}")[0] == 200
    assert _get(server, "/static/style.css")[0] == 200
    assert _get(server, "/static/../server.py")[0] == 404


def test_not_found_pages(server: DevServer) -> None:
    assert _get(server, "/events/" + "0" * 32)[0] == 404
    assert _get(server, "/issues/nope")[0] == 404
    assert _get(server, "/json/events/nope")[0] == 404
    assert _post(server, b"{}", path="/nope")[0] == 404


def _read_sse(srv: DevServer, path: str, want: int, out: List[str], ready: threading.Event) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    conn.request("GET", path)
    response = conn.getresponse()
    ready.set()
    buf = b""
    while len(out) < want:
        line = response.fp.readline()
        if not line:
            break
        buf += line
        if line == b"\n":
            out.append(buf.decode())
            buf = b""
    conn.close()


def test_spotlight_stream_and_live_feed(server: DevServer) -> None:
    streams: Dict[str, List[str]] = {"/stream": [], "/live": [], "/stream?base64=1": []}
    threads = []
    for path, out in streams.items():
        ready = threading.Event()
        thread = threading.Thread(target=_read_sse, args=(server, path, 2, out, ready), daemon=True)
        thread.start()
        assert ready.wait(10)
        threads.append(thread)
    deadline = time.monotonic() + 10
    while len(server.live._listeners) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    # Spotlight's POST /stream takes an envelope with no auth at all.
    status, _ = _post(server, _envelope(_error_event("streamed")), path="/stream")
    assert status == 200
    for thread in threads:
        thread.join(10)
    stream = streams["/stream"][1]
    assert stream.startswith("event: application/x-sentry-envelope\n")
    assert "streamed" in stream
    assert "retry:" in streams["/live"][0]
    live = json.loads(streams["/live"][1].split("data: ", 1)[1])
    assert live["item_type"] == "event" and live["title"] == "ZeroDivisionError: streamed"
    assert "data: " in streams["/stream?base64=1"][1]


def test_on_item_callback_and_duplicates() -> None:
    seen: List[Received] = []
    with DevServer("127.0.0.1", 0, on_item=lambda r, url: seen.append(r)) as srv:
        event = _error_event()
        event["event_id"] = "f" * 32
        _post(srv, _envelope(event))
        _post(srv, _envelope(event))
        assert srv.wait_for(2, 5)
        assert [r.duplicate for r in seen] == [False, True]
        assert srv.store.issue(seen[0].issue_id)["count"] == 1


def test_fingerprint_and_message_grouping() -> None:
    a = {"message": "x", "fingerprint": ["payment", "{{ default }}"]}
    b = {"message": "x", "fingerprint": ["payment", "{{ default }}"]}
    c = {"message": "x"}
    assert issue_id(a) == issue_id(b) != issue_id(c)
    assert issue_id({"message": "y"}) != issue_id(c)


def test_file_database_persists(tmp_path: Any) -> None:
    path = str(tmp_path / "events.sqlite3")
    with DevServer("127.0.0.1", 0, path) as srv:
        _post(srv, _envelope(_error_event()))
    with DevServer("127.0.0.1", 0, path) as srv:
        assert srv.store.counts()["errors"] == 1


def test_a_database_from_the_previous_version_opens(tmp_path: Any) -> None:
    """Files written by the version before the status/HTTP/size columns still open."""
    import sqlite3

    path = str(tmp_path / "old.sqlite3")
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE issues (id TEXT PRIMARY KEY, project TEXT, title TEXT, culprit TEXT,"
        " level TEXT, platform TEXT, first_seen REAL, last_seen REAL, count INTEGER,"
        " last_event_id TEXT);"
        "CREATE TABLE events (event_id TEXT PRIMARY KEY, kind TEXT, issue_id TEXT,"
        " project TEXT, received REAL, timestamp REAL, title TEXT, culprit TEXT, level TEXT,"
        " platform TEXT, sdk TEXT, environment TEXT, release TEXT, trace_id TEXT,"
        " duration_ms REAL, body TEXT);"
        "CREATE TABLE logs (id INTEGER PRIMARY KEY AUTOINCREMENT, project TEXT, received REAL,"
        " timestamp REAL, level TEXT, body TEXT, trace_id TEXT, attributes TEXT);"
        "CREATE TABLE items (id INTEGER PRIMARY KEY AUTOINCREMENT, project TEXT,"
        " received REAL, type TEXT, event_id TEXT, size INTEGER, body TEXT);"
        "INSERT INTO issues VALUES ('i1', '1', 'Old: one', '', 'error', 'python', 1, 1, 1,"
        " 'e1');"
        "INSERT INTO events (event_id, kind, issue_id, project, received, title, level, body)"
        " VALUES ('" + "e" * 32 + "', 'error', 'i1', '1', 1, 'Old: one', 'error', '{}');"
    )
    db.close()
    with DevServer("127.0.0.1", 0, path) as srv:
        assert [i["title"] for i in srv.store.issues()] == ["Old: one"]
        assert _get(srv, "/issues/i1")[0] == 200
        _post(srv, _envelope(_error_event()))
        assert srv.store.counts()["errors"] == 2


def test_allow_origin_lets_one_more_origin_read_the_stream() -> None:
    allowed = "http://localhost:3000"
    with DevServer("127.0.0.1", 0, allow_origins=[allowed]) as srv:
        for origin, status in ((allowed, 200), ("http://localhost:4000", 403)):
            conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
            conn.request("HEAD", "/stream", headers={"Origin": origin})
            response = conn.getresponse()
            assert response.status == status, origin
            if status == 200:
                assert response.getheader("Access-Control-Allow-Origin") == allowed
            conn.close()
        for origin, status in ((allowed, 200), ("http://localhost:4000", 403)):
            conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
            conn.request("GET", "/json/issues", headers={"Origin": origin})
            response = conn.getresponse()
            assert response.status == status
            if status == 200:
                assert response.getheader("Access-Control-Allow-Origin") == allowed
            conn.close()


def test_cors_preflight_for_browser_sdks(server: DevServer) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("OPTIONS", "/api/1/envelope/", headers={"Origin": "http://localhost:3000"})
    response = conn.getresponse()
    response.read()
    conn.close()
    assert response.status == 204
    assert response.getheader("Access-Control-Allow-Origin") == "*"


def test_clear_needs_a_token_or_delete(server: DevServer) -> None:
    _post(server, _envelope(_error_event()))

    def clear(method: str, headers: Dict[str, str]) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        try:
            conn.request(method, "/json/clear", body=b"{}", headers=headers)
            return conn.getresponse().status
        finally:
            conn.close()

    # Simple requests (no preflight) a page on another origin could send: refused.
    assert clear("POST", {"Content-Type": "text/plain"}) == 403
    assert clear("POST", {"Content-Type": "text/plain; json=1"}) == 403
    assert clear("POST", {"Content-Type": "application/json"}) == 403
    assert clear("POST", {"X-Sentry-Lite-Token": "guess"}) == 403
    token = server.policy.token
    assert clear("DELETE", {"Origin": "http://evil.localhost:1234"}) == 403
    assert server.store.counts()["errors"] == 1
    assert clear("POST", {"X-Sentry-Lite-Token": token}) == 200
    assert server.store.counts()["errors"] == 0
    _post(server, _envelope(_error_event()))
    assert clear("DELETE", {}) == 200
    assert server.store.counts()["errors"] == 0


def test_stop_ends_open_connections() -> None:
    srv = DevServer("127.0.0.1", 0).start()
    idle = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    stream = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    stream.request("GET", "/live")
    response = stream.getresponse()
    assert response.status == 200
    before = threading.active_count()
    srv.stop()
    deadline = time.monotonic() + 5
    while threading.active_count() >= before and time.monotonic() < deadline:
        time.sleep(0.02)
    assert threading.active_count() < before, "handler threads exit with the server"
    assert idle.recv(1) == b""
    idle.close()
    stream.close()


@pytest.mark.parametrize("encoding", ["br", "zstd"])
def test_optional_encodings_when_their_module_is_installed(
    server: DevServer, encoding: str
) -> None:
    """br and zstd are optional (brotli / zstandard or Python 3.14's compression.zstd)."""
    compress: Any
    if encoding == "br":
        brotli = pytest.importorskip("brotli")

        def compress(data: bytes) -> bytes:
            return bytes(brotli.compress(data, quality=1))
    else:
        try:
            from compression import zstd  # type: ignore[import-not-found, unused-ignore]

            compress = zstd.compress
        except ImportError:
            compress = pytest.importorskip("zstandard").ZstdCompressor().compress
    raw = _envelope(_error_event(f"via {encoding}", function=encoding))
    assert _post(server, compress(raw), headers={"Content-Encoding": encoding})[0] == 200
    bomb = compress(b"\n" * (101 * 1024 * 1024))
    assert _post(server, bomb, headers={"Content-Encoding": encoding})[0] == 413
