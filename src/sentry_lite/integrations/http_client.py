"""What the outgoing-HTTP integrations (``http.client``, httpx, aiohttp) share: the URL
split the way spans and breadcrumbs show it, the ``httplib`` breadcrumb itself, and
which trace headers an AWS SigV4 signature covers (adding those would break it).

sentry_sdk gives every outgoing request the same breadcrumb (category ``httplib``,
whichever library sent it), so an app that moves from one client to another keeps
the same breadcrumbs.
"""

from __future__ import annotations

from typing import Any, Dict, FrozenSet, Optional, Set, Tuple
from urllib.parse import parse_qs, urlsplit, urlunsplit

from sentry_lite.integration_api import Scope

__all__ = ["add_http_breadcrumb", "signed_trace_headers", "split_url"]

TRACE_HEADER_NAMES = frozenset(("baggage", "sentry-trace"))
_SIGV4_ALGORITHMS = frozenset(("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256"))


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
        algorithm, _, parameters = authorization.lstrip().partition(" ")
        if algorithm in _SIGV4_ALGORITHMS:
            for part in parameters.split(","):
                name, _, value = part.strip().partition("=")
                if name == "SignedHeaders":
                    signed.update(h.lower() for h in value.split(";"))
                    break
    if "x-amz-" in url.lower():
        query = {k.lower(): v for k, v in parse_qs(urlsplit(url).query).items()}
        if query.get("x-amz-algorithm", [""])[0] in _SIGV4_ALGORITHMS:
            signed.update(h.lower() for h in query.get("x-amz-signedheaders", [""])[0].split(";"))
    return TRACE_HEADER_NAMES.intersection(signed)
