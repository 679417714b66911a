"""socket: DNS lookups (``socket.getaddrinfo``) and connections
(``socket.create_connection``) as ``socket.dns`` and ``socket.connection`` spans, under a
running span only (nothing is made when no sampled transaction or span runs). Not on by
default, as with sentry_sdk. A connection's own lookup is a child of its span."""

from __future__ import annotations

import socket
from typing import Any, Optional

from sentry_lite.integration_api import active_integration, child_span, streamed_span_of
from sentry_lite.integrations import Integration

__all__ = ["SocketIntegration"]

OP_CONNECTION = "socket.connection"
OP_DNS = "socket.dns"


class SocketIntegration(Integration):
    identifier = "socket"
    origin = f"auto.socket.{identifier}"

    @staticmethod
    def setup_once() -> None:
        _patch_create_connection()
        _patch_getaddrinfo()


def _text(value: Any) -> Any:
    if isinstance(value, bytes):
        try:
            return value.decode()
        except UnicodeDecodeError:
            return value
    return value


def _name(host: Any, port: Any) -> str:
    return f"{_text(host)}:{_text(port)}"


def _span(op: str, host: Any, port: Any) -> Optional[Any]:
    """The span for one call, or None (integration off, nothing running, or a failure:
    the call goes on unobserved)."""
    if active_integration(SocketIntegration.identifier) is None:
        return None
    try:
        return child_span(op, _name(host, port), SocketIntegration.origin)
    except Exception:  # noqa: BLE001
        return None


def _server_attributes(span: Any, host: Any, port: Any) -> None:
    """Streaming mode's names: ``server.address`` and an integer ``server.port``."""
    if isinstance(host, str):
        span.set_attribute("server.address", host)
    elif isinstance(host, bytes):
        span.set_attribute("server.address", host.decode(errors="replace"))
    if isinstance(port, int):
        span.set_attribute("server.port", port)
    elif port is not None:
        try:
            span.set_attribute("server.port", int(port))
        except (ValueError, TypeError):
            pass


def _patch_create_connection() -> None:
    real = socket.create_connection
    if getattr(real, "_sentry_lite", False):
        return

    def create_connection(
        address: Any,
        timeout: Any = socket._GLOBAL_DEFAULT_TIMEOUT,  # type: ignore[attr-defined]
        source_address: Any = None,
        **kwargs: Any,
    ) -> socket.socket:
        span = _span(OP_CONNECTION, address[0], address[1])
        if span is None:
            return real(address, timeout, source_address, **kwargs)
        try:
            streamed = streamed_span_of(span)
            if streamed is not None:
                _server_attributes(streamed, address[0], address[1])
            else:
                span.update_data(
                    {"address": address, "timeout": timeout, "source_address": source_address}
                )
        except Exception:  # noqa: BLE001
            pass
        with span:
            return real(address, timeout, source_address, **kwargs)

    create_connection._sentry_lite = True  # type: ignore[attr-defined]
    socket.create_connection = create_connection


def _patch_getaddrinfo() -> None:
    real = socket.getaddrinfo
    if getattr(real, "_sentry_lite", False):
        return

    def getaddrinfo(
        host: Any, port: Any, family: int = 0, type: int = 0, proto: int = 0, flags: int = 0
    ) -> Any:
        span = _span(OP_DNS, host, port)
        if span is None:
            return real(host, port, family, type, proto, flags)
        try:
            streamed = streamed_span_of(span)
            if streamed is not None:
                _server_attributes(streamed, host, port)
            else:
                span.update_data({"host": host, "port": port})
        except Exception:  # noqa: BLE001
            pass
        with span:
            return real(host, port, family, type, proto, flags)

    getaddrinfo._sentry_lite = True  # type: ignore[attr-defined]
    socket.getaddrinfo = getaddrinfo
