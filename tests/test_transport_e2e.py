"""End to end through ``sentry_lite.init``: the app thread's cost under every fault."""

from __future__ import annotations

import statistics
import time
from collections import Counter
from typing import Any, Callable, List

import pytest

import sentry_lite
from tests.receiver import Receiver, messages
from tests.test_transport_faults import FAULTS, recover

CALLS = 200


def _median_capture(prefix: str) -> float:
    durations: List[float] = []
    for i in range(CALLS):
        start = time.perf_counter()
        sentry_lite.capture_message(f"{prefix}-{i}")
        durations.append(time.perf_counter() - start)
        if i % 20 == 19:
            time.sleep(0.002)  # a steady app, not a tight loop that only measures the GIL
    return statistics.median(durations)


@pytest.mark.parametrize("outbox", [False, True], ids=["memory", "outbox"])
@pytest.mark.parametrize("fault", ["hang", "500", "down", "slow", "reset"])
def test_capture_time_within_2x_of_normal_under_faults(
    sentry_init: Callable[..., Any],
    receiver: Receiver,
    tmp_path: Any,
    fault: str,
    outbox: bool,
) -> None:
    sentry_init(
        cache_dir=str(tmp_path) if outbox else None,
        cache_max_envelopes=10_000,
        transport_queue_size=1000,
    )
    _median_capture("warmup")
    sentry_lite.flush(10)
    normal = _median_capture("normal")
    sentry_lite.flush(10)
    FAULTS[fault](receiver)
    faulty = _median_capture("fault")
    # Within 2x of the normal case (plus 20 µs for timer and scheduler noise).
    assert faulty <= 2 * normal + 20e-6, (faulty, normal)
    if outbox:
        recover(receiver, fault)
        receiver.wait_for(3 * CALLS, timeout=30)
        time.sleep(0.2)
        counts = Counter(messages(receiver))
        assert all(counts[f"fault-{i}"] == 1 for i in range(CALLS)), counts
        assert max(counts.values()) == 1
    else:
        recover(receiver, fault)


def test_e2e_client_reports_for_client_side_drops(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    sentry_init(before_send=lambda event, hint: None)
    sentry_lite.capture_message("dropped")
    sentry_lite.flush(5)
    receiver.wait_for(1, item_type="client_report")
    assert receiver.discarded() == {("error", "before_send"): 1}
    assert receiver.events == []


def test_e2e_on_drop_option(sentry_init: Callable[..., Any], receiver: Receiver) -> None:
    seen: List[Any] = []
    sentry_init(
        transport_queue_size=1,
        on_drop=lambda env, reason, category, qty: seen.append((reason, category, qty)),
    )
    receiver.respond(hang=True)
    for i in range(10):
        sentry_lite.capture_message(f"m{i}")
    receiver.respond()
    sentry_lite.flush(5)
    assert seen and {s[0] for s in seen} == {"queue_overflow"}
    assert len(receiver.events) + len(seen) == 10


def test_transport_http2_experiment_uses_sentry_sdks_class_name(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    """Code written for sentry_sdk names (or patches) ``transport.Http2Transport`` when it
    sets ``transport_http2``: the class exists, is the one used, and delivers."""
    from sentry_lite.transport import Http2Transport, HttpTransport

    sentry_init(_experiments={"transport_http2": True})
    transport = sentry_lite.get_client().transport
    assert type(transport) is Http2Transport
    assert isinstance(transport, HttpTransport)
    sentry_lite.capture_message("over the http2 transport's name")
    sentry_lite.flush(5)
    assert messages(receiver) == ["over the http2 transport's name"]


def test_a_transaction_dropped_on_a_full_queue_is_counted_unfinished(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    """A full queue is met on the app thread: the dropped transaction's spans are counted
    there without running its deferred steps (``add_defaults`` adds ``sdk``), which would
    make the app pay for an event it is throwing away."""
    dropped: List[Any] = []
    sentry_init(
        transport_queue_size=1,
        traces_sample_rate=1.0,
        on_drop=lambda envelope, reason, category, qty: dropped.append(
            (envelope, reason, category, qty)
        ),
    )
    receiver.respond(hang=True)
    for i in range(10):
        with sentry_lite.start_transaction(name=f"t{i}"):
            for _ in range(2):
                with sentry_lite.start_span(op="child"):
                    pass
    overflow = [d for d in dropped if d[1] == "queue_overflow"]
    assert overflow  # the sending thread is stuck on the hung receiver
    assert {(d[2], d[3]) for d in overflow} == {("transaction", 1), ("span", 3)}
    for envelope, *_ in overflow:
        (item,) = [i for i in envelope.items if i.type == "transaction"]
        assert "sdk" not in item.unfinished_json()
    receiver.respond()
    sentry_lite.flush(5)
