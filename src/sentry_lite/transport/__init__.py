"""Delivery of envelopes: a small interface with swappable implementations."""

from sentry_lite.transport.base import Transport, make_transport
from sentry_lite.transport.http import HttpTransport

__all__ = ["HttpTransport", "Transport", "make_transport"]
