"""The ``request`` section of an event: headers, cookies and the body, withheld or cut
as ``data_collection`` (or, without it, ``send_default_pii``) and
``max_request_body_size`` say (sentry_sdk 2.x's shape).
"""

from __future__ import annotations

import json
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple
from urllib.parse import parse_qsl

from sentry_lite.integration_api import (
    FILTERED,
    SEND,
    Options,
    annotate,
    collected_key_values,
    collected_query_string,
    data_collection_configured,
    may_collect,
)
from sentry_lite.limits import MEDIUM_BODY_BYTES, SMALL_BODY_BYTES
from sentry_lite.types import Event

__all__ = [
    "REM_CONFIG_REMOVED",
    "REM_RAW_REMOVED",
    "SENSITIVE_HEADERS",
    "body_within_bounds",
    "collects_request_body",
    "collects_user_info",
    "fill_server_request",
    "filter_headers",
    "form_data",
    "is_json_content_type",
    "note_uploaded_files",
    "parse_cookies",
    "parse_multipart",
    "parse_raw_body",
    "request_cookies",
    "request_headers",
    "request_query_string",
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
    if media == "multipart/form-data":
        fields = parse_multipart(raw, content_type or "")
        return (fields is not None), fields
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


# -- data_collection: what each part of the request may carry ------------------------


def collects_user_info(options: Options) -> bool:
    """User data and the client address (``user_info``; ``send_default_pii`` without it)."""
    return may_collect("user_info", options) == SEND


def collects_request_body(options: Options) -> bool:
    """Incoming request bodies (``http_bodies``; always without ``data_collection``)."""
    return may_collect("http_bodies:incoming_request", options) == SEND


def request_headers(
    event: Event, headers: Dict[str, str], options: Options, annotated: bool
) -> Dict[str, Any]:
    """The headers ``http_headers.request`` lets through (cookies always withheld), or
    without ``data_collection`` sentry_sdk's legacy filtering (see ``filter_headers``)."""
    if not data_collection_configured(options):
        return filter_headers(event, headers, options.send_default_pii, annotated)
    out = collected_key_values("http_headers.request", headers, options)
    for key in out:
        if isinstance(key, str) and key.lower() in ("cookie", "set-cookie"):
            out[key] = FILTERED
    return out


def request_cookies(
    read: Callable[[], Dict[str, Any]], options: Options
) -> Optional[Dict[str, Any]]:
    """The cookies to send (None: leave ``cookies`` out): ``data_collection.cookies``, or
    all of them only with ``send_default_pii``. ``read()`` parses them, only when some
    may be sent: by default none is, and parsing was a third of a Flask request's data
    extraction (10 of 27 µs, measured on a cold request)."""
    if data_collection_configured(options):
        return collected_key_values("cookies", read(), options) or None
    return (read() or None) if options.send_default_pii else None


def request_query_string(query: Optional[str], options: Options) -> Tuple[bool, Optional[str]]:
    """(include?, value) of ``request.query_string``: as received without
    ``data_collection``, else filtered by ``url_query_params`` and left out when empty."""
    if not data_collection_configured(options):
        return True, query
    filtered = collected_query_string(query, options) if query else None
    return filtered is not None, filtered


def fill_server_request(
    event: Event,
    options: Options,
    *,
    read_cookies: Callable[[], Dict[str, Any]],
    body_length: int,
    read_body: Callable[[], Tuple[Optional[Any], bool]],
    url: str,
    query: str,
    method: Any,
    client_ip: Any,
    headers: Dict[str, Any],
) -> None:
    """The event's ``request`` for a framework that serves HTTP itself (Tornado, Sanic),
    as sentry_sdk fills it for them: cookies and the client's address by
    ``data_collection`` (else ``send_default_pii`` for cookies, the address always), the
    body by ``max_request_body_size``, the query string filtered and left out when
    empty under ``data_collection``."""
    info = event.setdefault("request", {})
    configured = data_collection_configured(options)
    if configured:
        kept = collected_key_values("cookies", read_cookies(), options)
        if kept:
            info["cookies"] = kept
    elif options.send_default_pii:
        info["cookies"] = read_cookies()
    if collects_request_body(options):
        set_body(event, info, options, body_length, read_body)
    info["url"] = url
    if configured:
        filtered = collected_query_string(query, options) if query else None
        if filtered:
            info["query_string"] = filtered
    else:
        info["query_string"] = query
    info["method"] = method
    if not configured or may_collect("user_info", options) == SEND:
        info["env"] = {"REMOTE_ADDR": client_ip}
    info["headers"] = request_headers(event, headers, options, annotated=True)


UPLOADED_FILE = object()
"""Stands for an uploaded file in a parsed multipart form (sent as ``""``, noted)."""


def parse_multipart(raw: bytes, content_type: str) -> Optional[Dict[str, Any]]:
    """A multipart/form-data body as its fields (uploaded files as ``UPLOADED_FILE``),
    the way sentry_sdk shows the form the framework parsed; None if it does not parse."""
    from email.parser import BytesParser  # stdlib; only for multipart bodies
    from email.policy import HTTP

    try:
        message = BytesParser(policy=HTTP).parsebytes(
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + raw
        )
        if not message.is_multipart():
            return None
        out: Dict[str, Any] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not isinstance(name, str) or name in out:
                continue
            if part.get_filename() is not None:
                out[name] = UPLOADED_FILE
                continue
            payload = part.get_payload(decode=True)
            charset = part.get_content_charset() or "utf-8"
            out[name] = payload.decode(charset, "replace") if isinstance(payload, bytes) else ""
        return out
    except Exception:
        return None


def note_uploaded_files(event: Event, data: Any) -> Any:
    """Replace ``UPLOADED_FILE`` markers by ``""`` noted in ``_meta`` (files are not sent)."""
    if isinstance(data, dict):
        for key, value in data.items():
            if value is UPLOADED_FILE:
                data[key] = ""
                annotate(event, ["request", "data", key], rem=[REM_RAW_REMOVED])
    return data
