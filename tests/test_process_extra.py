"""``sys.argv`` is added with the SDK's defaults (events/process_extra.py), not by an event
processor: ``before_send`` still sees it, and the event sent without a hook (finished on
the sending thread) is the same as the one sent with a pass-through hook."""

from __future__ import annotations

import sys
from typing import Any, Callable, Dict, List

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
