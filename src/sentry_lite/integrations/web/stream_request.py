"""The request's attributes in streaming mode (``trace_lifecycle="stream"``): what
sentry_sdk puts on the ``http.server`` segment (method, headers, scheme, port) and on
the request's scope for every span of it (``sentry.is_localhost``, the user agent).
Sensitive headers are withheld unless ``send_default_pii``.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, Optional, Tuple

from sentry_lite.integration_api import (
    SEND,
    Scope,
    collected_query_string,
    data_collection_configured,
    may_collect,
)
from sentry_lite.integrations.web.request_data import request_headers

__all__ = [
    "add_asgi_request_attributes",
    "add_wsgi_request_attributes",
    "is_localhost",
    "request_url_attributes",
    "url_attributes_query",
]

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
    segment: Any,
    environ: Dict[str, Any],
    headers: Dict[str, Any],
    client_ip: Optional[str],
    url: str,
    options: Any = None,
) -> None:
    """``url`` is the request's URL without its query string (only read, like
    ``headers``, when the segment is sampled: the caller may pass empty ones else);
    ``options``: the active client's, when the caller has them in hand."""
    try:
        if options is None:
            options = Scope.get_client().options
        user_info = may_collect("user_info", options) == SEND
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
        if user_info and client_ip:
            scope.set_attribute("user.ip_address", client_ip)
        if not segment.sampled:
            return  # the scope's attributes still reach logs and metrics; the span's go nowhere
        # Gathered first and set in one call: each set_data costs a few calls per value.
        attributes: Dict[str, Any] = {}
        method = environ.get("REQUEST_METHOD")
        if method:
            attributes["http.request.method"] = str(method).upper()
        # data_collection's header rules when set, as on error events (and sentry_sdk)
        for name, value in request_headers({}, dict(headers), options, annotated=False).items():
            if value is not None:
                attributes[f"http.request.header.{name.lower()}"] = value
        scheme = environ.get("wsgi.url_scheme")
        if scheme:
            attributes["network.protocol.name"] = scheme
        port = environ.get("SERVER_PORT")
        if port:
            try:
                attributes["server.port"] = int(port)
            except ValueError:
                pass
        attributes.update(
            request_url_attributes(
                options, url, environ.get("PATH_INFO") or "", environ.get("QUERY_STRING") or ""
            )
        )
        if user_info and client_ip:
            attributes["client.address"] = client_ip
        segment.set_attributes(attributes)
    except Exception:  # noqa: BLE001 - never fail the request for an attribute
        logger.debug("sentry_lite: could not add the request attributes", exc_info=True)


def add_asgi_request_attributes(
    segment: Any,
    asgi_type: str,
    method: Optional[str],
    headers: Dict[str, str],
    client_ip: Optional[str],
    url: str,
    path: str,
    query: str,
    server_host: Optional[str],
) -> None:
    """The ASGI twin of :func:`add_wsgi_request_attributes`: ``headers`` with lower-case
    names, ``url`` without its query string."""
    try:
        options = Scope.get_client().options
        user_info = may_collect("user_info", options) == SEND
        scope = Scope.get_isolation_scope()
        host = headers.get("host")
        scope.set_attribute(
            "sentry.is_localhost",
            is_localhost(
                client_ip, None if host else server_host, host, headers.get("x-forwarded-host")
            ),
        )
        if headers.get("user-agent"):
            scope.set_attribute("user_agent.original", headers["user-agent"])
        if user_info and client_ip:
            scope.set_attribute("user.ip_address", client_ip)
        if not segment.sampled:
            return  # as for WSGI
        attributes: Dict[str, Any] = {"network.protocol.name": asgi_type}
        if method:
            attributes["http.request.method"] = method.upper()
        # data_collection's header rules when set, as sentry_sdk's ASGI middleware
        for name, value in request_headers({}, dict(headers), options, annotated=False).items():
            attributes[f"http.request.header.{name.lower()}"] = value
        attributes.update(request_url_attributes(options, url, path, query))
        if user_info and client_ip:
            attributes["client.address"] = client_ip
        segment.set_attributes(attributes)
    except Exception:  # noqa: BLE001 - never fail the request for an attribute
        logger.debug("sentry_lite: could not add the request attributes", exc_info=True)


def request_url_attributes(options: Any, url: str, path: str, query: str) -> Dict[str, Any]:
    """``url.full``, ``url.path`` and ``http.query`` of an incoming request, as sentry_sdk
    sends them in streaming mode: with ``data_collection`` (its query filter applied) or
    ``send_default_pii``, else none."""
    sent, kept = url_attributes_query(options, query)
    if not sent:
        return {}
    attributes: Dict[str, Any] = {}
    if kept:
        attributes["http.query"] = kept
    if path:
        attributes["url.path"] = path
    attributes["url.full"] = f"{url}?{kept}" if kept else url
    return attributes


def url_attributes_query(options: Any, query: str) -> Tuple[bool, Optional[str]]:
    """(are ``url.*`` attributes sent at all?, the query string they may carry): with
    ``data_collection`` (its query filter applied) or ``send_default_pii``, else none."""
    if data_collection_configured(options):
        return True, collected_query_string(query, options) if query else None
    if options.send_default_pii:
        return True, query or None
    return False, None
