"""Delivery of envelopes: a small interface with swappable implementations."""

from typing import Any

from sentry_lite.transport.base import Transport
from sentry_lite.transport.factory import make_transport

__all__ = ["HttpTransport", "Transport", "make_transport"]


def __getattr__(name: str) -> Any:
    # HttpTransport is loaded on first use, so ``import sentry_lite`` stays cheap.
    if name == "HttpTransport":
        from sentry_lite.transport.http import HttpTransport

        return HttpTransport
    raise AttributeError(name)
