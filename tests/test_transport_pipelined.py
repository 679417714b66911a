"""Envelopes written back to back on one connection (transport/pipelined.py).

A real server on 127.0.0.1 reads the requests as they come and answers each according to
a script: a plain 200, ``Connection: close``, a 429, a reply the lean reader does not
know, an abrupt close, or a server that drops whatever it read beyond the first request.
Whatever it does, every envelope gets an outcome, every one the server answered with 2xx
counts as sent, and none that it never saw counts as sent.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from typing import Any, Callable, Iterator, List, Optional

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sentry_lite
from sentry_lite import shortcuts
from sentry_lite.dsn import Dsn
from sentry_lite.transport import pipelined
from sentry_lite.transport.exchange import LIMITED, NETWORK, SENT, Exchange
from sentry_lite.transport.ratelimits import RateLimits
from tests.raw_ingest import RawIngest, content_length

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"
CLOSE = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}"
LIMIT = b"HTTP/1.1 429 Too Many\r\nX-Sentry-Rate-Limits: 60:error\r\nContent-Length: 0\r\n\r\n"
UNUSUAL = b"HTTP/1.1 200 OK\r\nContent-Encoding: identity\r\nContent-Length: 2\r\n\r\n{}"
ABORT = b""
"""Close the connection at once, without answering (nor processing) this request."""
DROP_REST = b"drop"
"""Answer OK, then forget every byte read beyond this request (a server that does not
know pipelining)."""


class ScriptedIngest(RawIngest):
    """Answers the n-th request (over all connections) with ``script(n, body)``."""

    def __init__(self, script: Callable[[int, bytes], bytes]) -> None:
        self.script = script
        self.bodies: List[bytes] = []
        """Bodies the server processed (answered), in order."""
        self.pipelined = 0
        """Requests already read in full when the one before them was answered."""
        self._lock = threading.Lock()
        super().__init__()

    def handle(self, conn: socket.socket) -> None:
        buffer = b""
        with conn:
            conn.settimeout(10)
            try:
                while True:
                    request = _take_request(buffer)
                    if request is None:
                        chunk = conn.recv(65536)
                        if not chunk:
                            return
                        buffer += chunk
                        continue
                    body, buffer = request
                    with self._lock:
                        index = len(self.bodies)
                        answer = self.script(index, body)
                        if answer == ABORT:
                            return _linger(conn)
                        self.bodies.append(body)
                        if _take_request(buffer) is not None:
                            self.pipelined += 1
                    if answer == DROP_REST:
                        answer, buffer = OK, b""
                    conn.sendall(answer)
                    if answer == CLOSE:
                        return _linger(conn)
            except OSError:
                return


def _linger(conn: socket.socket) -> None:
    """Close as a careful server does (nginx's lingering close): stop writing, then read
    and drop what the client still sends. A close with unread data would reset the
    connection, and the client could lose the replies already written."""
    conn.shutdown(socket.SHUT_WR)
    while conn.recv(65536):
        pass


def _take_request(buffer: bytes) -> Optional[tuple]:  # type: ignore[type-arg]
    head, found, rest = buffer.partition(b"\r\n\r\n")
    if not found:
        return None
    length = content_length(head)
    if len(rest) < length:
        return None
    return rest[:length], rest[length:]


@pytest.fixture(autouse=True)
def _lean_path_and_short_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shortcuts, "enabled", True)  # pipelines ride the lean path only
    monkeypatch.setattr(pipelined, "PIPELINE_REPLY_WAIT", 0.3)


@pytest.fixture
def ingests() -> Iterator[List[ScriptedIngest]]:
    made: List[ScriptedIngest] = []
    yield made
    for ingest in made:
        ingest.close()


def _exchange(ingest: ScriptedIngest) -> Exchange:
    dsn = Dsn(ingest.dsn())
    exchange = Exchange({"dsn": dsn}, dsn, RateLimits(), 1)
    assert exchange.deliver(b"warm", 4, False) == SENT  # as a worker's first batch
    return exchange


def _batch(exchange: Exchange, bodies: List[bytes]) -> List[str]:
    """As the sending thread does with a batch (sending.Sender.send_batch)."""
    assert exchange.fast is not None
    with exchange.fast.holding():
        return exchange.deliver_many([(body, len(body), False) for body in bodies])


def _bodies(count: int, tag: str = "e") -> List[bytes]:
    return [f"{tag}{index}".encode() for index in range(count)]


def test_a_batch_goes_back_to_back_and_each_envelope_arrives_once(
    ingests: List[ScriptedIngest],
) -> None:
    ingest = ScriptedIngest(lambda index, body: OK)
    ingests.append(ingest)
    exchange = _exchange(ingest)
    bodies = _bodies(40)
    assert _batch(exchange, bodies) == [SENT] * 40
    assert ingest.bodies[1:] == bodies  # once each, in order
    # The first goes alone (it proves the connection), then the 39 others back to back.
    assert ingest.pipelined >= 30
    assert ingest.connections == 1


def test_a_server_that_drops_what_it_read_beyond_a_request(
    ingests: List[ScriptedIngest],
) -> None:
    ingest = ScriptedIngest(lambda index, body: DROP_REST)
    ingests.append(ingest)
    exchange = _exchange(ingest)
    bodies = _bodies(6)
    assert _batch(exchange, bodies) == [SENT] * 6
    assert ingest.bodies[1:] == bodies  # the dropped ones were written again, once
    # Pipelining is off for a while: the next batch goes one request at a time.
    before = ingest.pipelined
    more = _bodies(6, "f")
    assert _batch(exchange, more) == [SENT] * 6
    assert ingest.bodies[7:] == more
    assert ingest.pipelined == before


def test_replies_that_close_the_connection(ingests: List[ScriptedIngest]) -> None:
    ingest = ScriptedIngest(lambda index, body: CLOSE)
    ingests.append(ingest)
    exchange = _exchange(ingest)
    bodies = _bodies(5)
    assert _batch(exchange, bodies) == [SENT] * 5
    assert ingest.bodies[1:] == bodies
    assert ingest.pipelined == 0  # never pipelined on a connection about to close
    assert exchange._pipeliner.paused_until == 0.0  # a clean close is no reason to stop


def test_a_connection_cut_in_the_middle_of_a_pipeline(ingests: List[ScriptedIngest]) -> None:
    cut = {"done": False}

    def script(index: int, body: bytes) -> bytes:
        if index == 4 and not cut["done"]:
            cut["done"] = True
            return ABORT
        return OK

    ingest = ScriptedIngest(script)
    ingests.append(ingest)
    exchange = _exchange(ingest)
    bodies = _bodies(8)
    assert _batch(exchange, bodies) == [SENT] * 8
    assert ingest.bodies[1:] == bodies  # the unanswered ones went again, on a new connection
    assert ingest.pipelined > 0
    assert exchange._pipeliner.paused_until > 0.0


def test_a_rate_limit_in_the_middle_of_a_pipeline(ingests: List[ScriptedIngest]) -> None:
    ingest = ScriptedIngest(lambda index, body: LIMIT if body == b"e3" else OK)
    ingests.append(ingest)
    exchange = _exchange(ingest)
    outcomes = _batch(exchange, _bodies(6))
    assert outcomes == [SENT, SENT, SENT, LIMITED, SENT, SENT]
    assert ingest.pipelined > 0
    assert exchange.rate_limits.is_limited("error")


@pytest.mark.parametrize("urllib3_major", [2, 1])
def test_a_reply_the_lean_reader_does_not_know(
    ingests: List[ScriptedIngest], urllib3_major: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    if urllib3_major == 1:  # urllib3 1.26 (botocore's pin on Python 3.9) has no top-level name
        import urllib3

        monkeypatch.delattr(urllib3, "HTTPHeaderDict", raising=False)
    ingest = ScriptedIngest(lambda index, body: UNUSUAL if body == b"e3" else OK)
    ingests.append(ingest)
    exchange = _exchange(ingest)
    bodies = _bodies(6)
    assert _batch(exchange, bodies) == [SENT] * 6
    # Its outcome and those after it in the pipeline were unknown (the server had
    # processed them all), so they were written again, one at a time (the general
    # parser read that reply the second time): they arrive twice. Sentry keeps one
    # event per event id.
    assert ingest.bodies[1:] == [*bodies, *bodies[3:]]
    assert exchange._pipeliner.paused_until > 0.0


_ANSWERS = st.sampled_from([OK, OK, OK, CLOSE, LIMIT, UNUSUAL, ABORT, DROP_REST])


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(answers=st.lists(_ANSWERS, min_size=2, max_size=40), count=st.integers(2, 24))
def test_whatever_the_server_does_no_envelope_counts_as_sent_unseen(
    answers: List[bytes], count: int
) -> None:
    def script(index: int, body: bytes) -> bytes:
        return OK if index == 0 or index > len(answers) else answers[index - 1]

    ingest = ScriptedIngest(script)
    try:
        exchange = _exchange(ingest)
        bodies = _bodies(count)
        outcomes = _batch(exchange, bodies)
        assert len(outcomes) == count
        seen = set(ingest.bodies)
        for body, outcome in zip(bodies, outcomes):
            assert outcome in (SENT, LIMITED, NETWORK)
            if outcome in (SENT, LIMITED):
                assert body in seen
        # Once a pipeline broke, the rest go one at a time: nothing is written three times,
        # and nothing twice unless a reply the lean reader did not know broke it.
        assert all(ingest.bodies.count(body) <= (2 if UNUSUAL in answers else 1) for body in bodies)
    finally:
        ingest.close()


def test_end_to_end_every_transaction_arrives_once(
    ingests: List[ScriptedIngest], sentry_init: Callable[..., Any]
) -> None:
    ingest = ScriptedIngest(lambda index, body: OK)
    ingests.append(ingest)
    sentry_init(dsn=ingest.dsn(), traces_sample_rate=1.0)
    sentry_lite.capture_message("warm")  # the sending thread's first batch: one request
    sentry_lite.flush(5)
    names = [f"t{index}" for index in range(30)]
    for name in names:
        with sentry_lite.start_transaction(name=name):
            pass
    sentry_lite.flush(10)
    sent = [
        name
        for body in ingest.bodies
        for name in names
        if f'"transaction":"{name}"'.encode() in body
    ]
    assert sorted(sent) == sorted(names)
    assert ingest.pipelined > 0


def test_the_transport_loads_no_network_stack_before_its_first_request() -> None:
    # urllib3, ssl and certifi load on the sending thread at its first request (most of
    # an eager import's cost): pipelining must not pull them in with the exchange.
    code = (
        "import sys; import sentry_lite.transport.exchange, sentry_lite.transport.pipelined;"
        "print(*(name in sys.modules for name in ('urllib3', 'ssl', 'certifi')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "False"]


class _RecordingSocket:
    """A real socket whose option calls are recorded, in order with its reads."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self.calls: List[str] = []

    def setsockopt(self, level: int, option: int, value: int) -> None:
        if option == getattr(socket, "TCP_QUICKACK", None):
            self.calls.append("quick_ack")
        self._sock.setsockopt(level, option, value)

    def recv(self, size: int) -> bytes:
        self.calls.append("recv")
        return self._sock.recv(size)

    def gettimeout(self) -> Optional[float]:
        return self._sock.gettimeout()

    def settimeout(self, value: Optional[float]) -> None:
        self._sock.settimeout(value)


@pytest.mark.skipif(not hasattr(socket, "TCP_QUICKACK"), reason="TCP_QUICKACK is Linux's")
def test_pipelined_replies_are_acknowledged_at_once() -> None:
    # A server with Nagle's algorithm on holds each small reply until the one before it is
    # acknowledged; a delayed acknowledgement (up to 40 ms) would stall every pipeline.
    from sentry_lite.transport.replies import read_replies

    server = socket.create_server(("127.0.0.1", 0))
    client = socket.create_connection(server.getsockname())
    peer, _ = server.accept()
    try:
        client.settimeout(5)
        sock = _RecordingSocket(client)
        peer.sendall(OK)
        threading.Timer(0.05, peer.sendall, (OK,)).start()  # the second arrives later
        replies: List[Any] = []
        assert read_replies(sock, 2, replies, 5.0)
        assert [status for status, _ in replies] == [200, 200]
        reads = sock.calls.count("recv")
        assert reads >= 2
        assert all(
            sock.calls[i - 1] == "quick_ack" for i, call in enumerate(sock.calls) if call == "recv"
        )
    finally:
        for s in (peer, client, server):
            s.close()
