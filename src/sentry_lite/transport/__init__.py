"""Delivery of envelopes: a small interface with swappable implementations."""

from typing import Any

from sentry_lite.transport.base import Transport
from sentry_lite.transport.factory import make_transport

__all__ = ["Http2Transport", "HttpTransport", "Transport", "make_transport"]


def __getattr__(name: str) -> Any:
    # HttpTransport is loaded on first use, so ``import sentry_lite`` stays cheap.
    if name == "HttpTransport":
        from sentry_lite.transport.http import HttpTransport

        return HttpTransport
    if name == "Http2Transport":
        from sentry_lite.transport.http import Http2Transport

        return Http2Transport
    raise AttributeError(name)
