"""What the outgoing-HTTP integrations (``http.client``, httpx) share: the URL split
the way spans and breadcrumbs show it, and the ``httplib`` breadcrumb itself.

sentry_sdk gives every outgoing request the same breadcrumb (category ``httplib``,
whichever library sent it), so an app that moves from one client to another keeps
the same breadcrumbs.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple
from urllib.parse import urlsplit, urlunsplit

from sentry_lite.integration_api import Scope

__all__ = ["add_http_breadcrumb", "split_url"]


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
