"""ThreadingIntegration: errors in threads, scope propagation, pool submissions."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Iterator

import pytest

import sentry_lite
from sentry_lite.integrations.threading import ThreadingIntegration
from tests.receiver import Receiver

Init = Callable[..., Any]


@pytest.fixture(autouse=True)
def quiet_thread_errors() -> Iterator[None]:
    previous = threading.excepthook
    threading.excepthook = lambda args: None
    try:
        yield
    finally:
        threading.excepthook = previous


def _run(target: Callable[[], Any]) -> None:
    thread = threading.Thread(target=target)
    thread.start()
    thread.join(10)


def test_exception_in_thread_is_captured_with_mechanism(
    sentry_init: Init, receiver: Receiver
) -> None:
    sentry_init()
    sentry_lite.set_tag("request", "r1")

    def boom() -> None:
        raise ValueError("in thread")

    _run(boom)
    sentry_lite.flush(5)
    (event,) = receiver.events
    value = event["exception"]["values"][-1]
    assert value["type"] == "ValueError"
    assert value["mechanism"] == {"type": "threading", "handled": False}
    assert event["tags"]["request"] == "r1", "the starting thread's scope came along"


def test_thread_changes_do_not_leak_back(sentry_init: Init, receiver: Receiver) -> None:
    sentry_init()
    sentry_lite.set_tag("where", "main")

    def work() -> None:
        sentry_lite.set_tag("where", "thread")
        sentry_lite.capture_message("from thread")

    _run(work)
    sentry_lite.capture_message("from main")
    sentry_lite.flush(5)
    tags = {e["message"]: e["tags"]["where"] for e in receiver.events}
    assert tags == {"from thread": "thread", "from main": "main"}


def test_propagate_scope_false_starts_threads_clean(sentry_init: Init, receiver: Receiver) -> None:
    sentry_init(integrations=[ThreadingIntegration(propagate_scope=False)])
    sentry_lite.set_tag("request", "r1")
    _run(lambda: sentry_lite.capture_message("clean"))
    sentry_lite.flush(5)
    (event,) = receiver.events
    assert "request" not in event.get("tags", {})


def test_thread_spans_join_the_transaction(sentry_init: Init, receiver: Receiver) -> None:
    sentry_init(traces_sample_rate=1.0)

    def work() -> None:
        with sentry_lite.start_span(op="thread.work"):
            pass

    with sentry_lite.start_transaction(name="t") as txn:
        _run(work)
        with ThreadPoolExecutor(max_workers=2) as pool:
            pool.submit(lambda: sentry_lite.start_span(op="pool.work").finish()).result()
    sentry_lite.flush(5)
    (event,) = receiver.transactions
    ops = {s["op"]: s for s in event["spans"]}
    assert ops["thread.work"]["parent_span_id"] == txn.span_id
    assert ops["pool.work"]["parent_span_id"] == txn.span_id
    assert ops["thread.work"]["data"]["thread.name"] != threading.current_thread().name


def test_subclassed_thread_run_is_wrapped(sentry_init: Init, receiver: Receiver) -> None:
    sentry_init()

    class Worker(threading.Thread):
        def run(self) -> None:
            raise KeyError("subclass")

    worker = Worker()
    worker.start()
    worker.join(10)
    sentry_lite.flush(5)
    (event,) = receiver.events
    assert event["exception"]["values"][-1]["mechanism"]["type"] == "threading"


def test_disabled_integration_does_nothing(sentry_init: Init, receiver: Receiver) -> None:
    sentry_init(disabled_integrations=[ThreadingIntegration])

    def boom() -> None:
        raise ValueError("unseen")

    _run(boom)
    sentry_lite.flush(5)
    assert receiver.events == []
