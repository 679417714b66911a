"""Picks the transport an ``init`` call asked for: one place that knows every kind."""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional, cast

from sentry_lite.sdk_loggers import internal_logger as logger
from sentry_lite.transport.base import FunctionTransport, Transport


def make_transport(options: Dict[str, Any]) -> Optional[Transport]:
    """Build the transport the options ask for; ``None`` when there is nowhere to send."""
    ref = options.get("transport")
    if isinstance(ref, Transport):
        return ref
    if isinstance(ref, type) and issubclass(ref, Transport):
        return ref(options)
    if callable(ref):
        return FunctionTransport(cast(Callable[[Dict[str, Any]], None], ref))
    if ref is not None:
        logger.warning("sentry_lite: ignoring transport=%r: not a Transport or callable", ref)
    if options.get("dsn") is None:
        return None
    from sentry_lite.transport.http import Http2Transport, HttpTransport  # only for HTTP

    if (options.get("_experiments") or {}).get("transport_http2"):
        return Http2Transport(options)  # sentry_sdk's class for it; same HTTP/1.1 sending
    return HttpTransport(options)
