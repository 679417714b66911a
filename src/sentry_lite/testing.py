"""A pytest plugin so applications can assert on what they report.

Installed with sentry-lite (entry point ``pytest11``), it offers two fixtures:

``capture_envelopes``
    a list that receives every envelope the active client sends during the test;
``capture_events``
    a list that receives every error/transaction event payload.

While either is in use nothing leaves the process. If the app has not called
``sentry_lite.init`` yet, the fixture initialises the SDK with default options.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional

import pytest

from sentry_lite.envelope import Envelope
from sentry_lite.scope import Scope
from sentry_lite.transport import wire
from sentry_lite.transport.base import Transport

__all__ = ["RecordingTransport", "capture_envelopes", "capture_events"]


class RecordingTransport(Transport):
    """Keeps envelopes in memory instead of sending them."""

    def __init__(self, options: Optional[Dict[str, Any]] = None) -> None:
        super().__init__(options)
        self.envelopes: List[Envelope] = []
        self.events: List[Dict[str, Any]] = []
        self.lost: List[Dict[str, Any]] = []

    def capture_envelope(self, envelope: wire.Envelope) -> None:
        if not isinstance(envelope, Envelope):  # built by a transport: give it the event API
            envelope = Envelope(envelope.headers, envelope.items)
        self.envelopes.append(envelope)
        for item in envelope.items:
            if item.type in ("event", "transaction"):
                event = item.get_json()
                if isinstance(event, dict):
                    self.events.append(event)

    def record_lost_event(
        self,
        reason: str,
        data_category: Optional[str] = None,
        item: Optional[wire.Item] = None,
        *,
        quantity: int = 1,
    ) -> None:
        category = data_category or (item.data_category if item is not None else "default")
        self.lost.append({"reason": reason, "category": category, "quantity": quantity})


@pytest.fixture
def _sentry_lite_recorder() -> Iterator[RecordingTransport]:
    recorder = RecordingTransport()
    client = Scope.get_client()
    if client.is_active():
        previous_transport = client.transport
        previous_spotlight = client.spotlight
        client.transport = recorder
        if previous_spotlight is not None:
            client.spotlight = None
        try:
            yield recorder
        finally:
            client.transport = previous_transport
            if previous_spotlight is not None:
                client.spotlight = previous_spotlight
        return
    import sentry_lite

    global_scope = Scope.get_global_scope()
    previous = global_scope.client
    guard = sentry_lite.init(transport=recorder)
    try:
        yield recorder
    finally:
        guard._client.close(timeout=0)
        global_scope.set_client(previous)


@pytest.fixture
def capture_envelopes(_sentry_lite_recorder: RecordingTransport) -> List[Envelope]:
    """Every envelope the SDK sends during the test."""
    return _sentry_lite_recorder.envelopes


@pytest.fixture
def capture_events(_sentry_lite_recorder: RecordingTransport) -> List[Dict[str, Any]]:
    """Every error and transaction event the SDK sends during the test."""
    return _sentry_lite_recorder.events
