"""``sys.argv`` is added with the SDK's defaults (events/process_extra.py), not by an event
processor: ``before_send`` still sees it, and the event sent without a hook (finished on
the sending thread) is the same as the one sent with a pass-through hook."""

from __future__ import annotations

import sys
from typing import Any, Callable, Dict, List

import pytest

import sentry_lite
from sentry_lite.events.contexts import installed_modules
from tests.receiver import Receiver


def test_argv_reaches_before_send_and_the_wire_alike(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    installed_modules()  # known: the event may be finished on the sending thread
    seen: List[Dict[str, Any]] = []

    def hook(event: Dict[str, Any], hint: Dict[str, Any]) -> Dict[str, Any]:
        seen.append(dict(event.get("extra") or {}))
        return event

    sent = []
    for before_send in (None, hook):
        receiver.clear()
        sentry_init(before_send=before_send)
        sentry_lite.set_extra("mine", 1)
        sentry_lite.capture_message("with argv")
        sentry_lite.flush(5)
        receiver.wait_for(1)
        sent.append(receiver.events[0]["extra"])
    # Cut to the databag breadth like any list in extra (pytest's argv may be longer).
    assert seen == [{"mine": 1, "sys.argv": list(sys.argv)[:10]}]
    assert sent == [seen[0], seen[0]]


def test_an_extra_the_app_set_under_that_name_wins(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    sentry_init()
    sentry_lite.set_extra("sys.argv", "mine")
    sentry_lite.capture_message("x")
    sentry_lite.flush(5)
    receiver.wait_for(1)
    assert receiver.events[0]["extra"] == {"sys.argv": "mine"}


def test_transactions_get_no_argv(sentry_init: Callable[..., Any], receiver: Receiver) -> None:
    sentry_init(traces_sample_rate=1.0)
    with sentry_lite.start_transaction(name="t"):
        pass
    sentry_lite.flush(5)
    receiver.wait_for(1, item_type="transaction")
    assert "sys.argv" not in (receiver.transactions[0].get("extra") or {})


@pytest.mark.parametrize("before_send", [None, lambda event, hint: event])
def test_secrets_on_the_command_line_are_filtered(
    sentry_init: Callable[..., Any],
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
    before_send: Any,
) -> None:
    """Beyond sentry_sdk (docs/migration.md): with the default scrubber and PII off, a
    secret flag's value and a URL's password are filtered, wherever the event is finished."""
    installed_modules()
    argv = ["app.py", "--password", "hunter2", "--api-key=k1", "postgres://u:pw@db/x", "-v"]
    monkeypatch.setattr(sys, "argv", argv)
    sentry_init(before_send=before_send)
    sentry_lite.capture_message("with secrets")
    sentry_lite.flush(5)
    receiver.wait_for(1)
    event = receiver.events[0]
    assert event["extra"]["sys.argv"] == [
        "app.py",
        "--password",
        "[Filtered]",
        "--api-key=[Filtered]",
        "postgres://u:[Filtered]@db/x",
        "-v",
    ]
    remarks = event["_meta"]["extra"]["sys.argv"]
    assert sorted(remarks) == ["2", "3", "4"]
    assert remarks["2"] == {"": {"rem": [["!config", "s"]]}}
    assert sys.argv == argv  # the process's own list is untouched


def test_command_line_is_sent_as_is_with_pii_on(
    sentry_init: Callable[..., Any], receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As all text scrubbing beyond sentry_sdk: only with the default list and PII off."""
    argv = ["app.py", "--password", "hunter2"]
    monkeypatch.setattr(sys, "argv", argv)
    sentry_init(send_default_pii=True)
    sentry_lite.capture_message("pii on")
    sentry_lite.flush(5)
    receiver.wait_for(1)
    assert receiver.events[0]["extra"]["sys.argv"] == argv


def test_a_huge_command_line_is_scrubbed_and_cut(
    sentry_init: Callable[..., Any], receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scrubber looks at the first 10,000 arguments (as at any container's first
    items); the serializer keeps the first 10 and notes how many there were."""
    argv = ["app.py", "--password", "hunter2"] + ["x"] * 200_000
    monkeypatch.setattr(sys, "argv", argv)
    sentry_init()
    sentry_lite.capture_message("huge argv")
    sentry_lite.flush(5)
    receiver.wait_for(1)
    event = receiver.events[0]
    assert event["extra"]["sys.argv"] == ["app.py", "--password", "[Filtered]"] + ["x"] * 7
    assert event["_meta"]["extra"]["sys.argv"][""] == {"len": len(argv)}
