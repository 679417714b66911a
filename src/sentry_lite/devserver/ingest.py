"""Turning one ingest request into an :class:`Envelope`, or a precise refusal.

Everything an SDK may send is accepted: the envelope endpoint, the old ``/store/``
endpoint and Spotlight's ``/stream``, compressed and chunked bodies (see
:mod:`~sentry_lite.devserver.body`), and the public key in the ``X-Sentry-Auth``
header, the query string or the envelope header. Items are checked for size here; their
JSON is parsed one at a time as they are stored, so an envelope never costs more than
one parsed item of memory.
"""

from __future__ import annotations

import json
import re
from typing import Any, Optional, Tuple
from urllib.parse import parse_qs

from sentry_lite.devserver.body import IngestError, decode_body, read_body, supported_encodings
from sentry_lite.devserver.limits import MAX_ENVELOPE_ITEMS, MAX_JSON_ITEM_BYTES
from sentry_lite.envelope import Envelope, EnvelopeError

__all__ = [
    "JSON_ITEMS",
    "IngestError",
    "Request",
    "decode_body",
    "parse_request",
    "read_body",
    "route_ingest",
    "supported_encodings",
]

_INGEST_PATH = re.compile(r"^/api/(?P<project>[^/]+)/(?P<kind>envelope|store)/?$")
_AUTH_FIELD = re.compile(r"(\w+)\s*=\s*([^,\s]*)")

JSON_ITEMS = frozenset(
    {"event", "transaction", "log", "session", "sessions", "client_report", "check_in", "span"}
)
"""Item types the viewer reads as JSON: each must be a JSON object of bounded size."""


class Request:
    """What one accepted ingest request carried."""

    __slots__ = ("envelope", "project", "public_key")

    def __init__(self, envelope: Envelope, project: Optional[str], public_key: Optional[str]):
        self.envelope = envelope
        self.project = project
        self.public_key = public_key


def route_ingest(path: str) -> Optional[Tuple[Optional[str], str]]:
    """``(project, kind)`` for an ingest path; kind is "envelope", "store" or "stream"."""
    if path.rstrip("/") == "/stream":
        return None, "stream"
    match = _INGEST_PATH.match(path)
    if match is None:
        return None
    return match.group("project"), match.group("kind")


# -- auth and parsing ---------------------------------------------------------------


def _key_from_auth(value: Optional[str]) -> Optional[str]:
    if not value:
        return None
    text = value.strip()
    if text.lower().startswith("sentry "):
        text = text[7:]
    for name, field in _AUTH_FIELD.findall(text):
        if name == "sentry_key" and field:
            return str(field)
    return None


def _key_from_dsn(dsn: Any) -> Optional[str]:
    if not isinstance(dsn, str) or "@" not in dsn or "//" not in dsn:
        return None
    userinfo = dsn.split("//", 1)[1].split("@", 1)[0]
    return userinfo.split(":", 1)[0] or None


def parse_request(path: str, query: str, headers: Any, data: bytes) -> Request:
    """Parse one decoded ingest body; raises :class:`IngestError` on any problem."""
    route = route_ingest(path)
    if route is None:
        raise IngestError(404, f"no ingest endpoint at {path}")
    project, kind = route
    if kind == "store":
        envelope = _store_to_envelope(data)
    else:
        try:
            envelope = Envelope.parse(data)
        except EnvelopeError as exc:
            raise IngestError(400, f"malformed envelope: {exc}") from None
        except Exception as exc:
            raise IngestError(400, f"malformed envelope: {exc!r}") from None
        _check_payloads(envelope)
    params = parse_qs(query)
    key = (
        _key_from_auth(headers.get("X-Sentry-Auth"))
        or _key_from_auth(headers.get("Authorization"))
        or next(iter(params.get("sentry_key") or []), None)
        or _key_from_dsn(envelope.headers.get("dsn"))
    )
    return Request(envelope, project, key)


def _store_to_envelope(data: bytes) -> Envelope:
    if len(data) > MAX_JSON_ITEM_BYTES:
        raise IngestError(
            413, f"event of {len(data)} bytes is over the {MAX_JSON_ITEM_BYTES} byte limit"
        )
    try:
        event = json.loads(data, parse_constant=str)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise IngestError(400, f"store body is not JSON: {exc}") from None
    if not isinstance(event, dict):
        raise IngestError(400, "store body must be a JSON object")
    envelope = Envelope({"event_id": event.get("event_id")})
    if event.get("type") == "transaction":
        envelope.add_transaction(event)
    else:
        envelope.add_event(event)
    return envelope


def _check_payloads(envelope: Envelope) -> None:
    """Bounds an envelope before anything of it is stored or parsed."""
    if len(envelope.items) > MAX_ENVELOPE_ITEMS:
        raise IngestError(413, f"envelope has over {MAX_ENVELOPE_ITEMS} items")
    for item in envelope.items:
        if item.type in JSON_ITEMS and len(item.payload) > MAX_JSON_ITEM_BYTES:
            raise IngestError(
                413,
                f"{item.type} item of {len(item.payload)} bytes is over the"
                f" {MAX_JSON_ITEM_BYTES} byte limit (Sentry's ingest refuses it too)",
            )
