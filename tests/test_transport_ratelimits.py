"""Rate limits exactly as the protocol specifies, against the real receiver."""

from __future__ import annotations

import email.utils
import threading
import time
from typing import Any, Dict

import pytest

from sentry_lite.envelope import Envelope, Item
from sentry_lite.transport.ratelimits import DEFAULT_RETRY_AFTER, RateLimits, parse_retry_after
from tests.receiver import Receiver, event_envelope, messages, transaction_envelope


# -- parsing ---------------------------------------------------------------------------
def test_header_categories_scope_reason_and_namespaces() -> None:
    limits = RateLimits()
    assert limits.update(
        200,
        {
            "X-Sentry-Rate-Limits": "60:error;transaction:key:quota_exceeded, "
            "2:attachment:organization, bogus, -5:session, 30:metric_bucket:org:r:custom"
        },
    )
    assert 59 < limits.remaining("error") <= 60
    assert 59 < limits.remaining("transaction") <= 60
    assert 1 < limits.remaining("attachment") <= 2
    assert limits.remaining("session") == 0.0  # negative: ignored
    assert limits.remaining("span") == 0.0
    assert limits.reasons["error"] == "quota_exceeded"
    assert limits.is_limited("metric_bucket")
    # "default" and "error" are the same events as far as a limit goes.
    assert 59 < limits.remaining("default") <= 60


def test_empty_categories_limit_everything_and_header_beats_retry_after() -> None:
    limits = RateLimits()
    limits.update(429, {"x-sentry-rate-limits": "3::organization", "Retry-After": "50"})
    for category in ("error", "transaction", "attachment", "whatever"):
        assert 2 < limits.remaining(category) <= 3


def test_metric_limit_only_for_custom_namespace() -> None:
    limits = RateLimits()
    limits.update(200, {"X-Sentry-Rate-Limits": "10:metric_bucket:org:quota:transactions"})
    assert not limits.is_limited("metric_bucket")


@pytest.mark.parametrize(
    ("value", "low", "high"),
    [("5", 4.99, 5.0), ("2.5", 2.49, 2.5), (None, 59.9, 60.0), ("soon", 59.9, 60.0)],
)
def test_retry_after_seconds(value: Any, low: float, high: float) -> None:
    limits = RateLimits()
    headers = {} if value is None else {"Retry-After": value}
    limits.update(429, headers)
    assert low <= limits.remaining("error") <= high
    assert limits.remaining("transaction") == pytest.approx(limits.remaining("error"), abs=0.01)


def test_retry_after_http_date() -> None:
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 28 <= parse_retry_after(when) <= 30
    assert parse_retry_after("garbage") == DEFAULT_RETRY_AFTER == 60.0


def test_200_without_header_sets_nothing() -> None:
    limits = RateLimits()
    assert not limits.update(200, {"Retry-After": "10"})
    assert not limits.any_active()


# -- behaviour on the wire ----------------------------------------------------------------
def test_limit_on_200_is_obeyed_to_the_second(receiver: Receiver, make_transport: Any) -> None:
    transport = make_transport()
    receiver.respond(headers={"X-Sentry-Rate-Limits": "1:error:key:quota"}, times=1)
    transport.capture_envelope(event_envelope("first"))
    transport.flush(5)
    limited_at = receiver.requests[-1].received_at
    receiver.clear()
    # Offer an event every 50 ms for 1.6 s; none may arrive inside the 1 s window.
    end = limited_at + 1.6
    sent = 0
    while time.time() < end:
        transport.capture_envelope(event_envelope(f"e{sent}"))
        transport.capture_envelope(transaction_envelope(f"t{sent}"))
        sent += 1
        time.sleep(0.05)
    transport.flush(5)
    event_times = [
        r.received_at for r in receiver.requests for i in r.envelope.items if i.type == "event"
    ]
    assert event_times, "events must flow again after the window"
    assert min(event_times) >= limited_at + 1.0 - 0.01
    assert min(event_times) <= limited_at + 1.0 + 0.5
    # Transactions were never limited.
    assert len(receiver.transactions) == sent
    lost = transport.losses.totals[("error", "ratelimit_backoff")]
    assert lost >= 5
    assert lost + len(receiver.events) == sent


def test_limited_items_are_stripped_from_mixed_envelopes(
    receiver: Receiver, make_transport: Any
) -> None:
    transport = make_transport()
    receiver.respond(headers={"X-Sentry-Rate-Limits": "5:attachment:key"}, times=1)
    transport.capture_envelope(event_envelope("prime"))
    transport.flush(5)
    envelope = event_envelope("mixed")
    envelope.add_item(Item(b"0123456789", "attachment", {"filename": "a.txt"}))
    transport.capture_envelope(envelope)
    transport.flush(5)
    last = receiver.envelopes[-1]
    assert [i.type for i in last.items if i.type != "client_report"] == ["event"]
    assert last.get_event()["message"] == "mixed"  # type: ignore[index]
    assert transport.losses.totals[("attachment", "ratelimit_backoff")] == 10  # bytes


@pytest.mark.parametrize("retry_after", ["1", "date"])
def test_429_backs_off_every_category(
    receiver: Receiver, make_transport: Any, retry_after: str
) -> None:
    transport = make_transport()
    value = email.utils.formatdate(time.time() + 2, usegmt=True) if retry_after == "date" else "1"
    receiver.respond(status=429, headers={"Retry-After": value}, times=1)
    transport.capture_envelope(event_envelope("refused"))
    transport.flush(5)
    assert transport.rate_limits.is_limited("transaction")
    assert not transport.is_healthy()
    limited_at = receiver.requests[-1].received_at
    transport.capture_envelope(event_envelope("inside"))
    transport.capture_envelope(transaction_envelope("inside"))
    transport.flush(5)
    assert len(receiver.requests) == 1  # nothing else went out
    wait = transport.rate_limits.remaining("error")
    time.sleep(wait + 0.05)
    transport.capture_envelope(event_envelope("after"))
    transport.flush(5)
    assert messages(receiver) == ["after"]
    assert receiver.requests[-1].received_at >= limited_at + 0.9
    # The 429'd event is counted locally, but not in client reports: Relay counted it.
    assert transport.losses.totals[("error", "ratelimit_backoff")] == 2
    assert transport.losses.totals[("span", "ratelimit_backoff")] == 3


def test_429_without_retry_after_means_60_seconds(receiver: Receiver, make_transport: Any) -> None:
    transport = make_transport()
    receiver.respond(status=429, times=1)
    transport.capture_envelope(event_envelope("refused"))
    transport.flush(5)
    assert 59 < transport.rate_limits.remaining("error") <= 60


def test_client_report_lists_backoff_drops(receiver: Receiver, make_transport: Any) -> None:
    transport = make_transport()
    receiver.respond(headers={"X-Sentry-Rate-Limits": "2:transaction:key"}, times=1)
    transport.capture_envelope(event_envelope("prime"))
    transport.flush(5)
    for _ in range(3):
        transport.capture_envelope(transaction_envelope(spans=4))
    transport.flush(5)
    discarded = receiver.discarded()
    assert discarded[("transaction", "ratelimit_backoff")] == 3
    assert discarded[("span", "ratelimit_backoff")] == 15
    report: Dict[str, Any] = receiver.client_reports()[-1]
    assert isinstance(report["timestamp"], float)


def test_outbox_holds_limited_events_until_the_window_ends(
    receiver: Receiver, make_transport: Any, tmp_path: Any
) -> None:
    transport = make_transport(cache_dir=str(tmp_path))
    receiver.respond(headers={"X-Sentry-Rate-Limits": "1:error:key"}, times=1)
    transport.capture_envelope(event_envelope("prime"))
    receiver.wait_for(1)
    limited_at = receiver.requests[-1].received_at
    deadline = time.monotonic() + 5
    while not transport.rate_limits.is_limited("error") and time.monotonic() < deadline:
        time.sleep(0.001)  # until the reply (and its header) reached the transport
    mixed = event_envelope("held")
    mixed.add_item(Item(b"data", "attachment", {"filename": "a.txt"}))
    transport.capture_envelope(mixed)
    receiver.wait_for(2, timeout=5)
    held = [r for r in receiver.requests if r.envelope and r.envelope.get_event()]
    assert held[-1].envelope.get_event()["message"] == "held"  # type: ignore[union-attr,index]
    assert held[-1].received_at >= limited_at + 1.0 - 0.01
    # The attachment was not limited and went out at once, on its own.
    attachment_requests = [
        r for r in receiver.requests if r.envelope and r.envelope.items[0].type == "attachment"
    ]
    assert attachment_requests and attachment_requests[0].received_at < limited_at + 1.0
    assert not transport.losses.totals
    assert isinstance(Envelope.parse(receiver.requests[-1].body), Envelope)


def test_losses_recorded_from_many_threads_are_all_counted() -> None:
    """Recording takes no lock (a deque append); every count still reaches the report."""
    from sentry_lite.limits import LOSSES_FOLD_AFTER
    from sentry_lite.transport.reports import LossRecorder

    losses = LossRecorder()
    start = threading.Barrier(4)

    def record() -> None:
        start.wait()
        for _ in range(5000):
            losses.record("sample_rate", "transaction")
            losses.record("sample_rate", "span", 3)

    threads = [threading.Thread(target=record) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(losses._deferred) < LOSSES_FOLD_AFTER  # noqa: SLF001 - folded as it grew
    item = losses.take()
    assert item is not None
    counts = {(e["category"], e["quantity"]) for e in item.get_json()["discarded_events"]}
    assert counts == {("transaction", 20000), ("span", 60000)}
    assert losses.totals[("span", "sample_rate")] == 60000
