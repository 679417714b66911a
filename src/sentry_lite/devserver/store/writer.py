"""Storing what the receiver accepted: events grouped into issues, transactions, log
records, and a row for every other item type, within a budget of bytes and rows.

Each item's JSON is parsed as it is stored and dropped right after, so one envelope
costs at most one parsed item of memory. An item whose payload was seen moments ago
(the same envelope sent to a DSN and to Spotlight) is stored once.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
import uuid
from collections import OrderedDict
from typing import Any, Dict, List, Optional

from sentry_lite.devserver import grouping
from sentry_lite.devserver.ingest import JSON_ITEMS
from sentry_lite.devserver.limits import (
    DUPLICATE_WINDOW,
    MAX_ITEM_TEXT_BYTES,
    MAX_PROFILE_BYTES,
    MAX_STORED_EVENTS,
    MAX_STORED_ITEMS,
    MAX_STORED_LOGS,
    PRUNE_TO,
)
from sentry_lite.devserver.store.schema import (
    Received,
    dumps,
    event_fields,
    normal_event_id,
    parse_timestamp,
)
from sentry_lite.envelope import Envelope, Item

__all__ = ["BadPayload", "StoreWriter"]

PROFILE_TYPES = ("profile", "profile_chunk")
_TABLE_SHARE = {"events": 0.7, "logs": 0.15, "items": 0.15}
"""How the byte budget is split, so a flood of logs cannot push out every error."""
_ROW_CAPS = {"events": MAX_STORED_EVENTS, "logs": MAX_STORED_LOGS, "items": MAX_STORED_ITEMS}


class BadPayload(ValueError):
    """An item the viewer must read as JSON is not a JSON object."""


def _parse(item: Item) -> Dict[str, Any]:
    if isinstance(item.json, dict):
        return item.json
    try:
        value = json.loads(item.payload, parse_constant=str)  # strict JSON out: NaN -> "NaN"
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise BadPayload(f"{item.type} item is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise BadPayload(f"{item.type} item must be a JSON object")
    return value


def _attribute(attributes: Any, name: str) -> str:
    value = attributes.get(name) if isinstance(attributes, dict) else None
    if isinstance(value, dict):
        value = value.get("value")
    return str(value) if value not in (None, "") else ""


class StoreWriter:
    """The writing half of :class:`~sentry_lite.devserver.store.Store`."""

    _db: sqlite3.Connection
    _lock: threading.Lock

    def _init_writer(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._recent: OrderedDict[bytes, None] = OrderedDict()
        self._sizes = {
            table: int(
                self._db.execute(f"SELECT COALESCE(SUM(size), 0) FROM {table}").fetchone()[0]
            )
            for table in _TABLE_SHARE
        }
        self._row_counts = {
            table: int(self._db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
            for table in _TABLE_SHARE
        }

    @property
    def stored_bytes(self) -> int:
        return sum(self._sizes.values())

    def add_envelope(self, envelope: Envelope, project: Optional[str] = None) -> List[Received]:
        """Store every item; all or nothing (raises :class:`BadPayload`)."""
        now = time.time()
        out: List[Received] = []
        with self._lock:
            sizes, rows, recent = dict(self._sizes), dict(self._row_counts), list(self._recent)
            self._db.execute("BEGIN")
            try:
                for item in envelope.items:
                    out.extend(self._add_item(envelope, item, project or "", now))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                self._sizes, self._row_counts = sizes, rows
                self._recent = OrderedDict.fromkeys(recent)
                raise
            self._enforce_budget()
        return out

    def _seen(self, item: Item) -> bool:
        digest = hashlib.sha1(item.type.encode() + b"\0" + item.payload).digest()
        if digest in self._recent:
            self._recent.move_to_end(digest)
            return True
        self._recent[digest] = None
        if len(self._recent) > DUPLICATE_WINDOW:
            self._recent.popitem(last=False)
        return False

    def _account(self, table: str, size: int) -> None:
        self._sizes[table] += size
        self._row_counts[table] += 1

    def _add_item(self, envelope: Envelope, item: Item, project: str, now: float) -> List[Received]:
        kind = item.type
        if kind in JSON_ITEMS:
            payload = _parse(item)  # checked even when a duplicate: refusal is all or nothing
            if self._seen(item):
                return [Received(kind, "duplicate item", duplicate=True, project=project)]
            if kind in ("event", "transaction"):
                return [self._add_event(envelope, payload, kind, project, now)]
            if kind == "log":
                return self._add_logs(payload, project, now)
        elif self._seen(item):
            return [Received(kind, "duplicate item", duplicate=True, project=project)]
        return [self._add_other(envelope, item, project, now)]

    def _add_other(self, envelope: Envelope, item: Item, project: str, now: float) -> Received:
        kind = item.type
        payload = item.payload
        keep = MAX_PROFILE_BYTES if kind in PROFILE_TYPES else MAX_ITEM_TEXT_BYTES
        body: Optional[str] = None
        if kind != "attachment" and len(payload) <= keep:
            body = payload.decode("utf-8", "replace")
        event_id = envelope.headers.get("event_id")
        stored = len(body) if body else 0
        cursor = self._db.execute(
            "INSERT INTO items (project, received, type, event_id, size, body, stored)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (project, now, kind, str(event_id) if event_id else None, len(payload), body, stored),
        )
        self._account("items", stored)
        label = str(item.headers.get("filename") or "") if kind == "attachment" else ""
        link = f"/profiles/{cursor.lastrowid}" if kind in PROFILE_TYPES and body else ""
        return Received(
            kind,
            label or f"{len(payload)} bytes",
            ref=str(event_id or ""),
            link=link,
            project=project,
            received=now,
        )

    def _add_event(
        self, envelope: Envelope, event: Dict[str, Any], kind: str, project: str, now: float
    ) -> Received:
        event_id = normal_event_id(event.get("event_id"))
        event_id = event_id or normal_event_id(envelope.headers.get("event_id"))
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
        fields = event_fields(event)
        body = dumps(event)
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO events (event_id, kind, issue_id, project, received,"
            " timestamp, title, culprit, level, platform, sdk, environment, release, trace_id,"
            " duration_ms, body, status, http_status, size)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                fields["platform"],
                fields["sdk"],
                fields["environment"],
                fields["release"],
                fields["trace_id"],
                duration,
                body,
                fields["status"],
                fields["http_status"],
                len(body),
            ),
        )
        duplicate = cursor.rowcount == 0
        if not duplicate:
            self._account("events", len(body))
        if issue is not None and not duplicate:
            self._db.execute(
                "INSERT INTO issues (id, project, title, culprit, level, platform, first_seen,"
                " last_seen, count, last_event_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?)"
                " ON CONFLICT(id) DO UPDATE SET count = count + 1, last_seen = excluded.last_seen,"
                " title = excluded.title, culprit = excluded.culprit, level = excluded.level,"
                " last_event_id = excluded.last_event_id",
                (issue, project, title, culprit, level, fields["platform"], now, now, event_id),
            )
        return Received(
            kind,
            title,
            level=level,
            ref=event_id,
            issue_id=issue or "",
            link=f"/events/{event_id}",
            sdk=fields["sdk"],
            duplicate=duplicate,
            project=project,
            release=fields["release"],
            environment=fields["environment"],
            trace_id=fields["trace_id"] or "",
            received=now,
        )

    def _add_logs(self, payload: Dict[str, Any], project: str, now: float) -> List[Received]:
        records = payload.get("items")
        if not isinstance(records, list):
            records = [payload]
        out = []
        for record in records:
            if not isinstance(record, dict):
                continue
            body = str(record.get("body") or "")
            level = str(record.get("level") or "info")
            attributes = record.get("attributes") or {}
            attributes_text = dumps(attributes)
            trace_id = str(record.get("trace_id") or "")
            release = _attribute(attributes, "sentry.release")
            environment = _attribute(attributes, "sentry.environment")
            sdk = " ".join(
                filter(
                    None, (_attribute(attributes, f"sentry.sdk.{k}") for k in ("name", "version"))
                )
            )
            size = len(body) + len(attributes_text)
            self._db.execute(
                "INSERT INTO logs (project, received, timestamp, level, body, trace_id,"
                " attributes, release, environment, sdk, size)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    project,
                    now,
                    parse_timestamp(record.get("timestamp"), now),
                    level,
                    body,
                    trace_id or None,
                    attributes_text,
                    release,
                    environment,
                    sdk,
                    size,
                ),
            )
            self._account("logs", size)
            out.append(
                Received(
                    "log",
                    body,
                    level=level,
                    link="/logs",
                    sdk=sdk,
                    project=project,
                    release=release,
                    environment=environment,
                    trace_id=trace_id,
                    received=now,
                )
            )
        return out

    # -- the budget -------------------------------------------------------------------
    def _enforce_budget(self) -> None:
        """Delete the oldest rows of any table over its share of bytes or its row cap."""
        pruned_events = False
        for table, share in _TABLE_SHARE.items():
            budget = int(self.max_bytes * share)
            cap = _ROW_CAPS[table]
            if self._sizes[table] <= budget and self._row_counts[table] <= cap:
                continue
            budget, cap = int(budget * PRUNE_TO), int(cap * PRUNE_TO)
            key = "event_id" if table == "events" else "id"
            order = "received DESC, rowid DESC" if table == "events" else "id DESC"
            # The newest rows that fit both the byte budget and the row cap are kept.
            keep = self._db.execute(
                f"SELECT COUNT(*), COALESCE(SUM(size), 0) FROM (SELECT size, SUM(size) OVER"
                f" (ORDER BY {order} ROWS UNBOUNDED PRECEDING) AS running,"
                f" ROW_NUMBER() OVER (ORDER BY {order}) AS n FROM {table})"
                " WHERE running <= ? AND n <= ?",
                (budget, cap),
            ).fetchone()
            self._db.execute(
                f"DELETE FROM {table} WHERE {key} IN (SELECT {key} FROM {table}"
                f" ORDER BY {order} LIMIT -1 OFFSET ?)",
                (int(keep[0]),),
            )
            self._row_counts[table], self._sizes[table] = int(keep[0]), int(keep[1])
            pruned_events = pruned_events or table == "events"
        if pruned_events:
            self._db.execute(
                "DELETE FROM issues WHERE id NOT IN (SELECT DISTINCT issue_id FROM events"
                " WHERE issue_id IS NOT NULL)"
            )

    def clear(self) -> None:
        with self._lock:
            for table in ("issues", "events", "logs", "items"):
                self._db.execute(f"DELETE FROM {table}")
            self._sizes = dict.fromkeys(self._sizes, 0)
            self._row_counts = dict.fromkeys(self._row_counts, 0)
            self._recent.clear()
