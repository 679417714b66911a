"""Reading the receiver's store for the pages, the JSON API and ``sentry-lite tail``.

Lists take a search text ``q`` (matched anywhere in the payload) and ``filters`` on
project, release, environment and SDK; issues are counted from their events, so a
filtered list shows how often an issue happened *in that release*.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from sentry_lite.devserver.limits import MAX_FLAME_GRAPH_CHUNKS, MAX_LIST_ROWS, MAX_TRACE_ROWS
from sentry_lite.devserver.store.schema import FILTER_FIELDS

__all__ = ["Filters", "StoreReader"]

Filters = Mapping[str, str]
"""``{"release": "app@1.2", ...}``: only the keys in FILTER_FIELDS count."""

SESSION_TYPES = ("session", "sessions")
PROFILE_TYPES = ("profile", "profile_chunk")
_LISTED_ELSEWHERE = SESSION_TYPES + PROFILE_TYPES


def _like(q: Optional[str]) -> Optional[str]:
    if not q or not q.strip():
        return None
    escaped = q.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _where(
    filters: Optional[Filters], q: Optional[str], search: Sequence[str], prefix: str = ""
) -> Tuple[str, List[Any]]:
    """SQL conditions (joined with AND, starting with AND) and their arguments."""
    sql: List[str] = []
    args: List[Any] = []
    for name in FILTER_FIELDS:
        value = (filters or {}).get(name)
        if value:
            sql.append(f"{prefix}{name} = ?")
            args.append(value)
    like = _like(q)
    if like is not None and search:
        sql.append("(" + " OR ".join(f"{prefix}{c} LIKE ? ESCAPE '\\'" for c in search) + ")")
        args.extend([like] * len(search))
    return "".join(f" AND {s}" for s in sql), args


class StoreReader:
    """The reading half of :class:`~sentry_lite.devserver.store.Store`."""

    _db: sqlite3.Connection
    _lock: threading.Lock

    def _rows(self, sql: str, args: Sequence[Any] = ()) -> List[Dict[str, Any]]:
        with self._lock:
            return [dict(row) for row in self._db.execute(sql, tuple(args)).fetchall()]

    # -- issues -----------------------------------------------------------------------
    def issues(
        self,
        q: Optional[str] = None,
        filters: Optional[Filters] = None,
        limit: int = MAX_LIST_ROWS,
    ) -> List[Dict[str, Any]]:
        where, args = _where(filters, q, ("e.title", "e.culprit", "e.body"))
        return self._rows(
            "SELECT i.id, i.title, i.culprit, i.level, i.platform, COUNT(*) AS count,"
            " MIN(e.received) AS first_seen, MAX(e.received) AS last_seen,"
            " (SELECT event_id FROM events WHERE issue_id = i.id ORDER BY received DESC,"
            " rowid DESC LIMIT 1) AS last_event_id,"
            " GROUP_CONCAT(DISTINCT NULLIF(e.project, '')) AS projects,"
            " GROUP_CONCAT(DISTINCT NULLIF(e.release, '')) AS releases,"
            " GROUP_CONCAT(DISTINCT NULLIF(e.environment, '')) AS environments,"
            " GROUP_CONCAT(DISTINCT NULLIF(e.sdk, '')) AS sdks"
            " FROM events e JOIN issues i ON i.id = e.issue_id"
            f" WHERE e.kind = 'error'{where} GROUP BY i.id ORDER BY last_seen DESC LIMIT ?",
            [*args, limit],
        )

    def issue(self, issue_id: str, filters: Optional[Filters] = None) -> Optional[Dict[str, Any]]:
        where, args = _where(filters, None, (), prefix="e.")
        rows = self._rows(
            "SELECT i.id, i.title, i.culprit, i.level, i.platform, COUNT(e.event_id) AS count,"
            " MIN(e.received) AS first_seen, MAX(e.received) AS last_seen,"
            " GROUP_CONCAT(DISTINCT NULLIF(e.release, '')) AS releases,"
            " GROUP_CONCAT(DISTINCT NULLIF(e.environment, '')) AS environments"
            f" FROM issues i LEFT JOIN events e ON e.issue_id = i.id{where}"
            " WHERE i.id = ? GROUP BY i.id",
            [*args, issue_id],
        )
        return rows[0] if rows else None

    def issue_events(
        self, issue_id: str, filters: Optional[Filters] = None, limit: int = MAX_LIST_ROWS
    ) -> List[Dict[str, Any]]:
        """The issue's events, newest first."""
        where, args = _where(filters, None, ())
        return self._rows(
            "SELECT event_id, received, timestamp, title, level, platform, sdk, environment,"
            " release, project, trace_id FROM events WHERE issue_id = ?"
            f"{where} ORDER BY received DESC, rowid DESC LIMIT ?",
            [issue_id, *args, limit],
        )

    # -- events -----------------------------------------------------------------------
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
        self,
        q: Optional[str] = None,
        filters: Optional[Filters] = None,
        limit: int = MAX_LIST_ROWS,
    ) -> List[Dict[str, Any]]:
        where, args = _where(filters, q, ("title", "body"))
        return self._rows(
            "SELECT event_id, received, timestamp, title, level, platform, sdk, environment,"
            " release, project, trace_id, duration_ms, status, http_status FROM events"
            f" WHERE kind = 'transaction'{where} ORDER BY received DESC LIMIT ?",
            [*args, limit],
        )

    def facets(self, table: str = "events", kind: Optional[str] = None) -> Dict[str, List[str]]:
        """The values each filter can take in a table, for the filter menus."""
        out: Dict[str, List[str]] = {}
        condition = " AND kind = ?" if kind and table == "events" else ""
        for name in FILTER_FIELDS:
            rows = self._rows(
                f"SELECT DISTINCT {name} AS v FROM {table} WHERE {name} IS NOT NULL"
                f" AND {name} != ''{condition} ORDER BY v LIMIT 100",
                (kind,) if condition else (),
            )
            out[name] = [str(r["v"]) for r in rows]
        return out

    # -- traces and logs ----------------------------------------------------------------
    def trace_events(self, trace_id: str) -> List[Dict[str, Any]]:
        return self._rows(
            "SELECT event_id, kind, issue_id, title, level, timestamp, received, duration_ms,"
            " status, http_status, sdk, release, environment, project FROM events"
            " WHERE trace_id = ? ORDER BY timestamp LIMIT ?",
            (trace_id, MAX_TRACE_ROWS),
        )

    def logs(
        self,
        q: Optional[str] = None,
        filters: Optional[Filters] = None,
        limit: int = MAX_LIST_ROWS,
        trace_id: Optional[str] = None,
    ) -> List[Dict[str, Any]]:
        where, args = _where(filters, q, ("body", "attributes"))
        if trace_id:
            where += " AND trace_id = ?"
            args.append(trace_id)
        rows = self._rows(
            f"SELECT * FROM logs WHERE 1 = 1{where} ORDER BY id DESC LIMIT ?", [*args, limit]
        )
        for row in rows:
            row["attributes"] = json.loads(row["attributes"] or "{}")
        return rows

    # -- other items --------------------------------------------------------------------
    def items_of(self, types: Sequence[str], limit: int = MAX_LIST_ROWS) -> List[Dict[str, Any]]:
        marks = ", ".join("?" * len(types))
        return self._rows(
            "SELECT id, project, received, type, event_id, size, body FROM items"
            f" WHERE type IN ({marks}) ORDER BY id DESC LIMIT ?",
            [*types, limit],
        )

    def item(self, item_id: int) -> Optional[Dict[str, Any]]:
        rows = self._rows(
            "SELECT id, project, received, type, event_id, size, body FROM items WHERE id = ?",
            (item_id,),
        )
        return rows[0] if rows else None

    def profile_bodies(self, event_id: str) -> List[Optional[str]]:
        """``profile`` items sent in a transaction's envelope (for its flame graph)."""
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
            (f'"profiler_id":"{profiler_id}"', MAX_FLAME_GRAPH_CHUNKS),
        )
        return [row["body"] for row in rows]

    def other_items(self, limit: int = MAX_LIST_ROWS) -> List[Dict[str, Any]]:
        """Items no other page shows (client reports, attachments, check-ins...)."""
        marks = ", ".join("?" * len(_LISTED_ELSEWHERE))
        return self._rows(
            "SELECT id, project, received, type, event_id, size, body FROM items"
            f" WHERE type NOT IN ({marks}) ORDER BY id DESC LIMIT ?",
            [*_LISTED_ELSEWHERE, limit],
        )

    def counts(self) -> Dict[str, int]:
        sessions = ", ".join(f"'{t}'" for t in SESSION_TYPES)
        profiles = ", ".join(f"'{t}'" for t in PROFILE_TYPES)
        with self._lock:
            row = self._db.execute(
                "SELECT (SELECT COUNT(DISTINCT issue_id) FROM events WHERE kind = 'error'),"
                " (SELECT COUNT(*) FROM events WHERE kind = 'error'),"
                " (SELECT COUNT(*) FROM events WHERE kind = 'transaction'),"
                " (SELECT COUNT(*) FROM logs),"
                f" (SELECT COUNT(*) FROM items WHERE type IN ({sessions})),"
                f" (SELECT COUNT(*) FROM items WHERE type IN ({profiles})),"
                f" (SELECT COUNT(*) FROM items WHERE type NOT IN ({sessions}, {profiles}))"
            ).fetchone()
        names = ("issues", "errors", "transactions", "logs", "sessions", "profiles", "other")
        return dict(zip(names, row))
