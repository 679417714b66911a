"""Issue 16: what one request can cost the local receiver is bounded.

A 96 KB gzip body that inflates to 100 MB used to cost GBs of memory and seconds of
CPU, and the event it carried made every later view of it cost as much again; storage
was bounded by row counts only. Now: the body is decoded as it streams and refused with
413 at the limit, one event is at most 1 MiB (as Sentry's ingest), what is stored is
bounded in bytes, and one event page draws a bounded amount whatever the event holds.
"""

from __future__ import annotations

import gzip
import http.client
import json
import time
import tracemalloc
import uuid
import zlib
from pathlib import Path
from typing import Any, Dict, Iterator, Tuple

import pytest

from sentry_lite.devserver import DevServer
from sentry_lite.envelope import Envelope, Item
from sentry_lite.transport import wire

MiB = 1024 * 1024
MAX_JSON_ITEM_BYTES = MiB
"""Relay's (and now the receiver's) limit for one event."""


@pytest.fixture
def server() -> Iterator[DevServer]:
    srv = DevServer("127.0.0.1", 0).start()
    try:
        yield srv
    finally:
        srv.stop()


def _bomb(decoded_mib: int = 100) -> bytes:
    """An envelope whose one event carries ``decoded_mib`` MiB of one string, gzipped."""
    head = b'{}\n{"type":"event"}\n{"message":"'
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    parts = [compressor.compress(head)]
    block = b"a" * MiB
    for _ in range(decoded_mib):
        parts.append(compressor.compress(block))
    parts.append(compressor.compress(b'"}\n'))
    parts.append(compressor.flush())
    return b"".join(parts)


def _post(srv: DevServer, body: bytes, headers: Dict[str, str]) -> Tuple[int, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=60)
    try:
        conn.request("POST", "/api/1/envelope/", body=body, headers=headers)
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        conn.close()


def test_a_zip_bomb_is_refused_at_the_limit_without_inflating_it(tmp_path: Path) -> None:
    bomb = _bomb(100)
    assert len(bomb) < 200 * 1024
    db = tmp_path / "events.sqlite3"
    with DevServer("127.0.0.1", 0, str(db)) as srv:
        tracemalloc.start()
        try:
            status, answer = _post(srv, bomb, {"Content-Encoding": "gzip"})
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert status == 413, answer
        assert "over the" in answer["detail"]
        # The limit is 20 MiB decoded; the old receiver held the whole 100 MiB (and far
        # more while parsing it).
        assert peak < 64 * MiB, f"peak {peak / MiB:.0f} MiB"
        assert srv.store.counts()["errors"] == 0
        # The server is still fine and the database did not grow.
        ok = Envelope({})
        ok.add_event({"message": "fine"})
        assert _post(srv, gzip.compress(ok.serialize()), {"Content-Encoding": "gzip"})[0] == 200
    assert db.stat().st_size < 2 * MiB


def test_an_event_over_1_mib_is_refused_like_sentry_does(server: DevServer) -> None:
    # The wire envelope: the SDK's own Envelope would trim the event before sending it.
    env = wire.Envelope({})
    env.add_item(wire.Item({"message": "x" * (MAX_JSON_ITEM_BYTES + 10)}, "event"))
    status, answer = _post(server, env.serialize(), {})
    assert status == 413 and "1048576 byte limit" in answer["detail"]
    status, _ = _post(server, gzip.compress(env.serialize()), {"Content-Encoding": "gzip"})
    assert status == 413
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    body = json.dumps({"message": "y" * (MAX_JSON_ITEM_BYTES + 10)}).encode()
    conn.request("POST", "/api/1/store/", body=body)
    assert conn.getresponse().status == 413
    conn.close()
    assert server.store.counts()["errors"] == 0


def test_storage_is_bounded_in_bytes_oldest_first(tmp_path: Path) -> None:
    db = tmp_path / "events.sqlite3"
    budget = 2 * MiB
    with DevServer("127.0.0.1", 0, str(db), max_store=budget) as srv:
        first = None
        for n in range(60):  # 60 x ~200 KB = 12 MB offered
            event = {
                "event_id": uuid.uuid4().hex,
                "message": f"big {n}",
                "extra": {"blob": "z" * 200_000},
            }
            first = first or event["event_id"]
            env = Envelope({})
            env.add_event(event)
            assert _post(srv, env.serialize(), {})[0] == 200
        assert srv.store.stored_bytes <= budget
        assert srv.store.event(first) is None, "the oldest went first"
        titles = {i["title"] for i in srv.store.issues()}
        assert "big 59" in titles
        stats = srv.store.counts()
        assert 1 <= stats["errors"] < 60
    assert db.stat().st_size < 6 * budget, "the file stays near the budget"


def _hostile_event() -> Dict[str, Any]:
    """Just under 1 MiB, shaped to make a naive renderer draw millions of things."""
    frames = [
        {"function": f"f{i}", "module": "m", "in_app": True, "lineno": i} for i in range(8000)
    ]
    frames[-1]["vars"] = {f"v{i}": i for i in range(20000)}
    nested: Any = "bottom"
    for _ in range(300):
        nested = {"n": nested}
    return {
        "event_id": uuid.uuid4().hex,
        "exception": {"values": [{"type": "E", "value": "v", "stacktrace": {"frames": frames}}]},
        "breadcrumbs": {"values": [{"message": f"crumb {i}"} for i in range(5000)]},
        "extra": {"nested": nested, "text": "t" * 120_000},
    }


def test_rendering_one_event_is_bounded(server: DevServer) -> None:
    event = _hostile_event()
    env = Envelope({})
    env.add_event(event)
    raw = env.serialize()
    assert len(raw) < MAX_JSON_ITEM_BYTES
    assert _post(server, raw, {})[0] == 200
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    conn.request("GET", f"/events/{event['event_id']}")
    response = conn.getresponse()
    page = response.read().decode()
    conn.close()
    assert response.status == 200
    assert len(page) < 3 * MiB, f"{len(page) / MiB:.1f} MiB of HTML for one event"
    assert page.count('class="frame') <= 250 + 5
    assert "older frames not shown" in page and "more not shown" in page
    assert "older breadcrumbs not shown" in page and "more characters" in page


def test_the_body_limit_applies_after_decompression_too() -> None:
    payload = _bomb(3)
    with DevServer("127.0.0.1", 0, max_body=1 * MiB) as srv:
        assert _post(srv, payload, {"Content-Encoding": "gzip"})[0] == 413
        assert _post(srv, payload, {"Content-Encoding": "deflate"})[0] == 400


def test_duplicate_items_from_dsn_and_spotlight_are_stored_once(server: DevServer) -> None:
    env = Envelope({})
    env.add_item(
        Item({"items": [{"timestamp": time.time(), "level": "info", "body": "twice"}]}, "log")
    )
    raw = env.serialize()
    assert _post(server, raw, {})[0] == 200
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request(
        "POST", "/stream", body=raw, headers={"Content-Type": "application/x-sentry-envelope"}
    )
    assert conn.getresponse().status == 200
    conn.close()
    assert [r["body"] for r in server.store.logs()] == ["twice"]
