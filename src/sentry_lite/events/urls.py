"""URLs as they go into breadcrumbs and spans: credentials and query values filtered.

An outgoing request's URL may carry ``user:password@`` or tokens in its query string;
Sentry shows the URL's shape, not those values (sentry_sdk's ``sanitize_url``).
"""

from __future__ import annotations

from typing import NamedTuple, Union
from urllib.parse import parse_qs, unquote, urlencode, urlsplit, urlunsplit

from sentry_lite.events.meta import FILTERED

__all__ = ["Components", "ParsedUrl", "parse_url", "sanitize_url"]


class Components(NamedTuple):
    """A URL split the way ``urlsplit`` splits it."""

    scheme: str
    netloc: str
    path: str
    query: str
    fragment: str


class ParsedUrl(NamedTuple):
    """A URL without query and fragment, and those two apart (span data fields)."""

    url: str
    query: str
    fragment: str


def sanitize_url(
    url: str,
    remove_authority: bool = True,
    remove_query_values: bool = True,
    split: bool = False,
) -> Union[str, Components]:
    """``url`` with ``user:password@`` and the query's values replaced by ``[Filtered]``."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if remove_authority and "@" in netloc:
        netloc = f"{FILTERED}:{FILTERED}@{netloc.rsplit('@', 1)[-1]}"
    query = parts.query
    if remove_query_values:
        keys = parse_qs(query, keep_blank_values=True)
        query = unquote(urlencode({key: FILTERED for key in keys}))
    components = Components(parts.scheme, netloc, parts.path, query, parts.fragment)
    return components if split else urlunsplit(components)


def parse_url(url: str, sanitize: bool = True) -> ParsedUrl:
    """Split ``url`` for span data; credentials always go, query values when ``sanitize``."""
    parts = sanitize_url(url, remove_authority=True, remove_query_values=sanitize, split=True)
    assert isinstance(parts, Components)
    base = urlunsplit(Components(parts.scheme, parts.netloc, parts.path, "", ""))
    return ParsedUrl(base, parts.query, parts.fragment)
