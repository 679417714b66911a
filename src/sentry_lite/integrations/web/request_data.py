"""The ``request`` section of an event: headers, cookies and the body, withheld or cut
as ``send_default_pii`` and ``max_request_body_size`` say (sentry_sdk 2.x's shape).
"""

from __future__ import annotations

import json
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple
from urllib.parse import parse_qsl

from sentry_lite.integration_api import FILTERED, annotate
from sentry_lite.limits import MEDIUM_BODY_BYTES, SMALL_BODY_BYTES
from sentry_lite.types import Event

__all__ = [
    "REM_CONFIG_REMOVED",
    "REM_RAW_REMOVED",
    "SENSITIVE_HEADERS",
    "body_within_bounds",
    "filter_headers",
    "form_data",
    "is_json_content_type",
    "parse_cookies",
    "parse_raw_body",
    "set_body",
    "set_body_removed",
]

SENSITIVE_HEADERS = frozenset(
    {
        "cookie",
        "set-cookie",
        "authorization",
        "proxy-authorization",
        "x-api-key",
        "x-forwarded-for",
        "x-real-ip",
    }
)
"""Headers whose value is withheld unless ``send_default_pii=True`` (sentry_sdk's list)."""

REM_CONFIG_REMOVED = ["!config", "x"]
"""Remark for a value removed by configuration (pii off, body over the size limit)."""
REM_RAW_REMOVED = ["!raw", "x"]
"""Remark for a body removed because it was neither JSON nor a form."""


def filter_headers(
    event: Event, headers: Dict[str, str], pii: bool, annotated: bool
) -> Dict[str, str]:
    """Withhold sensitive headers unless pii is on.

    ``annotated``: WSGI form (empty value plus a ``_meta`` note, as sentry_sdk's
    ``AnnotatedValue``); otherwise the ASGI form (``[Filtered]``).
    """
    if pii:
        return headers
    for key in headers:
        if key.lower() in SENSITIVE_HEADERS:
            if annotated:
                headers[key] = ""
                annotate(event, ["request", "headers", key], rem=[REM_CONFIG_REMOVED])
            else:
                headers[key] = FILTERED
    return headers


def parse_cookies(header: Optional[str]) -> Dict[str, str]:
    """A Cookie header as a dict; lenient like browsers (bad pairs are skipped)."""
    out: Dict[str, str] = {}
    if not header:
        return out
    for part in header.split(";"):
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or not name:
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        out[name] = value
    return out


def body_within_bounds(options: Mapping[str, Any], length: int) -> bool:
    size = options.get("max_request_body_size", "medium")
    if size == "never":
        return False
    if size == "small":
        return length <= SMALL_BODY_BYTES
    if size == "medium":
        return length <= MEDIUM_BODY_BYTES
    return True


def is_json_content_type(content_type: Optional[str]) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def set_body_removed(event: Event, request: Dict[str, Any], remark: List[str]) -> None:
    request["data"] = ""
    annotate(event, ["request", "data"], rem=[remark])


def parse_raw_body(raw: bytes, content_type: Optional[str]) -> Tuple[bool, Any]:
    """(parsed?, value) for a body we hold as bytes: JSON and urlencoded forms only."""
    if is_json_content_type(content_type):
        try:
            return True, json.loads(raw.decode("utf-8"))
        except ValueError:
            return False, None
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media == "application/x-www-form-urlencoded":
        try:
            form: Dict[str, Any] = {}
            for key, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
                form.setdefault(key, value)
            return True, form
        except Exception:
            return False, None
    return False, None


def set_body(
    event: Event,
    request: Dict[str, Any],
    options: Mapping[str, Any],
    length: int,
    read: Callable[[], Tuple[Optional[Any], bool]],
) -> None:
    """Attach the body per ``max_request_body_size``, as sentry_sdk's RequestExtractor.

    ``read()`` returns ``(parsed or None, had_raw_bytes)``; it is only called when the
    body is within bounds.
    """
    if not body_within_bounds(options, length):
        set_body_removed(event, request, REM_CONFIG_REMOVED)
        return
    parsed, had_raw = read()
    if parsed is not None:
        request["data"] = parsed
    elif had_raw:
        set_body_removed(event, request, REM_RAW_REMOVED)


def form_data(event: Event, form: Any, files: Any) -> Dict[str, Any]:
    """Request data from a parsed form: fields as sent, uploaded files noted, not sent."""
    data: Dict[str, Any] = dict(form.items()) if form else {}
    for key in files or ():
        data[key] = ""
        annotate(event, ["request", "data", key], rem=[REM_RAW_REMOVED])
    return data
