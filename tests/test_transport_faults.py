"""Fault injection against the real receiver: every failure mode, with and without outbox.

In every case no exception reaches the caller; without an outbox every event is either
delivered or counted as lost; with an outbox every event arrives exactly once after the
receiver recovers.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import Counter
from typing import Any, Callable, Dict, List

import pytest

from sentry_lite import shortcuts
from sentry_lite.consts import MAX_EVENT_BYTES
from sentry_lite.envelope import Envelope
from sentry_lite.transport import HttpTransport
from sentry_lite.transport.http import COMPRESS_MIN_BYTES
from sentry_lite.transport.outbox_owner import OWNER_FILE
from tests.receiver import Receiver, event_envelope, messages

COUNT = 10

FAULTS: Dict[str, Callable[[Receiver], None]] = {
    "500": lambda r: r.respond(status=500),
    "503": lambda r: r.respond(status=503, headers={"Retry-After": "1"}),
    "429": lambda r: r.respond(status=429, headers={"Retry-After": "1"}),
    "429-category": lambda r: r.respond(
        status=429, headers={"X-Sentry-Rate-Limits": "1:error:key:quota"}
    ),
    "hang": lambda r: r.respond(hang=True),
    "slow": lambda r: r.respond(delay=0.1),
    "reset": lambda r: r.respond(reset=True),
    "close": lambda r: r.respond(close=True),
    "down": lambda r: r.stop_listening(),
}

# What a lost event is counted as without an outbox.
LOSS_REASON = {
    "500": "send_error",
    "503": "send_error",
    "429": "ratelimit_backoff",
    "429-category": "ratelimit_backoff",
    "reset": "network_error",
    "close": "network_error",
    "down": "network_error",
}


def recover(receiver: Receiver, fault: str) -> None:
    if fault == "down":
        receiver.start_listening()
    else:
        receiver.respond()  # also releases a hung request


_SOCKET_CALLS = ("connect", "connect_ex", "send", "sendall", "recv", "recv_into")


def _capture(transport: HttpTransport, names: List[str]) -> int:
    """Capture each envelope; return how many socket calls the capturing thread made
    (network I/O belongs to the sending threads: a capture is a queue append and, with
    an outbox, a local file write). Counted, not timed, so a loaded machine cannot fail it."""
    app = threading.get_ident()
    calls = [0]
    originals = {name: getattr(socket.socket, name) for name in _SOCKET_CALLS}

    def counting(original: Callable[..., Any]) -> Callable[..., Any]:
        def call(self: socket.socket, *args: Any, **kwargs: Any) -> Any:
            if threading.get_ident() == app:
                calls[0] += 1
            return original(self, *args, **kwargs)

        return call

    for name, original in originals.items():
        setattr(socket.socket, name, counting(original))
    try:
        for name in names:
            transport.capture_envelope(event_envelope(name))  # must never raise
            time.sleep(0.01)
    finally:
        for name, original in originals.items():
            setattr(socket.socket, name, original)
    return calls[0]


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_with_outbox_every_event_arrives_exactly_once(
    receiver: Receiver, make_transport: Any, tmp_path: Any, fault: str
) -> None:
    transport = make_transport(cache_dir=str(tmp_path))
    FAULTS[fault](receiver)
    expected = [f"{fault}-{i}" for i in range(COUNT)]
    assert _capture(transport, expected) == 0
    transport.flush(0.3)
    recover(receiver, fault)
    receiver.wait_for(COUNT, timeout=15)
    time.sleep(0.3)
    assert Counter(messages(receiver)) == Counter(expected)
    assert not transport.losses.totals
    transport.flush(5)
    assert [p.name for p in tmp_path.iterdir()] == [OWNER_FILE]  # no envelope left


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_without_outbox_every_event_is_delivered_or_counted(
    receiver: Receiver, make_transport: Any, fault: str
) -> None:
    drops: List[Any] = []
    transport = make_transport(on_drop=lambda *a: drops.append(a))
    FAULTS[fault](receiver)
    names = [f"{fault}-{i}" for i in range(COUNT)]
    assert _capture(transport, names) == 0
    transport.flush(0.5 if fault != "slow" else 5)
    recover(receiver, fault)
    transport.flush(5)
    delivered = messages(receiver)
    lost = sum(q for (cat, _), q in transport.losses.totals.items() if cat == "error")
    assert len(delivered) + lost == COUNT
    assert sum(d[3] for d in drops if d[2] == "error") == lost
    if fault in LOSS_REASON:
        assert lost >= 1
        assert {r for (_, r) in transport.losses.totals} == {LOSS_REASON[fault]}
    else:  # slow and hang: late, but delivered
        assert len(delivered) == COUNT


def test_lost_events_reach_the_server_in_a_client_report(
    receiver: Receiver, make_transport: Any
) -> None:
    transport = make_transport()
    receiver.respond(status=500, times=3)
    _capture(transport, ["a", "b", "c", "d"])
    transport.flush(5)
    assert messages(receiver) == ["d"]
    assert receiver.discarded() == {("error", "send_error"): 3}
    report = receiver.client_reports()[0]
    assert set(report) == {"timestamp", "discarded_events"}
    assert report["discarded_events"] == [
        {"reason": "send_error", "category": "error", "quantity": 3}
    ]


def test_client_decided_losses_are_reported(receiver: Receiver, make_transport: Any) -> None:
    seen: List[Any] = []
    transport = make_transport(on_drop=lambda *a: seen.append(a))
    transport.record_lost_event("sample_rate", data_category="error")
    transport.record_lost_event("before_send", data_category="transaction", quantity=2)
    transport.record_lost_event("event_processor", item=event_envelope().items[0])
    transport.flush(5)
    assert receiver.discarded() == {
        ("error", "sample_rate"): 1,
        ("transaction", "before_send"): 2,
        ("error", "event_processor"): 1,
    }
    assert [(s[1], s[2], s[3]) for s in seen] == [
        ("sample_rate", "error", 1),
        ("before_send", "transaction", 2),
        ("event_processor", "error", 1),
    ]


def test_raising_on_drop_hook_is_contained(receiver: Receiver, make_transport: Any) -> None:
    def hook(*_: Any) -> None:
        raise RuntimeError("boom")

    transport = make_transport(on_drop=hook, send_client_reports=False)
    receiver.respond(status=500, times=1)
    _capture(transport, ["a", "b"])
    transport.flush(5)
    assert messages(receiver) == ["b"]
    assert receiver.client_reports() == []  # send_client_reports=False
    assert transport.losses.totals[("error", "send_error")] == 1


def test_queue_overflow_is_counted(receiver: Receiver, make_transport: Any) -> None:
    transport = make_transport(transport_queue_size=3)
    receiver.respond(hang=True)
    for i in range(20):
        transport.capture_envelope(event_envelope(f"m{i}"))
    time.sleep(0.2)  # both sending threads are now stuck on the hung receiver
    for i in range(20, 25):
        transport.capture_envelope(event_envelope(f"m{i}"))
    assert not transport.is_healthy()  # the queue is full
    overflow = transport.losses.totals[("error", "queue_overflow")]
    assert 25 - 5 <= overflow <= 25 - 3  # up to two in flight, three queued
    receiver.respond()
    transport.flush(5)
    assert len(receiver.events) + overflow == 25


# -- size -------------------------------------------------------------------------------------
def test_413_sends_a_small_fallback_event(receiver: Receiver, make_transport: Any) -> None:
    transport = make_transport()
    receiver.respond(status=413, times=1)
    original = event_envelope("huge", exception={"values": [{"type": "ValueError", "value": "x"}]})
    transport.capture_envelope(original)
    transport.flush(5)
    (fallback,) = receiver.events
    assert "too large" in fallback["message"]
    assert "ValueError: x" in fallback["message"]
    assert fallback["extra"]["original_event_id"] == original.get_event()["event_id"]  # type: ignore[index]
    assert transport.losses.totals[("error", "send_error")] == 1


def test_413_retries_once_with_a_smaller_event(receiver: Receiver, make_transport: Any) -> None:
    transport = make_transport()
    receiver.respond(status=413, times=1)
    big = {f"k{i}": "x" * 40_000 for i in range(10)}  # ~400 KB: under 1 MiB, over 200 KiB
    transport.capture_envelope(event_envelope("big", extra=big))
    transport.flush(5)
    (event,) = receiver.events
    assert event["message"] == "big"
    assert len(json.dumps(event)) <= 200 * 1024
    assert not transport.losses.totals


def test_413_with_outbox_is_not_retried(
    receiver: Receiver, make_transport: Any, tmp_path: Any
) -> None:
    transport = make_transport(cache_dir=str(tmp_path))
    receiver.respond(status=413)
    transport.capture_envelope(event_envelope("huge"))
    transport.flush(5)
    time.sleep(0.6)
    assert len(receiver.requests) == 2  # the original, then its fallback (also refused)
    assert [p.name for p in tmp_path.iterdir()] == [OWNER_FILE]  # no envelope left
    assert transport.losses.totals[("error", "send_error")] == 2


def test_oversized_event_is_trimmed_before_sending(receiver: Receiver, make_transport: Any) -> None:
    transport = make_transport()
    big = {f"k{i}": "x" * 50_000 for i in range(40)}  # ~2 MB of extra
    transport.capture_envelope(event_envelope("big", extra=big))
    transport.flush(5)
    (event,) = receiver.events
    assert event["message"] == "big"
    assert len(json.dumps(event)) <= MAX_EVENT_BYTES
    assert "_meta" in event


# -- wire details -------------------------------------------------------------------------------
def test_headers_and_gzip(receiver: Receiver, make_transport: Any) -> None:
    big = {"stack": "frame " * (COMPRESS_MIN_BYTES // 5)}
    default = make_transport()
    default.capture_envelope(event_envelope("small"))
    default.capture_envelope(event_envelope("big", extra=big))
    plain = make_transport(transport_compression_level=0)
    plain.capture_envelope(event_envelope("plain", extra=big))
    always = make_transport(transport_compression_level=9)
    always.capture_envelope(event_envelope("always"))
    for transport in (default, plain, always):
        transport.flush(5)
    receiver.wait_for(4)
    by_message = {
        r.envelope.get_event()["message"]: r.headers  # type: ignore[union-attr,index]
        for r in receiver.requests
    }
    # By default only bodies of COMPRESS_MIN_BYTES or more are worth gzip's CPU time;
    # an explicit level compresses everything, and 0 nothing.
    assert by_message["big"]["content-encoding"] == "gzip"
    assert by_message["always"]["content-encoding"] == "gzip"
    assert "content-encoding" not in by_message["small"]
    assert "content-encoding" not in by_message["plain"]
    for headers in by_message.values():
        assert headers["x-sentry-auth"].startswith("Sentry sentry_key=public, sentry_version=7")
        assert headers["user-agent"].startswith("sentry-lite/")
        assert headers["content-type"] == "application/x-sentry-envelope"


def test_experiments_compression_level(receiver: Receiver, make_transport: Any) -> None:
    transport = make_transport(_experiments={"transport_compression_level": 0})
    transport.capture_envelope(event_envelope("x", extra={"pad": "x" * 2 * COMPRESS_MIN_BYTES}))
    transport.flush(5)
    assert "content-encoding" not in receiver.requests[0].headers


def test_flush_is_bounded_with_a_hung_receiver(receiver: Receiver, make_transport: Any) -> None:
    transport = make_transport()
    receiver.respond(hang=True)
    transport.capture_envelope(event_envelope("stuck"))
    start = time.monotonic()
    transport.flush(0.5)
    assert 0.45 <= time.monotonic() - start < 1.0
    start = time.monotonic()
    transport.kill()
    assert time.monotonic() - start < 0.1


def test_envelope_roundtrip_is_unchanged(receiver: Receiver, make_transport: Any) -> None:
    transport = make_transport()
    envelope = event_envelope("same", tags={"a": "b"})
    transport.capture_envelope(envelope)
    transport.flush(5)
    got = receiver.envelopes[0]
    assert isinstance(got, Envelope)
    assert got.headers == envelope.headers
    assert got.get_event() == envelope.get_event()


def test_connections_closed_by_the_server_between_requests(
    receiver: Receiver, make_transport: Any
) -> None:
    transport = make_transport()
    receiver.respond(drop_after=True)
    for i in range(5):
        transport.capture_envelope(event_envelope(f"m{i}"))
        transport.flush(5)
    assert sorted(messages(receiver)) == [f"m{i}" for i in range(5)]
    assert not transport.losses.totals


def test_lean_post_falls_back_to_urlopen(
    receiver: Receiver, make_transport: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(shortcuts, "enabled", True)  # about the lean path, even in a run without
    transport = make_transport()
    transport.capture_envelope(event_envelope("fast"))
    transport.flush(5)
    assert transport._fast is not None and transport._fast.usable  # noqa: SLF001
    transport._fast.usable = False  # noqa: SLF001 - as if urllib3's internals had changed
    transport.capture_envelope(event_envelope("fallback"))
    transport.flush(5)
    assert messages(receiver) == ["fast", "fallback"]
