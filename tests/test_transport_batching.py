"""Batched sending: transactions wait for company, errors and flushes do not."""

from __future__ import annotations

import math
import time
from typing import Any, Callable

import pytest

from sentry_lite.envelope import Envelope
from sentry_lite.transport import http as http_transport
from sentry_lite.transport.http import HttpTransport
from tests.receiver import Receiver, event_envelope


def _transaction(name: str) -> Envelope:
    envelope = Envelope({"event_id": "0" * 32})
    envelope.add_transaction(
        {
            "type": "transaction",
            "transaction": name,
            "start_timestamp": 1.0,
            "timestamp": 2.0,
            "contexts": {"trace": {"trace_id": "1" * 32, "span_id": "2" * 16}},
        }
    )
    return envelope


@pytest.fixture
def long_linger(monkeypatch: pytest.MonkeyPatch) -> None:
    """A linger no test would outwait: whatever arrives was not held by it."""
    monkeypatch.setattr(http_transport, "LINGER", 60.0)


def _queued(transport: HttpTransport) -> int:
    return transport._worker.pending()


def test_transactions_linger_until_an_error_event_arrives(
    long_linger: None, receiver: Receiver, make_transport: Callable[..., HttpTransport]
) -> None:
    transport = make_transport()
    for i in range(3):
        transport.capture_envelope(_transaction(f"t{i}"))
    # The worker holds them (nothing to send yet): still pending after a moment.
    time.sleep(0.3)
    assert _queued(transport) == 3
    assert receiver.transactions == []
    transport.capture_envelope(event_envelope("boom"))
    receiver.wait_for(1, item_type="event", timeout=10)
    receiver.wait_for(3, item_type="transaction", timeout=10)
    assert sorted(t["transaction"] for t in receiver.transactions) == ["t0", "t1", "t2"]


def test_flush_cuts_the_linger_short(
    long_linger: None, receiver: Receiver, make_transport: Callable[..., HttpTransport]
) -> None:
    transport = make_transport()
    transport.capture_envelope(_transaction("t"))
    started = time.monotonic()
    transport.flush(10)
    assert time.monotonic() - started < 5  # far below the 60 s linger
    assert [t["transaction"] for t in receiver.transactions] == ["t"]


def test_a_full_batch_starts_without_waiting(
    long_linger: None, receiver: Receiver, make_transport: Callable[..., HttpTransport]
) -> None:
    transport = make_transport(transport_queue_size=10)  # batches of 5
    for i in range(5):
        transport.capture_envelope(_transaction(f"t{i}"))
    receiver.wait_for(5, item_type="transaction", timeout=10)


def test_default_linger_delivers_without_a_flush(
    receiver: Receiver, make_transport: Callable[..., HttpTransport]
) -> None:
    transport = make_transport()
    transport.capture_envelope(_transaction("t"))
    receiver.wait_for(1, item_type="transaction", timeout=10)


def test_an_envelope_that_cannot_be_encoded_is_counted_and_spares_the_batch(
    receiver: Receiver, make_transport: Callable[..., HttpTransport]
) -> None:
    transport = make_transport()
    bad = _transaction("bad")
    bad.items[0].json["measurements"] = {"x": {"value": math.nan}}  # strict JSON refuses NaN
    for envelope in (_transaction("a"), bad, _transaction("b")):
        transport.capture_envelope(envelope)
    transport.flush(10)
    assert sorted(t["transaction"] for t in receiver.transactions) == ["a", "b"]
    assert transport.losses.totals[("transaction", "internal_sdk_error")] == 1


def test_batches_are_shared_between_the_sending_threads(
    long_linger: None, receiver: Receiver, make_transport: Callable[..., Any]
) -> None:
    transport = make_transport()
    receiver.respond(delay=0.2)
    # The first request shows the ingest is slow (SPREAD_LATENCY): from then on batches
    # are split between the threads. (For a fast one a single thread sends the batch.)
    transport.capture_envelope(_transaction("first"))
    transport.flush(10)
    assert transport._latency >= http_transport.SPREAD_LATENCY
    assert len(transport._worker._threads) == 1  # the second starts when it helps
    receiver.clear()
    for i in range(8):
        transport.capture_envelope(_transaction(f"t{i}"))
    transport.flush(30)
    assert len(receiver.transactions) == 8
    # Each reply takes 0.2 s: two requests arriving closer together than that were in
    # flight at once, which only two threads sharing the batch can do.
    arrivals = sorted(r.received_at for r in receiver.requests)
    assert min(b - a for a, b in zip(arrivals, arrivals[1:])) < 0.15, arrivals
    # The pool grew with the backlog (issue 16), within its bound.
    assert 1 < len(transport._worker._threads) <= http_transport.POOL_CONNECTIONS


def test_a_fast_ingest_is_served_by_one_thread(
    monkeypatch: pytest.MonkeyPatch,
    receiver: Receiver,
    make_transport: Callable[..., HttpTransport],
) -> None:
    # "Fast" is below SPREAD_LATENCY: raised here so that a loaded CI machine's slower
    # replies cannot count as a slow ingest.
    monkeypatch.setattr(http_transport, "SPREAD_LATENCY", 30.0)
    transport = make_transport()
    for round_ in range(3):
        for i in range(20):
            transport.capture_envelope(_transaction(f"r{round_}-{i}"))
        transport.flush(10)
    assert len(receiver.transactions) == 60
    assert len(transport._worker._threads) == 1


def test_a_connection_closed_inside_a_batch_is_replaced(
    long_linger: None, receiver: Receiver, make_transport: Callable[..., HttpTransport]
) -> None:
    transport = make_transport()
    transport.capture_envelope(_transaction("warm"))  # opens the connection
    transport.flush(10)
    # The thread keeps its connection through a batch; the server answers the first
    # request, then closes that connection without a word (a stale keep-alive).
    receiver.respond(drop_after=True, times=1)
    for i in range(3):
        transport.capture_envelope(_transaction(f"t{i}"))
    transport.flush(10)
    assert sorted(t["transaction"] for t in receiver.transactions) == ["t0", "t1", "t2", "warm"]
    assert not any(reason != "sample_rate" for _, reason in transport.losses.totals)
