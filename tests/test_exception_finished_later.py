"""An exception event's frames are scrubbed and checked on the sending thread when nothing
needs to see the finished event first (no ``before_send``): the event that arrives must be
the one the all-on-the-app-thread path sends, byte for byte apart from ids and times.

``before_send=lambda event, hint: event`` forces every step onto the capturing thread, so
each scenario runs both ways against the real receiver and the two events are compared.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Dict, List, Optional

import pytest

import sentry_lite
from sentry_lite.events.contexts import installed_modules
from sentry_lite.pipeline import EventPipeline
from tests.receiver import Receiver

VOLATILE = ("event_id", "timestamp", "breadcrumbs")


class Hostile:
    def __repr__(self) -> str:
        raise RuntimeError("no repr")


def _fail_with_secrets(depth: int) -> None:
    password = "hunter2"  # noqa: F841 - a local the scrubber must filter
    api_key = {"token": "abc", "nested": [1, 2, {"secret": "x"}]}  # noqa: F841
    numbers = list(range(300))  # noqa: F841 - cut to the databag breadth, noted in _meta
    text = "y" * 5000  # noqa: F841 - cut at max_value_length
    hostile = Hostile()  # noqa: F841
    url = "https://user:pw@example.com/?token=abc"  # noqa: F841
    if depth:
        _fail_with_secrets(depth - 1)
    raise ValueError("boom " + "z" * 3000)


def _capture(processor: Optional[Callable[..., Any]] = None) -> None:
    if processor is not None:
        sentry_lite.get_current_scope().add_event_processor(processor)
    try:
        _fail_with_secrets(2)
    except ValueError:
        sentry_lite.capture_exception()
    sentry_lite.flush(5)


def _stable(event: Dict[str, Any]) -> Dict[str, Any]:
    return {k: v for k, v in event.items() if k not in VOLATILE}


@pytest.fixture(autouse=True)
def finishing_threads(monkeypatch: pytest.MonkeyPatch) -> List[str]:
    """The threads ``finish_exception`` ran on (the deferral happens once the installed
    modules are known: read them first)."""
    installed_modules()
    threads: List[str] = []
    original = EventPipeline.finish_exception

    def spy(self: EventPipeline, event: Any, hint: Any) -> Any:
        threads.append(threading.current_thread().name)
        return original(self, event, hint)

    monkeypatch.setattr(EventPipeline, "finish_exception", spy)
    return threads


def _both_ways(
    sentry_init: Callable[..., Any],
    receiver: Receiver,
    options: Dict[str, Any],
    processor: Optional[Callable[..., Any]] = None,
) -> List[Dict[str, Any]]:
    events = []
    for hook in (None, lambda event, hint: event):
        receiver.clear()
        sentry_init(before_send=hook, **options)
        _capture(processor)
        receiver.wait_for(1)
        events.append(_stable(receiver.events[0]))
    return events


@pytest.mark.parametrize("pii", [False, True])
def test_deferred_exception_equals_the_event_finished_on_the_app_thread(
    sentry_init: Callable[..., Any], receiver: Receiver, pii: bool, finishing_threads: List[str]
) -> None:
    later, now = _both_ways(sentry_init, receiver, {"send_default_pii": pii})
    assert len(finishing_threads) == 1  # the first way only, and not on this thread
    assert finishing_threads[0] != threading.current_thread().name
    assert later == now
    frame = later["exception"]["values"][0]["stacktrace"]["frames"][-1]
    assert frame["vars"]["password"] == "[Filtered]"
    assert frame["vars"]["api_key"] == "[Filtered]"
    assert "hunter2" not in str(later)
    assert "_meta" in later and "exception" in later["_meta"]


def test_a_processor_that_puts_live_objects_in_the_frames_gets_them_serialized_at_capture(
    sentry_init: Callable[..., Any], receiver: Receiver, finishing_threads: List[str]
) -> None:
    live = {"value": "before"}

    def processor(event: Dict[str, Any], hint: Dict[str, Any]) -> Dict[str, Any]:
        assert not any(key.startswith("sentry_lite.") for key in hint)  # private keys hidden
        frame = event["exception"]["values"][0]["stacktrace"]["frames"][-1]
        frame["vars"] = dict(frame["vars"], live=live, password="hunter2")
        event["exception"] = dict(event["exception"])  # a new section: checked now
        return event

    later, now = _both_ways(sentry_init, receiver, {}, processor)
    assert finishing_threads == []  # the section was swapped: finished at capture
    live["value"] = "after"  # too late: the event was copied when it was captured
    assert later == now
    frame = later["exception"]["values"][0]["stacktrace"]["frames"][-1]
    assert frame["vars"]["live"] == {"value": "before"}
    assert frame["vars"]["password"] == "[Filtered]"


def test_error_sampler_does_not_see_the_sdk_hint_keys(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    seen: List[List[str]] = []

    def sampler(event: Dict[str, Any], hint: Dict[str, Any]) -> float:
        seen.append(sorted(hint))
        return 1.0

    sentry_init(error_sampler=sampler)
    _capture()
    receiver.wait_for(1)
    assert seen == [["exc_info"]]


def test_an_exception_that_cannot_be_finished_is_sent_without_its_locals(
    sentry_init: Callable[..., Any], receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sentry_lite.pipeline as pipeline_module

    def broken(*args: Any) -> None:
        raise RuntimeError("serializer bug")

    monkeypatch.setattr(pipeline_module, "finish_exception", broken)
    sentry_init()
    _capture()
    receiver.wait_for(1)
    frames = receiver.events[0]["exception"]["values"][0]["stacktrace"]["frames"]
    assert frames and not any("vars" in frame for frame in frames)
    assert "hunter2" not in str(receiver.events[0])


def test_a_client_subclass_overriding_capture_event_still_gets_exceptions(
    receiver: Receiver,
) -> None:
    seen: List[str] = []

    class MyClient(sentry_lite.Client):
        def capture_event(self, event: Any, hint: Any = None, scope: Any = None) -> Any:
            seen.append(event["exception"]["values"][0]["type"])
            return super().capture_event(event, hint, scope)

    client = MyClient(receiver.dsn())
    try:
        with sentry_lite.new_scope() as scope:
            scope.set_client(client)
            _capture()
        client.flush(5)
        receiver.wait_for(1)
        assert seen == ["ValueError"]
        frame = receiver.events[0]["exception"]["values"][0]["stacktrace"]["frames"][-1]
        assert frame["vars"]["password"] == "[Filtered]"
    finally:
        client.close(timeout=2)
