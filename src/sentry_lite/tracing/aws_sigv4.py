"""Which headers an AWS Signature Version 4 covers.

A header named in ``SignedHeaders`` (of the ``Authorization`` header, or of the query
string of a presigned URL) is part of the request's signature: changing or adding it
afterwards makes AWS reject the request. Outgoing-HTTP instrumentation asks these two
functions before it adds ``sentry-trace``/``baggage`` to a botocore request.
"""

from __future__ import annotations

from typing import Set
from urllib.parse import parse_qs, urlsplit

__all__ = [
    "SIGV4_ALGORITHMS",
    "signed_headers_of_authorization",
    "signed_headers_of_url",
]

SIGV4_ALGORITHMS = frozenset(("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256"))


def _names(value: str) -> Set[str]:
    return {name.lower() for name in value.split(";") if name}


def signed_headers_of_authorization(authorization: str) -> Set[str]:
    """Lower-case header names a SigV4 ``Authorization`` value signs (empty for any
    other scheme)."""
    algorithm, _, parameters = authorization.lstrip().partition(" ")
    if algorithm not in SIGV4_ALGORITHMS:
        return set()
    for part in parameters.split(","):
        key, _, value = part.strip().partition("=")
        if key == "SignedHeaders":
            return _names(value)
    return set()


def signed_headers_of_url(url: str) -> Set[str]:
    """Lower-case header names a presigned URL's query string signs (empty when the URL
    is not SigV4-presigned). ``url`` may be a full URL or a request target."""
    query = {key.lower(): values for key, values in parse_qs(urlsplit(url).query).items()}
    if query.get("x-amz-algorithm", [""])[0] not in SIGV4_ALGORITHMS:
        return set()
    return _names(query.get("x-amz-signedheaders", [""])[0])
