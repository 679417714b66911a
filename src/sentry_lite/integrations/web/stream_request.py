"""The request's attributes in streaming mode (``trace_lifecycle="stream"``): what
sentry_sdk puts on the ``http.server`` segment (method, headers, scheme, port) and on
the request's scope for every span of it (``sentry.is_localhost``, the user agent).
Sensitive headers are withheld unless ``send_default_pii``.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, Optional

from sentry_lite.integration_api import Scope
from sentry_lite.integrations.web.request_data import filter_headers

__all__ = ["add_wsgi_request_attributes", "is_localhost"]

logger = logging.getLogger("sentry_lite")

_LOCAL_IPS = frozenset({"127.0.0.1", "::1"})
_LOCAL_DOMAINS = _LOCAL_IPS | {"localhost"}


def _local_domain(host: str) -> bool:
    return host in _LOCAL_DOMAINS or any(host.endswith("." + d) for d in _LOCAL_DOMAINS)


def _domain(header: str) -> str:
    if header.startswith("["):
        return header.split("]")[0].strip("[]")
    return header.split(":")[0]


def is_localhost(
    client_ip: Optional[str],
    url_host: Optional[str],
    host_header: Optional[str],
    forwarded_host: Optional[str],
) -> bool:
    """Whether the request comes from this machine (Relay's localhost filter's rule)."""
    if client_ip is not None and client_ip.strip("[]") in _LOCAL_IPS:
        return True
    if url_host is not None and _local_domain(url_host):
        return True
    return any(h is not None and _local_domain(_domain(h)) for h in (host_header, forwarded_host))


def add_wsgi_request_attributes(
    segment: Any, environ: Dict[str, Any], headers: Dict[str, Any], client_ip: Optional[str]
) -> None:
    try:
        pii = Scope.get_client().options.send_default_pii
        scope = Scope.get_isolation_scope()
        host = environ.get("HTTP_HOST")
        scope.set_attribute(
            "sentry.is_localhost",
            is_localhost(
                client_ip,
                None if host else environ.get("SERVER_NAME"),
                host,
                environ.get("HTTP_X_FORWARDED_HOST"),
            ),
        )
        if environ.get("HTTP_USER_AGENT"):
            scope.set_attribute("user_agent.original", environ["HTTP_USER_AGENT"])
        if pii and client_ip:
            scope.set_attribute("user.ip_address", client_ip)
        method = environ.get("REQUEST_METHOD")
        if method:
            segment.set_data("http.request.method", str(method).upper())
        for name, value in filter_headers({}, dict(headers), pii, annotated=False).items():
            segment.set_data(f"http.request.header.{name.lower()}", value)
        scheme = environ.get("wsgi.url_scheme")
        if scheme:
            segment.set_data("network.protocol.name", scheme)
        port = environ.get("SERVER_PORT")
        if port:
            try:
                segment.set_data("server.port", int(port))
            except ValueError:
                pass
    except Exception:  # noqa: BLE001 - never fail the request for an attribute
        logger.debug("sentry_lite: could not add the request attributes", exc_info=True)
