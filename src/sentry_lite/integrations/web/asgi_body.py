"""The body chunks an ASGI app reads through ``receive``, kept for an event's
``request.data``: an event processor cannot await, so only what the app read is known."""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, List, Optional

__all__ = ["BodyRecorder"]

Receive = Callable[[], Awaitable[Dict[str, Any]]]


class BodyRecorder:
    """Keeps the body chunks the app reads, up to ``limit`` bytes (None: no limit)."""

    __slots__ = ("chunks", "complete", "limit", "over", "receive", "size")

    def __init__(self, receive: Receive, limit: Optional[int]) -> None:
        self.receive = receive
        self.limit = limit
        self.chunks: List[bytes] = []
        self.size = 0
        self.over = False
        self.complete = False

    @property
    def __wrapped__(self) -> Receive:
        """The server's ``receive`` (what middleware spans are named after)."""
        return self.receive

    async def __call__(self) -> Dict[str, Any]:
        message = await self.receive()
        try:
            if message.get("type") == "http.request" and not self.over:
                body = message.get("body") or b""
                if body:
                    self.size += len(body)
                    if self.limit is not None and self.size > self.limit:
                        self.over = True
                        self.chunks = []
                    else:
                        self.chunks.append(body)
                if not message.get("more_body", False):
                    self.complete = True
        except Exception:
            pass
        return message
