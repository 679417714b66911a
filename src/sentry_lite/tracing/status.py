"""Span statuses and how HTTP status codes map onto them (Sentry's trace-context spec)."""

from __future__ import annotations

__all__ = ["SPANSTATUS", "get_span_status_from_http_code"]


class SPANSTATUS:
    ABORTED = "aborted"
    ALREADY_EXISTS = "already_exists"
    CANCELLED = "cancelled"
    DATA_LOSS = "data_loss"
    DEADLINE_EXCEEDED = "deadline_exceeded"
    FAILED_PRECONDITION = "failed_precondition"
    INTERNAL_ERROR = "internal_error"
    INVALID_ARGUMENT = "invalid_argument"
    NOT_FOUND = "not_found"
    OK = "ok"
    OUT_OF_RANGE = "out_of_range"
    PERMISSION_DENIED = "permission_denied"
    RESOURCE_EXHAUSTED = "resource_exhausted"
    UNAUTHENTICATED = "unauthenticated"
    UNAVAILABLE = "unavailable"
    UNIMPLEMENTED = "unimplemented"
    UNKNOWN_ERROR = "unknown_error"


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
