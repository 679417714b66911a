"""Odd but legal inputs that used to lose events or break ``init`` (issue 16)."""

from __future__ import annotations

import json
import logging
from typing import Any, Callable

import pytest

import sentry_lite
from sentry_lite.events.serialize import serialize_event
from sentry_lite.scope import Scope
from tests.receiver import Receiver, messages


@pytest.mark.parametrize("contexts", [None, [1, 2], "text", ("a", "b")])
def test_capture_event_with_odd_contexts_is_delivered(
    sentry_init: Callable[..., Any], receiver: Receiver, contexts: Any
) -> None:
    sentry_init()
    sentry_lite.set_context("app", {"kind": "web"})
    event_id = sentry_lite.capture_event({"message": "odd", "contexts": contexts})
    assert event_id is not None
    sentry_lite.flush(5)
    (event,) = receiver.events
    assert event["message"] == "odd"
    assert event["contexts"]["app"] == {"kind": "web"}
    if contexts is not None:  # kept, not silently dropped
        assert event["extra"]["contexts"] == json.loads(json.dumps(contexts))


def test_odd_tags_and_extra_are_kept(sentry_init: Callable[..., Any], receiver: Receiver) -> None:
    sentry_init()
    sentry_lite.set_tag("t", "1")
    sentry_lite.capture_event({"message": "odd", "tags": ["x"], "extra": None})
    sentry_lite.flush(5)
    (event,) = receiver.events
    assert event["tags"]["t"] == "1"
    assert event["extra"]["tags"] == ["x"]


def test_init_with_max_breadcrumbs_none_uses_the_default(
    sentry_init: Callable[..., Any], receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        sentry_init(max_breadcrumbs=None)
    client = Scope.get_global_scope().client
    assert client is not None and client.options["max_breadcrumbs"] == 100
    assert "max_breadcrumbs" in caplog.text
    sentry_lite.add_breadcrumb(message="crumb")
    sentry_lite.capture_message("with crumbs")
    sentry_lite.flush(5)
    assert messages(receiver) == ["with crumbs"]


@pytest.mark.parametrize("budget", [2000, None])
def test_a_lone_surrogate_as_a_top_level_key_is_encodable(budget: Any) -> None:
    out = serialize_event(
        {"event_id": "f" * 32, "\ud800": {"\udc00k": "\ud800"}}, size_budget=budget
    )
    text = json.dumps(out, ensure_ascii=False).encode("utf-8")  # raised before
    assert json.loads(text)["\ufffd"] == {"\ufffdk": "\ufffd"}


def test_two_dsns_never_share_a_cache_dir(
    receiver: Receiver, tmp_path: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """Project 2's client refuses project 1's directory: its events go to project 2 only."""
    from sentry_lite.client import Client

    cache = str(tmp_path / "shared")
    first = Client(receiver.dsn(project="1"), cache_dir=cache)
    with caplog.at_level(logging.WARNING):
        second = Client(receiver.dsn(project="2"), cache_dir=cache)
    again = Client(receiver.dsn(project="1"), cache_dir=cache)
    try:
        assert first.transport.outbox is not None
        assert again.transport.outbox is not None  # the same project may share it
        assert second.transport.outbox is None
        assert "give each DSN its own cache_dir" in caplog.text
        for client, project in ((first, "1"), (second, "2")):
            for index in range(3):
                client.capture_event({"message": f"p{project}-{index}"})
        first.flush(5)
        second.flush(5)
        receiver.wait_for(6)
        for request in receiver.requests:
            if request.envelope is None:
                continue
            for event in request.envelope.items:
                payload = event.get_json()
                if isinstance(payload, dict) and "message" in payload:
                    project = request.path.split("/")[2]
                    assert payload["message"].startswith(f"p{project}-"), request.path
    finally:
        for client in (first, second, again):
            client.close(timeout=1)
