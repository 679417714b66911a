"""What the outgoing-HTTP integrations (``http.client``, httpx, aiohttp) share: the URL
split the way spans and breadcrumbs show it, the ``httplib`` breadcrumb itself, and
which trace headers an AWS SigV4 signature covers (adding those would break it).

sentry_sdk gives every outgoing request the same breadcrumb (category ``httplib``,
whichever library sent it), so an app that moves from one client to another keeps
the same breadcrumbs.
"""

from __future__ import annotations

from typing import Any, Dict, FrozenSet, Optional, Set, Tuple
from urllib.parse import urlsplit, urlunsplit

from sentry_lite.integration_api import (
    Scope,
    signed_headers_of_authorization,
    signed_headers_of_url,
)

__all__ = ["add_http_breadcrumb", "signed_trace_headers", "split_url"]

TRACE_HEADER_NAMES = frozenset(("baggage", "sentry-trace"))


def split_url(url: str) -> Tuple[str, str, str]:
    """(the URL without credentials, query and fragment; the query; the fragment).

    Credentials never reach a span name or a breadcrumb, whatever ``send_default_pii``
    says (sentry_sdk keeps them)."""
    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]
    base = urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    return base, parts.query, parts.fragment


def add_http_breadcrumb(status: Optional[int], data: Dict[str, Any]) -> None:
    """An ``http`` breadcrumb, ``error`` for a 5xx answer and ``warning`` for a 4xx."""
    level = None
    if status:
        if 500 <= status <= 599:
            level = "error"
        elif 400 <= status <= 499:
            level = "warning"
    crumb: Dict[str, Any] = {"type": "http", "category": "httplib", "data": data}
    if level:
        crumb["level"] = level
    Scope.get_isolation_scope().add_breadcrumb(crumb)


def signed_trace_headers(authorization: Optional[str], url: str) -> FrozenSet[str]:
    """The trace headers (``sentry-trace``, ``baggage``) an AWS SigV4 signature covers,
    named in the ``Authorization`` header's ``SignedHeaders`` or a presigned URL's
    ``X-Amz-SignedHeaders``: such a header is left as the app signed it."""
    signed: Set[str] = set()
    if authorization:
        signed |= signed_headers_of_authorization(authorization)
    if "x-amz-" in url.lower():
        signed |= signed_headers_of_url(url)
    return TRACE_HEADER_NAMES.intersection(signed)
