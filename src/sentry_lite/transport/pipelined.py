"""Envelopes written back to back on one kept-alive connection, their replies read after.

Why: the sending thread shares the GIL with the app. While it waits for a reply the app
runs; once the reply is in, the thread needs the GIL back, and a busy app thread gives it
up only when forced to (after the 5 ms switch interval), then resumes with cold caches.
Sent one at a time, every envelope costs a busy app that switch: measured on a Flask app
sending a transaction per request, 1.6-1.9 forced switches and 35-60 µs of the app
thread's CPU per request. Written back to back, a batch waits for its replies once per
:data:`PIPELINE_DEPTH` envelopes (0.27-0.35 switches per request at 64 a pipeline).

HTTP/1.1 allows pipelining, but POST is not idempotent (RFC 9112, 9.3.2), so this stays
on the safe side:

* a pipeline is written only on a connection that has just answered with keep-alive;
* the ingest answers in order; a reply that closes the connection ends the pipeline, and
  the envelopes after it (which the server must not process) are sent again;
* anything else that breaks a pipeline (a reset, a timeout, a later reply slower than
  :data:`PIPELINE_REPLY_WAIT`, a reply the lean reader does not know) turns pipelining
  off for :data:`PIPELINE_PAUSE` seconds, and the envelopes without a reply are sent
  again one at a time. Such a resend may deliver an envelope twice; Sentry keeps one
  event per event id.

Proxies and the general reply parser never see a pipeline (the caller keeps to one
request at a time there).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Dict, List, Mapping, Sequence, Tuple

from sentry_lite.limits import (
    PIPELINE_BYTES,
    PIPELINE_DEPTH,
    PIPELINE_PAUSE,
    PIPELINE_REPLY_WAIT,
)
from sentry_lite.sdk_loggers import internal_logger as logger

if TYPE_CHECKING:
    from sentry_lite.transport.post import FastPost  # imports urllib3: sending thread only

__all__ = ["Pipeliner", "Reply"]

Reply = Tuple[int, Dict[str, str]]
Request = Tuple[bytes, Mapping[str, str]]


class Pipeliner:
    """Decides when a pipeline may be written, and writes it (one per transport)."""

    def __init__(self) -> None:
        self.paused_until = 0.0

    def ready(self, fast: FastPost) -> bool:
        """Pipelining is not paused and this thread holds a live kept-alive connection."""
        return time.monotonic() >= self.paused_until and fast.holds_connection()

    @staticmethod
    def chunk(sizes: Sequence[int]) -> int:
        """How many of the next bodies (their sizes) go in one pipeline."""
        count = total = 0
        for size in sizes[:PIPELINE_DEPTH]:
            total += size
            if count and total > PIPELINE_BYTES:
                break
            count += 1
        return count

    def post(self, fast: FastPost, requests: Sequence[Request]) -> List[Reply]:
        """Replies to the first of ``requests``, in order: to all of them, or to fewer when
        the pipeline ended early (the caller sends the rest one at a time)."""
        from sentry_lite.transport.replies import read_replies

        conn = fast.take_held()
        if conn is None:
            return []
        replies: List[Reply] = []
        keep = False
        try:
            data = b"".join(fast.request(body, headers) for body, headers in requests)
            conn.sock.sendall(data)
            keep = read_replies(conn.sock, len(requests), replies, PIPELINE_REPLY_WAIT)
        except Exception as exc:  # noqa: BLE001 - the unanswered ones are sent again
            self._pause(f"{type(exc).__name__}: {exc}", len(replies), len(requests))
        else:
            if len(replies) < len(requests) and not _asked_to_close(replies[-1][1]):
                # A reply cut short (its body stalled or broke): the head counted, but
                # this server is not one to pipeline to.
                self._pause("a reply broke off", len(replies), len(requests))
        fast.hand_back(conn, keep)
        return replies

    def _pause(self, why: str, answered: int, written: int) -> None:
        self.paused_until = time.monotonic() + PIPELINE_PAUSE
        logger.debug(
            "sentry_lite: pipeline broke after %d of %d replies (%s); one at a time for %d s",
            answered,
            written,
            why,
            PIPELINE_PAUSE,
        )


def _asked_to_close(headers: Mapping[str, str]) -> bool:
    return "close" in headers.get("connection", "").lower()
