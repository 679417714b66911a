"""The sending pool at latency: grows with a backlog, shrinks back, never sends twice (issue 16).

Against a receiver that answers after a delay, several requests are in flight at once
(queue and outbox paths alike); once idle the extra threads end. Rate limits stay global:
no thread sends inside a window another thread's reply opened.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any, Callable, List

import pytest

from sentry_lite.transport import worker as worker_module
from sentry_lite.transport.http import POOL_CONNECTIONS, HttpTransport
from tests.receiver import Receiver, event_envelope, messages


def _learn_slow_ingest(transport: HttpTransport) -> None:
    """Slow requests before the burst: the pool goes by the fastest of the last few."""
    for name in ("first", "second"):
        transport.capture_envelope(event_envelope(name))
        transport.flush(10)


def _overlapping(receiver: Receiver, delay: float) -> int:
    """How many requests arrived while an earlier one was still being answered."""
    arrivals = sorted(r.received_at for r in receiver.requests)
    return sum(1 for a, b in zip(arrivals, arrivals[1:]) if b - a < delay * 0.75)


@pytest.fixture
def quick_shrink(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worker_module, "POOL_IDLE_EXIT", 0.5)


def test_a_slow_request_then_a_fast_one_does_not_start_the_pool(
    receiver: Receiver, make_transport: Callable[..., HttpTransport]
) -> None:
    transport = make_transport()
    receiver.respond(delay=0.1)  # as a wait for the GIL behind a busy app may look
    transport.capture_envelope(event_envelope("slow"))
    transport.flush(10)
    receiver.reset_behaviour()
    transport.capture_envelope(event_envelope("fast"))
    transport.flush(10)
    for i in range(30):
        transport.capture_envelope(event_envelope(f"burst{i}"))
    transport.flush(10)
    # Before: the moving average still said "slow" and 16 threads started for a fast ingest.
    assert len(transport._worker._threads) == 1


@pytest.mark.usefixtures("quick_shrink")
def test_queue_pool_grows_under_backlog_and_shrinks_back(
    receiver: Receiver, make_transport: Callable[..., HttpTransport]
) -> None:
    transport = make_transport()
    receiver.respond(delay=0.1)
    _learn_slow_ingest(transport)
    assert len(transport._worker._threads) == 1
    names = [f"e{i}" for i in range(60)]
    # The pool's largest size while the backlog drains (read after ``flush`` it could
    # already have shrunk on a loaded machine: the idle exit is 0.5 s here).
    sizes: List[int] = []
    watching = threading.Event()

    def watch() -> None:
        while not watching.is_set():
            sizes.append(len(transport._worker._threads))
            time.sleep(0.005)

    watcher = threading.Thread(target=watch)
    watcher.start()
    for name in names:
        transport.capture_envelope(event_envelope(name))
    transport.flush(30)
    watching.set()
    watcher.join()
    assert Counter(messages(receiver)) == Counter(["first", "second", *names])  # each once
    grown = max(sizes)
    assert 2 <= grown <= POOL_CONNECTIONS
    assert _overlapping(receiver, 0.1) >= 10  # one thread alone would overlap none
    deadline = time.monotonic() + 10
    while len(transport._worker._threads) > 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(transport._worker._threads) == 1  # shrunk back, the first thread stays
    transport.capture_envelope(event_envelope("after"))
    transport.flush(10)
    assert messages(receiver)[-1] == "after"


@pytest.mark.usefixtures("quick_shrink")
def test_outbox_is_drained_by_several_connections_exactly_once(
    receiver: Receiver, make_transport: Callable[..., HttpTransport], tmp_path: Any
) -> None:
    transport = make_transport(cache_dir=str(tmp_path / "outbox"))
    receiver.respond(delay=0.1)
    _learn_slow_ingest(transport)
    names = [f"o{i}" for i in range(80)]
    for name in names:
        transport.capture_envelope(event_envelope(name))
    transport.flush(30)
    assert Counter(messages(receiver)) == Counter(["first", "second", *names])
    assert _overlapping(receiver, 0.1) >= 10  # one thread alone would overlap none
    assert transport._sender is not None
    assert len(transport._sender._threads) > 1
    assert len(transport.outbox or ()) == 0


def test_a_rate_limit_one_thread_saw_holds_every_thread(
    receiver: Receiver, make_transport: Callable[..., HttpTransport]
) -> None:
    transport = make_transport()
    receiver.respond(delay=0.1)
    _learn_slow_ingest(transport)
    receiver.respond(status=429, headers={"X-Sentry-Rate-Limits": "60:error:organization"})
    transport.capture_envelope(event_envelope("limited"))
    transport.flush(10)
    receiver.clear()
    receiver.reset_behaviour()
    for i in range(40):
        transport.capture_envelope(event_envelope(f"held{i}"))
    transport.flush(10)
    assert [
        r for r in receiver.requests if r.envelope and r.envelope.items[0].type == "event"
    ] == []
    assert transport.losses.totals["error", "ratelimit_backoff"] >= 40
