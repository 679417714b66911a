"""Span statuses and how HTTP status codes map onto them (Sentry's trace-context spec)."""

from __future__ import annotations

from sentry_lite.conventions import SPANSTATUS

__all__ = ["SPANSTATUS", "get_span_status_from_http_code"]


_STATUS_4XX = {
    401: SPANSTATUS.UNAUTHENTICATED,
    403: SPANSTATUS.PERMISSION_DENIED,
    404: SPANSTATUS.NOT_FOUND,
    409: SPANSTATUS.ALREADY_EXISTS,
    413: SPANSTATUS.FAILED_PRECONDITION,
    429: SPANSTATUS.RESOURCE_EXHAUSTED,
}
_STATUS_5XX = {
    501: SPANSTATUS.UNIMPLEMENTED,
    503: SPANSTATUS.UNAVAILABLE,
    504: SPANSTATUS.DEADLINE_EXCEEDED,
}


def get_span_status_from_http_code(http_status_code: int) -> str:
    """The span status for an HTTP status."""
    if http_status_code < 400:
        return SPANSTATUS.OK
    if http_status_code < 500:
        return _STATUS_4XX.get(http_status_code, SPANSTATUS.INVALID_ARGUMENT)
    if http_status_code < 600:
        return _STATUS_5XX.get(http_status_code, SPANSTATUS.INTERNAL_ERROR)
    return SPANSTATUS.UNKNOWN_ERROR
