"""SQLite storage for what the receiver accepted: events grouped into issues,
transactions, log records, sessions, and a row for every other item type.

One connection behind a lock (so ``:memory:`` works and writes never interleave); the
request threads do short transactions. Rows are pruned oldest-first beyond
:data:`MAX_STORED_EVENTS` so a chatty app cannot fill the disk.
"""

from __future__ import annotations

import json
import math
import sqlite3
import threading
import time
import uuid
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional

from sentry_lite.devserver import grouping
from sentry_lite.envelope import Envelope, Item

__all__ = ["MAX_STORED_EVENTS", "MAX_STORED_LOGS", "Received", "Store", "parse_timestamp"]

MAX_STORED_EVENTS = 10_000
"""Events and transactions kept; older ones are deleted first."""
MAX_STORED_LOGS = 50_000
MAX_STORED_ITEMS = 5_000
"""Rows kept for item types the viewer only lists (sessions, client reports, ...)."""
MAX_LIST_ROWS = 500
_PRUNE_EVERY = 200
_MAX_RAW_ITEM_TEXT = 64 * 1024
# -- issue 15 (profiler): profiles are kept whole, for the flame graph ------------------
PROFILE_TYPES = ("profile", "profile_chunk")
_MAX_PROFILE_TEXT = 8 * 1024 * 1024
"""A profile's text is kept up to this size (a 30 s profile of a busy app fits)."""
_MAX_PROFILE_CHUNKS = 20
"""Chunks read for one transaction's flame graph (its profiler's latest ones)."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS issues (
    id TEXT PRIMARY KEY, project TEXT, title TEXT, culprit TEXT, level TEXT,
    platform TEXT, first_seen REAL, last_seen REAL, count INTEGER, last_event_id TEXT
);
CREATE TABLE IF NOT EXISTS events (
    event_id TEXT PRIMARY KEY, kind TEXT, issue_id TEXT, project TEXT, received REAL,
    timestamp REAL, title TEXT, culprit TEXT, level TEXT, platform TEXT, sdk TEXT,
    environment TEXT, release TEXT, trace_id TEXT, duration_ms REAL, body TEXT
);
CREATE INDEX IF NOT EXISTS events_issue ON events (issue_id, received);
CREATE INDEX IF NOT EXISTS events_kind ON events (kind, received);
CREATE INDEX IF NOT EXISTS events_trace ON events (trace_id);
CREATE TABLE IF NOT EXISTS logs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, project TEXT, received REAL, timestamp REAL,
    level TEXT, body TEXT, trace_id TEXT, attributes TEXT
);
CREATE TABLE IF NOT EXISTS items (
    id INTEGER PRIMARY KEY AUTOINCREMENT, project TEXT, received REAL, type TEXT,
    event_id TEXT, size INTEGER, body TEXT
);
"""


class Received:
    """A summary of one stored item, for the terminal line and the live feed."""

    __slots__ = ("duplicate", "issue_id", "item_type", "level", "link", "ref", "sdk", "title")

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
    ) -> None:
        self.item_type = item_type
        self.title = title
        self.level = level
        self.ref = ref
        self.issue_id = issue_id
        self.link = link
        self.sdk = sdk
        self.duplicate = duplicate

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


def _event_id(value: Any) -> Optional[str]:
    """A 32-hex-digit id (dashes allowed, as in UUIDs), lower-cased; None otherwise."""
    if not isinstance(value, str):
        return None
    text = value.replace("-", "").lower()
    if len(text) != 32 or any(c not in "0123456789abcdef" for c in text):
        return None
    return text


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _sdk(event: Dict[str, Any]) -> str:
    sdk = event.get("sdk")
    if isinstance(sdk, dict) and sdk.get("name"):
        return f"{sdk.get('name')} {sdk.get('version') or ''}".strip()
    return ""


def _trace_id(event: Dict[str, Any]) -> Optional[str]:
    contexts = event.get("contexts")
    trace = contexts.get("trace") if isinstance(contexts, dict) else None
    if isinstance(trace, dict) and isinstance(trace.get("trace_id"), str):
        return str(trace["trace_id"])
    return None


class Store:
    def __init__(self, path: str = ":memory:") -> None:
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        if path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)
        self._writes = 0

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- writing ----------------------------------------------------------------
    def add_envelope(self, envelope: Envelope, project: Optional[str] = None) -> List[Received]:
        now = time.time()
        out: List[Received] = []
        with self._lock:
            self._db.execute("BEGIN")
            try:
                for item in envelope.items:
                    out.extend(self._add_item(envelope, item, project, now))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._writes += 1
            if self._writes % _PRUNE_EVERY == 0:
                self._prune()
        return out

    def _add_item(
        self, envelope: Envelope, item: Item, project: Optional[str], now: float
    ) -> List[Received]:
        kind = item.type
        if kind in ("event", "transaction"):
            event = item.get_json()
            if isinstance(event, dict):
                return [self._add_event(envelope, event, kind, project, now)]
        if kind == "log":
            return self._add_logs(item, project, now)
        payload = item.payload
        body: Optional[str] = None
        limit = _MAX_PROFILE_TEXT if kind in PROFILE_TYPES else _MAX_RAW_ITEM_TEXT
        if kind != "attachment" and len(payload) <= limit:
            body = payload.decode("utf-8", "replace")
        event_id = envelope.headers.get("event_id")
        self._db.execute(
            "INSERT INTO items (project, received, type, event_id, size, body)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (project, now, kind, str(event_id) if event_id else None, len(payload), body),
        )
        label = str(item.headers.get("filename") or "") if kind == "attachment" else ""
        return [Received(kind, label or f"{len(payload)} bytes", ref=str(event_id or ""))]

    def _add_event(
        self,
        envelope: Envelope,
        event: Dict[str, Any],
        kind: str,
        project: Optional[str],
        now: float,
    ) -> Received:
        event_id = _event_id(event.get("event_id")) or _event_id(envelope.headers.get("event_id"))
        event_id = event_id or uuid.uuid4().hex
        event["event_id"] = event_id
        is_error = kind == "event"
        title = grouping.title(event)
        culprit = grouping.culprit(event)
        level = str(event.get("level") or ("error" if is_error else "info"))
        timestamp = parse_timestamp(event.get("timestamp"), now)
        duration = None
        if not is_error:
            start = parse_timestamp(event.get("start_timestamp"), timestamp)
            duration = max(0.0, (timestamp - start) * 1000.0)
        issue = grouping.issue_id(event, project) if is_error else None
        platform = str(event.get("platform") or "")
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO events (event_id, kind, issue_id, project, received,"
            " timestamp, title, culprit, level, platform, sdk, environment, release, trace_id,"
            " duration_ms, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                event_id,
                "error" if is_error else "transaction",
                issue,
                project,
                now,
                timestamp,
                title,
                culprit,
                level,
                platform,
                _sdk(event),
                str(event.get("environment") or ""),
                str(event.get("release") or ""),
                _trace_id(event),
                duration,
                _dumps(event),
            ),
        )
        duplicate = cursor.rowcount == 0
        if issue is not None and not duplicate:
            self._db.execute(
                "INSERT INTO issues (id, project, title, culprit, level, platform, first_seen,"
                " last_seen, count, last_event_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?)"
                " ON CONFLICT(id) DO UPDATE SET count = count + 1, last_seen = excluded.last_seen,"
                " title = excluded.title, culprit = excluded.culprit, level = excluded.level,"
                " last_event_id = excluded.last_event_id",
                (issue, project, title, culprit, level, platform, now, now, event_id),
            )
        link = f"/events/{event_id}"
        return Received(
            kind,
            title,
            level=level,
            ref=event_id,
            issue_id=issue or "",
            link=link,
            sdk=_sdk(event),
            duplicate=duplicate,
        )

    def _add_logs(self, item: Item, project: Optional[str], now: float) -> List[Received]:
        payload = item.get_json()
        records = payload.get("items") if isinstance(payload, dict) else None
        if not isinstance(records, list):
            records = [payload] if isinstance(payload, dict) else []
        out = []
        for record in records:
            if not isinstance(record, dict):
                continue
            body = str(record.get("body") or "")
            level = str(record.get("level") or "info")
            self._db.execute(
                "INSERT INTO logs (project, received, timestamp, level, body, trace_id,"
                " attributes) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    project,
                    now,
                    parse_timestamp(record.get("timestamp"), now),
                    level,
                    body,
                    str(record.get("trace_id") or "") or None,
                    _dumps(record.get("attributes") or {}),
                ),
            )
            out.append(Received("log", body, level=level, link="/logs"))
        return out

    def _prune(self) -> None:
        for table, key, limit in (
            ("events", "received", MAX_STORED_EVENTS),
            ("logs", "id", MAX_STORED_LOGS),
            ("items", "id", MAX_STORED_ITEMS),
        ):
            row = self._db.execute(
                f"SELECT {key} FROM {table} ORDER BY {key} DESC LIMIT 1 OFFSET ?", (limit,)
            ).fetchone()
            if row is not None:
                self._db.execute(f"DELETE FROM {table} WHERE {key} <= ?", (row[0],))
        self._db.execute(
            "DELETE FROM issues WHERE id NOT IN (SELECT DISTINCT issue_id FROM events"
            " WHERE issue_id IS NOT NULL)"
        )

    def clear(self) -> None:
        with self._lock:
            for table in ("issues", "events", "logs", "items"):
                self._db.execute(f"DELETE FROM {table}")

    # -- reading ----------------------------------------------------------------
    def _rows(self, sql: str, args: tuple[Any, ...] = ()) -> List[Dict[str, Any]]:
        with self._lock:
            return [dict(row) for row in self._db.execute(sql, args).fetchall()]

    @staticmethod
    def _like(q: Optional[str]) -> Optional[str]:
        if not q or not q.strip():
            return None
        escaped = q.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return f"%{escaped}%"

    def issues(self, q: Optional[str] = None, limit: int = MAX_LIST_ROWS) -> List[Dict[str, Any]]:
        like = self._like(q)
        if like is None:
            return self._rows("SELECT * FROM issues ORDER BY last_seen DESC LIMIT ?", (limit,))
        return self._rows(
            "SELECT * FROM issues WHERE title LIKE ?1 ESCAPE '\\' OR culprit LIKE ?1 ESCAPE '\\'"
            " OR id IN (SELECT issue_id FROM events WHERE kind = 'error'"
            " AND body LIKE ?1 ESCAPE '\\') ORDER BY last_seen DESC LIMIT ?2",
            (like, limit),
        )

    def issue(self, issue_id: str) -> Optional[Dict[str, Any]]:
        rows = self._rows("SELECT * FROM issues WHERE id = ?", (issue_id,))
        return rows[0] if rows else None

    def issue_events(self, issue_id: str, limit: int = MAX_LIST_ROWS) -> List[Dict[str, Any]]:
        return self._rows(
            "SELECT event_id, received, timestamp, title, level, platform, sdk, environment,"
            " release FROM events WHERE issue_id = ? ORDER BY received DESC LIMIT ?",
            (issue_id, limit),
        )

    def event(self, event_id: str) -> Optional[Dict[str, Any]]:
        rows = self._rows(
            "SELECT * FROM events WHERE event_id = ?", (event_id.replace("-", "").lower(),)
        )
        if not rows:
            return None
        row = rows[0]
        row["body"] = json.loads(row["body"])
        return row

    def transactions(
        self, q: Optional[str] = None, limit: int = MAX_LIST_ROWS
    ) -> List[Dict[str, Any]]:
        like = self._like(q)
        cols = (
            "event_id, received, timestamp, title, level, platform, sdk, environment,"
            " trace_id, duration_ms"
        )
        if like is None:
            return self._rows(
                f"SELECT {cols} FROM events WHERE kind = 'transaction'"
                " ORDER BY received DESC LIMIT ?",
                (limit,),
            )
        return self._rows(
            f"SELECT {cols} FROM events WHERE kind = 'transaction' AND body LIKE ? ESCAPE '\\'"
            " ORDER BY received DESC LIMIT ?",
            (like, limit),
        )

    def trace_events(self, trace_id: str) -> List[Dict[str, Any]]:
        return self._rows(
            "SELECT event_id, kind, title, level, timestamp, duration_ms FROM events"
            " WHERE trace_id = ? ORDER BY timestamp LIMIT 50",
            (trace_id,),
        )

    def logs(self, q: Optional[str] = None, limit: int = MAX_LIST_ROWS) -> List[Dict[str, Any]]:
        like = self._like(q)
        if like is None:
            rows = self._rows("SELECT * FROM logs ORDER BY id DESC LIMIT ?", (limit,))
        else:
            rows = self._rows(
                "SELECT * FROM logs WHERE body LIKE ?1 ESCAPE '\\' OR attributes LIKE ?1"
                " ESCAPE '\\' ORDER BY id DESC LIMIT ?2",
                (like, limit),
            )
        for row in rows:
            row["attributes"] = json.loads(row["attributes"] or "{}")
        return rows

    def other_items(self, limit: int = MAX_LIST_ROWS) -> List[Dict[str, Any]]:
        return self._rows(
            "SELECT id, project, received, type, event_id, size, body FROM items"
            " ORDER BY id DESC LIMIT ?",
            (limit,),
        )

    # -- issue 15 (profiler): the profiles of a transaction, for its flame graph --------
    def profile_bodies(self, event_id: str) -> List[Optional[str]]:
        """``profile`` items sent in the transaction's envelope."""
        rows = self._rows(
            "SELECT body FROM items WHERE type = 'profile' AND event_id = ? ORDER BY id",
            (event_id,),
        )
        return [row["body"] for row in rows]

    def chunk_bodies(self, profiler_id: str) -> List[Optional[str]]:
        """The latest ``profile_chunk`` items of one continuous profiler."""
        rows = self._rows(
            "SELECT body FROM items WHERE type = 'profile_chunk' AND instr(body, ?) > 0"
            " ORDER BY id DESC LIMIT ?",
            (f'"profiler_id":"{profiler_id}"', _MAX_PROFILE_CHUNKS),
        )
        return [row["body"] for row in rows]

    def counts(self) -> Dict[str, int]:
        with self._lock:
            row = self._db.execute(
                "SELECT (SELECT COUNT(*) FROM issues),"
                " (SELECT COUNT(*) FROM events WHERE kind = 'error'),"
                " (SELECT COUNT(*) FROM events WHERE kind = 'transaction'),"
                " (SELECT COUNT(*) FROM logs), (SELECT COUNT(*) FROM items)"
            ).fetchone()
        return dict(zip(("issues", "errors", "transactions", "logs", "other"), row))
