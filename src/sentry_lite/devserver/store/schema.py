"""The receiver's SQLite schema, its upgrade in place, and the small value helpers the
writer and the pages share (timestamps, ids, the fields pulled out of an event)."""

from __future__ import annotations

import json
import math
import sqlite3
from datetime import datetime, timezone
from typing import Any, Dict, Optional, Tuple

__all__ = [
    "FILTER_FIELDS",
    "Received",
    "create_schema",
    "dumps",
    "event_fields",
    "normal_event_id",
    "parse_timestamp",
]

SCHEMA_VERSION = 2

_TABLES: Dict[str, Tuple[str, ...]] = {
    "issues": (
        "id TEXT PRIMARY KEY",
        "project TEXT",
        "title TEXT",
        "culprit TEXT",
        "level TEXT",
        "platform TEXT",
        "first_seen REAL",
        "last_seen REAL",
        "count INTEGER",
        "last_event_id TEXT",
    ),
    "events": (
        "event_id TEXT PRIMARY KEY",
        "kind TEXT",
        "issue_id TEXT",
        "project TEXT",
        "received REAL",
        "timestamp REAL",
        "title TEXT",
        "culprit TEXT",
        "level TEXT",
        "platform TEXT",
        "sdk TEXT",
        "environment TEXT",
        "release TEXT",
        "trace_id TEXT",
        "duration_ms REAL",
        "body TEXT",
        "status TEXT",
        "http_status INTEGER",
        "size INTEGER DEFAULT 0",
    ),
    "logs": (
        "id INTEGER PRIMARY KEY AUTOINCREMENT",
        "project TEXT",
        "received REAL",
        "timestamp REAL",
        "level TEXT",
        "body TEXT",
        "trace_id TEXT",
        "attributes TEXT",
        "release TEXT",
        "environment TEXT",
        "sdk TEXT",
        "size INTEGER DEFAULT 0",
    ),
    "items": (
        "id INTEGER PRIMARY KEY AUTOINCREMENT",
        "project TEXT",
        "received REAL",
        "type TEXT",
        "event_id TEXT",
        "size INTEGER",
        "body TEXT",
        "stored INTEGER DEFAULT 0",
    ),
}
_INDEXES = (
    "CREATE INDEX IF NOT EXISTS events_issue ON events (issue_id, received)",
    "CREATE INDEX IF NOT EXISTS events_kind ON events (kind, received)",
    "CREATE INDEX IF NOT EXISTS events_trace ON events (trace_id)",
    "CREATE INDEX IF NOT EXISTS logs_trace ON logs (trace_id)",
    "CREATE INDEX IF NOT EXISTS items_type ON items (type, id)",
)
FILTER_FIELDS = ("project", "release", "environment", "sdk")
"""Columns the lists can be filtered by (``?release=app@1.2``)."""


def create_schema(db: sqlite3.Connection) -> None:
    """Create the tables, or add the columns a database from an older version lacks."""
    for table, columns in _TABLES.items():
        db.execute(f"CREATE TABLE IF NOT EXISTS {table} ({', '.join(columns)})")
        have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        for column in columns:
            name = column.split()[0]
            if name not in have and "PRIMARY KEY" not in column:
                db.execute(f"ALTER TABLE {table} ADD COLUMN {column}")
    for statement in _INDEXES:
        db.execute(statement)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


class Received:
    """A summary of one stored item, for the terminal line, ``tail`` and the live feed."""

    __slots__ = (
        "duplicate",
        "environment",
        "issue_id",
        "item_type",
        "level",
        "link",
        "project",
        "received",
        "ref",
        "release",
        "sdk",
        "title",
        "trace_id",
    )

    def __init__(
        self,
        item_type: str,
        title: str,
        *,
        level: str = "",
        ref: str = "",
        issue_id: str = "",
        link: str = "",
        sdk: str = "",
        duplicate: bool = False,
        project: str = "",
        release: str = "",
        environment: str = "",
        trace_id: str = "",
        received: float = 0.0,
    ) -> None:
        self.item_type = item_type
        self.title = title
        self.level = level
        self.ref = ref
        self.issue_id = issue_id
        self.link = link
        self.sdk = sdk
        self.duplicate = duplicate
        self.project = project
        self.release = release
        self.environment = environment
        self.trace_id = trace_id
        self.received = received

    def as_dict(self) -> Dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


def parse_timestamp(value: Any, default: float) -> float:
    """Sentry timestamps are epoch seconds or RFC 3339 strings."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
        return number if math.isfinite(number) else default
    if isinstance(value, str):
        text = value.strip()
        try:
            number = float(text)
            return number if math.isfinite(number) else default
        except ValueError:
            pass
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return default
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=timezone.utc)
        return parsed.timestamp()
    return default


def normal_event_id(value: Any) -> Optional[str]:
    """A 32-hex-digit id (dashes allowed, as in UUIDs), lower-cased; None otherwise."""
    if not isinstance(value, str):
        return None
    text = value.replace("-", "").lower()
    if len(text) != 32 or any(c not in "0123456789abcdef" for c in text):
        return None
    return text


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _dict(value: Any) -> Dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _http_status(event: Dict[str, Any], trace: Dict[str, Any]) -> Optional[int]:
    contexts = _dict(event.get("contexts"))
    candidates = (
        _dict(contexts.get("response")).get("status_code"),
        _dict(trace.get("data")).get("http.response.status_code"),
        _dict(event.get("tags")).get("http.status_code"),
    )
    for value in candidates:
        try:
            code = int(str(value))
        except (TypeError, ValueError):
            continue
        if 100 <= code <= 999:
            return code
    return None


def event_fields(event: Dict[str, Any]) -> Dict[str, Any]:
    """The columns an event is listed and filtered by."""
    sdk = _dict(event.get("sdk"))
    trace = _dict(_dict(event.get("contexts")).get("trace"))
    trace_id = trace.get("trace_id")
    status = trace.get("status")
    return {
        "sdk": f"{sdk.get('name')} {sdk.get('version') or ''}".strip() if sdk.get("name") else "",
        "environment": str(event.get("environment") or ""),
        "release": str(event.get("release") or ""),
        "trace_id": str(trace_id) if isinstance(trace_id, str) and trace_id else None,
        "status": str(status) if isinstance(status, str) else None,
        "http_status": _http_status(event, trace),
        "platform": str(event.get("platform") or ""),
    }
