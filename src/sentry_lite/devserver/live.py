"""Fan-out of new data to Server-Sent Events listeners.

Each listener gets a small bounded queue; a listener too slow to keep up loses messages
rather than slowing the ingest thread that publishes them.
"""

from __future__ import annotations

import queue
import threading
from typing import List, Optional, Tuple

from sentry_lite.devserver.limits import LISTENER_QUEUE, MAX_LISTENERS

__all__ = ["MAX_LISTENERS", "Broadcaster", "Listener"]

Message = Tuple[str, str]
"""(SSE event name, data text)."""


class Listener:
    def __init__(self, channel: str) -> None:
        self.channel = channel
        self.queue: queue.Queue[Message] = queue.Queue(LISTENER_QUEUE)
        self.dropped = 0

    def get(self, timeout: float) -> Optional[Message]:
        try:
            return self.queue.get(timeout=timeout)
        except queue.Empty:
            return None


class Broadcaster:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: List[Listener] = []
        self.closed = threading.Event()

    def subscribe(self, channel: str) -> Optional[Listener]:
        """A new listener, or None when :data:`MAX_LISTENERS` are already connected."""
        with self._lock:
            if len(self._listeners) >= MAX_LISTENERS:
                return None
            listener = Listener(channel)
            self._listeners.append(listener)
            return listener

    def unsubscribe(self, listener: Listener) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def has_listeners(self, *channels: str) -> bool:
        with self._lock:
            return any(lst.channel in channels for lst in self._listeners)

    def publish(self, channel: str, name: str, data: str) -> None:
        with self._lock:
            listeners = [lst for lst in self._listeners if lst.channel == channel]
        for listener in listeners:
            try:
                listener.queue.put_nowait((name, data))
            except queue.Full:
                listener.dropped += 1

    def close(self) -> None:
        self.closed.set()
