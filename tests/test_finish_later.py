"""An event's last pipeline step runs on the sending thread when no hook must see it.

Without ``before_send``/``before_send_transaction``, ``add_defaults`` (release, contexts,
sdk, modules) is left to the item's ``finish``, run once when the payload is first read:
normally by the transport's worker as it encodes the envelope.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any, Dict, List, Optional

import pytest

import sentry_lite
from sentry_lite.envelope import Envelope, Item
from sentry_lite.events import contexts
from sentry_lite.events.contexts import installed_modules
from sentry_lite.transport import wire
from tests.conftest import reset_sdk
from tests.receiver import EnvelopeRecorder, Receiver


def _read_on_other_thread(envelope: Envelope) -> Dict[str, Any]:
    out: List[Any] = []
    reader = threading.Thread(target=lambda: out.append(envelope.items[0].get_json()))
    reader.start()
    reader.join(10)
    event = out[0]
    assert isinstance(event, dict)
    return event


@pytest.fixture
def holder() -> Any:
    reset_sdk()
    installed_modules()  # known, as after a process's first error (see the test below)
    transport = EnvelopeRecorder()
    yield transport
    reset_sdk()


def test_defaults_are_added_when_the_payload_is_first_read(holder: EnvelopeRecorder) -> None:
    calls: List[str] = []
    sentry_lite.init(dsn="http://k@127.0.0.1:9/1", transport=holder, release="r@1")
    client = sentry_lite.get_client()
    real_finish = client.pipeline.finish

    def spy(*args: Any) -> Any:
        calls.append(threading.current_thread().name)
        return real_finish(*args)

    client.pipeline.finish = spy  # type: ignore[method-assign]
    sentry_lite.set_tag("t", "v")
    sentry_lite.capture_message("hello")
    assert calls == []  # the app thread returned without finishing the event
    (envelope,) = holder.envelopes
    event = _read_on_other_thread(envelope)
    assert calls == [calls[0]] and calls[0] != threading.current_thread().name
    assert event["release"] == "r@1" and event["platform"] == "python"
    assert event["sdk"]["name"].startswith("sentry.python")
    assert "runtime" in event["contexts"] and event["tags"] == {"t": "v"}
    assert isinstance(event["timestamp"], str)  # the capture time, taken on the app thread
    assert envelope.headers["sent_at"] == event["timestamp"]
    assert envelope.get_event() is event  # finished once


def test_the_first_error_is_finished_on_the_app_thread_until_modules_are_known(
    holder: EnvelopeRecorder, monkeypatch: Any
) -> None:
    """The first read of the installed modules opens a file per distribution. On a
    sending thread competing with a busy app for the GIL, each read waited up to a switch
    interval: a capture loop's worker sent nothing for over a second (4x fewer events
    delivered in test_reentrant_capture's storm). So the first error pays it on the app
    thread, as before, and later ones leave ``add_defaults`` to the sending thread."""
    monkeypatch.setattr(contexts, "_modules", None)
    sentry_lite.init(dsn="http://k@127.0.0.1:9/1", transport=holder, release="r@1")
    sentry_lite.capture_message("first")
    sentry_lite.capture_message("second")
    first, second = holder.envelopes
    assert first.items[0]._finish is None  # noqa: SLF001 - finished on the app thread
    assert first.items[0].get_json()["modules"]
    assert second.items[0]._finish is not None  # noqa: SLF001
    assert _read_on_other_thread(second)["modules"] == first.items[0].get_json()["modules"]


def test_before_send_sees_the_finished_event(holder: EnvelopeRecorder) -> None:
    seen: List[Dict[str, Any]] = []

    def hook(event: Dict[str, Any], hint: Any) -> Optional[Dict[str, Any]]:
        seen.append(dict(event))
        return event

    sentry_lite.init(
        dsn="http://k@127.0.0.1:9/1", transport=holder, release="r@1", before_send=hook
    )
    sentry_lite.capture_message("hello")
    assert seen[0]["release"] == "r@1" and "sdk" in seen[0] and "contexts" in seen[0]


def test_transactions_are_finished_later_unless_a_hook_or_ai_spans_need_it(
    holder: EnvelopeRecorder,
) -> None:
    sentry_lite.init(
        dsn="http://k@127.0.0.1:9/1", transport=holder, release="r@1", traces_sample_rate=1.0
    )
    with sentry_lite.start_transaction(name="plain"):
        pass
    with sentry_lite.start_transaction(name="ai"), sentry_lite.start_span(op="gen_ai.chat"):
        pass
    plain, ai = holder.envelopes
    assert plain.items[0]._finish is not None  # noqa: SLF001 - waiting for the worker
    assert _read_on_other_thread(plain)["release"] == "r@1"
    # The AI span item is built from the finished transaction: finished on the spot.
    assert ai.items[0]._finish is None  # noqa: SLF001
    (span_item,) = [i for i in ai.items if i.type == "span"]
    attributes = span_item.get_json()["items"][0]["attributes"]
    assert attributes["sentry.release"]["value"] == "r@1"


def test_a_profiled_transaction_and_its_profile_share_one_later_finish(
    holder: EnvelopeRecorder,
) -> None:
    from tests.test_profiler import sampled

    sentry_lite.init(
        dsn="http://k@127.0.0.1:9/1",
        transport=holder,
        release="r@1",
        environment="env",
        traces_sample_rate=1.0,
        profiles_sample_rate=1.0,
    )
    client = sentry_lite.get_client()
    runs: List[str] = []
    real_finish = client.pipeline.finish

    def spy(*args: Any) -> Any:
        runs.append(threading.current_thread().name)
        return real_finish(*args)

    client.pipeline.finish = spy  # type: ignore[method-assign]
    with sentry_lite.start_transaction(name="profiled"):
        sampled()
    (envelope,) = holder.envelopes
    profile_item, transaction_item = envelope.items
    assert (profile_item.type, transaction_item.type) == ("profile", "transaction")
    assert runs == []  # the app thread left both for the sending thread
    profile = _read_on_other_thread(envelope)  # the profile is read (and built) first
    assert (profile["release"], profile["environment"]) == ("r@1", "env")
    assert profile["transactions"][0]["name"] == "profiled"
    assert profile["profile"]["samples"]
    assert transaction_item.get_json()["release"] == "r@1"
    assert len(runs) == 1  # the transaction was finished once, for both items


def test_item_finish_runs_once_whoever_reads_first() -> None:
    calls: List[int] = []
    gate = threading.Barrier(8)

    def finish(payload: Dict[str, Any]) -> Dict[str, Any]:
        calls.append(1)
        return dict(payload, finished=True)

    item = Item({"message": "m"}, "event", finish=finish)
    seen: List[Any] = []

    def read() -> None:
        gate.wait()
        seen.append(item.json)

    readers = [threading.Thread(target=read) for _ in range(8)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join(10)
    assert calls == [1]
    assert all(s is seen[0] and s["finished"] for s in seen)
    assert b'"finished":true' in item.payload


def test_a_failing_finish_still_sends_the_payload() -> None:
    def finish(payload: Any) -> Any:
        raise RuntimeError("broken step")

    item = Item({"message": "m"}, "event", finish=finish)
    assert item.payload == b'{"message":"m"}'


def test_events_reach_the_receiver_complete(receiver: Receiver) -> None:
    reset_sdk()
    sentry_lite.init(dsn=receiver.dsn(), release="r@2", environment="staging")
    try:
        sentry_lite.capture_message("over the wire")
        sentry_lite.flush(5)
        (event,) = receiver.events
        assert event["release"] == "r@2" and event["environment"] == "staging"
        assert event["sdk"]["name"].startswith("sentry.python") and "os" in event["contexts"]
    finally:
        reset_sdk()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_child_forked_while_a_payload_was_being_finished_can_finish_its_own() -> None:
    """The lock that serialises finishing is held by a sending thread, which a forked
    child does not have: the child gets a fresh lock, not one held for ever."""
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with wire._finishing:  # noqa: SLF001 - a sending thread in the middle of a finish
            holding.set()
            release.wait(10)

    holder_thread = threading.Thread(target=hold)
    holder_thread.start()
    holding.wait(10)
    try:
        pid = os.fork()
        if pid == 0:  # the child: finish an item of its own, or hang
            item = Item({"message": "m"}, "event", finish=lambda p: dict(p, done=True))
            os._exit(0 if item.json.get("done") else 1)
        deadline = time.monotonic() + 10
        status = None
        while time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.01)
        else:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            pytest.fail("the forked child hung on the finishing lock")
        assert status is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    finally:
        release.set()
        holder_thread.join(10)
