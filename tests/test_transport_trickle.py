"""An ingest that trickles or stalls its reply never wedges a sending thread (issue 16).

A real misbehaving server on 127.0.0.1 reads each request, then answers according to a
script: a lying ``Content-Length``, a head sent a byte at a time, a status line and then
silence. Every request has an overall deadline; once a 2xx status line arrived the
envelope counts as delivered, whatever the rest of the reply does.
"""

from __future__ import annotations

import socket
import threading
import time
from contextlib import nullcontext
from typing import Any, Callable, Iterator, List

import pytest

import sentry_lite
from sentry_lite import shortcuts
from sentry_lite.dsn import Dsn
from sentry_lite.scope import Scope
from sentry_lite.transport import replies
from sentry_lite.transport.exchange import NETWORK, SENT, Exchange
from sentry_lite.transport.ratelimits import RateLimits
from tests.raw_ingest import RawIngest, read_request

Script = Callable[[socket.socket], None]


class MisbehavingIngest(RawIngest):
    def __init__(self, script: Script) -> None:
        self.script = script
        self.requests = 0
        self._stop = threading.Event()
        super().__init__()

    def handle(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.settimeout(10)
                while read_request(conn) is not None:
                    self.requests += 1
                    self.script(conn)
            except OSError:
                return

    def stall(self) -> None:
        self._stop.wait(20)

    def close(self) -> None:
        self._stop.set()
        super().close()


@pytest.fixture
def short_deadlines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replies, "REQUEST_DEADLINE", 1.0)
    monkeypatch.setattr(replies, "REPLY_BODY_TIMEOUT", 0.3)


@pytest.fixture
def ingests() -> Iterator[List[MisbehavingIngest]]:
    made: List[MisbehavingIngest] = []
    yield made
    for ingest in made:
        ingest.close()


def _deliver_within(ingest: MisbehavingIngest, seconds: float = 10.0) -> str:
    """POST once on a thread; fail if the thread is still wedged after ``seconds``."""
    dsn = Dsn(ingest.dsn())
    exchange = Exchange({"dsn": dsn}, dsn, RateLimits(), 1)
    outcome: List[str] = []
    thread = threading.Thread(
        target=lambda: outcome.append(exchange.deliver(b"{}\n", 3, False)), daemon=True
    )
    thread.start()
    thread.join(seconds)
    assert outcome, "the sending thread is wedged"
    return outcome[0]


@pytest.mark.parametrize("lean", [True, False])
def test_a_lying_content_length_still_counts_as_delivered(
    short_deadlines: None, ingests: List[MisbehavingIngest], lean: bool
) -> None:
    def script(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\n{}")
        ingest.stall()

    ingest = MisbehavingIngest(script)
    ingests.append(ingest)
    with nullcontext() if lean else shortcuts.disabled():
        assert _deliver_within(ingest) == SENT


@pytest.fixture
def lean_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """The deadline covers the lean path; urllib3's own (proxies) bounds each read only."""
    monkeypatch.setattr(shortcuts, "enabled", True)


@pytest.mark.usefixtures("lean_path")
@pytest.mark.parametrize("status", [b"200", b"503"])
def test_a_head_trickled_byte_by_byte_ends_at_the_deadline(
    short_deadlines: None, ingests: List[MisbehavingIngest], status: bytes
) -> None:
    def script(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 " + status + b" OK\r\n")
        for _ in range(200):  # 20 s of headers, one byte per 0.1 s
            conn.sendall(b"X")
            time.sleep(0.1)

    ingest = MisbehavingIngest(script)
    ingests.append(ingest)
    outcome = _deliver_within(ingest)
    # A 2xx status line: the ingest took it (sending again would duplicate it).
    assert outcome == (SENT if status == b"200" else NETWORK)


@pytest.mark.usefixtures("lean_path")
def test_a_status_line_trickled_is_a_network_error_at_the_deadline(
    short_deadlines: None, ingests: List[MisbehavingIngest]
) -> None:
    def script(conn: socket.socket) -> None:
        for byte in b"HTTP/1.1 200 OK\r\n" * 20:
            conn.sendall(bytes([byte]))
            time.sleep(0.1)

    ingest = MisbehavingIngest(script)
    ingests.append(ingest)
    assert _deliver_within(ingest) == NETWORK


def test_the_sender_recovers_from_a_stalled_body_end_to_end(
    short_deadlines: None, ingests: List[MisbehavingIngest], sentry_init: Callable[..., Any]
) -> None:
    def script(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{")
        ingest.stall()

    ingest = MisbehavingIngest(script)
    ingests.append(ingest)
    sentry_init(dsn=ingest.dsn())
    for index in range(3):
        sentry_lite.capture_message(f"m{index}")
        sentry_lite.flush(10)
    assert ingest.requests == 3
    client = Scope.get_global_scope().client
    assert client is not None
    assert not client.transport.losses.totals  # nothing counted as a network error
