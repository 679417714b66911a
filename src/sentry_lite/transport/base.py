"""The transport interface the client talks to.

The client hands over finished envelopes and reports losses it decided on itself
(sampling, ``before_send``); everything after that is the transport's business.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional

from sentry_lite.dsn import Dsn
from sentry_lite.transport.wire import Envelope, Item, envelope_class

__all__ = ["FunctionTransport", "Transport"]


class Transport:
    """Base class: subclass and override :meth:`capture_envelope` to send elsewhere."""

    def __init__(self, options: Optional[Dict[str, Any]] = None) -> None:
        self.options: Dict[str, Any] = dict(options or {})
        dsn = self.options.get("dsn")
        # sentry_sdk's custom transports read ``self.parsed_dsn`` (None without a DSN).
        self.parsed_dsn: Optional[Dsn] = dsn if isinstance(dsn, Dsn) else Dsn(dsn) if dsn else None

    def capture_envelope(self, envelope: Envelope) -> None:
        raise NotImplementedError

    def offer_envelope(self, envelope: Envelope) -> bool:
        """``capture_envelope`` for a sender that can keep what finds no room and offer
        it again later (session counts): False means not taken, and nothing counted.
        A transport without a bounded queue takes everything."""
        self.capture_envelope(envelope)
        return True

    def capture_event(self, event: Dict[str, Any]) -> None:
        """1.x name, kept for custom transports written against it."""
        cls = envelope_class()
        self.capture_envelope(
            cls({"event_id": event.get("event_id")}, [cls.item_class(event, "event")])
        )

    def record_lost_event(
        self,
        reason: str,
        data_category: Optional[str] = None,
        item: Optional[Item] = None,
        *,
        quantity: int = 1,
    ) -> None:
        """Count a discarded item; transports that send client reports override this."""

    def flush(
        self, timeout: float, callback: Optional[Callable[[int, float], None]] = None
    ) -> None:
        """Wait up to ``timeout`` seconds for pending envelopes to be delivered."""

    def kill(self) -> None:
        """Stop background work without waiting."""

    def is_healthy(self) -> bool:
        return True


class FunctionTransport(Transport):
    """Wraps ``transport=callable(event)``, the 1.x form sentry_sdk still accepts."""

    def __init__(self, func: Callable[[Dict[str, Any]], None]) -> None:
        super().__init__()
        self._func = func

    def capture_envelope(self, envelope: Envelope) -> None:
        for item in envelope.items:
            event = item.get_json() if item.type == "event" else None
            if isinstance(event, dict):
                self._func(event)
                return
