"""Turning an envelope into a request body: ``sent_at``, serialization, gzip.

This runs on a sending thread, never on the app thread: serializing is where event
payloads are JSON-encoded (and oversized events trimmed, see ``sentry_lite.envelope``).
"""

from __future__ import annotations

from typing import Any, Mapping, Tuple

from sentry_lite.limits import COMPRESS_MIN_BYTES, DEFAULT_COMPRESSION_LEVEL
from sentry_lite.timestamps import now_iso
from sentry_lite.transport.wire import Envelope

__all__ = ["Encoder", "compression"]


def compression(options: Mapping[str, Any]) -> Tuple[int, int]:
    """gzip level and the smallest body to compress: an explicit level applies to all."""
    level = options.get("transport_compression_level")
    if level is None:
        experiments = options.get("_experiments") or {}
        level = experiments.get("transport_compression_level")
        if level is None:
            level = experiments.get("transport_zlib_compression_level")
    if level is None:
        return DEFAULT_COMPRESSION_LEVEL, COMPRESS_MIN_BYTES
    try:
        return min(9, max(0, int(level))), 0
    except (TypeError, ValueError):
        return DEFAULT_COMPRESSION_LEVEL, COMPRESS_MIN_BYTES


class Encoder:
    def __init__(self, options: Mapping[str, Any]) -> None:
        self.level, self.min_bytes = compression(options)

    def encode(self, envelope: Envelope) -> Tuple[bytes, int, bool]:
        """The request body, the envelope's own size, and whether the body is gzipped."""
        # sent_at is when it leaves (ingest corrects clock drift with it), give or take
        # the batch it is part of, not when it was captured: an envelope may have waited
        # in the outbox for hours.
        envelope.headers["sent_at"] = now_iso()
        body = envelope.serialize()
        size = len(body)
        if self.level <= 0 or size < self.min_bytes:
            return body, size, False
        import zlib

        # A gzip stream straight from zlib (wbits 31): same bytes on the wire as
        # gzip.compress, without its per-call header and CRC work in Python.
        packer = zlib.compressobj(self.level, zlib.DEFLATED, 31)
        return packer.compress(body) + packer.flush(), size, True
