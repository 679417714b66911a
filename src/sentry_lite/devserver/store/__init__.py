"""SQLite storage for what the receiver accepted.

One connection behind a lock (so ``:memory:`` works and writes never interleave); the
request threads do short transactions. What is kept is bounded in bytes and in rows
(:mod:`sentry_lite.devserver.limits`), oldest first.
"""

from __future__ import annotations

import os
import sqlite3
import threading

from sentry_lite.devserver.limits import MAX_STORED_BYTES
from sentry_lite.devserver.store.reader import Filters, StoreReader
from sentry_lite.devserver.store.schema import (
    FILTER_FIELDS,
    Received,
    create_schema,
    parse_timestamp,
)
from sentry_lite.devserver.store.writer import BadPayload, StoreWriter

__all__ = [
    "FILTER_FIELDS",
    "BadPayload",
    "Filters",
    "Received",
    "Store",
    "StoreError",
    "parse_timestamp",
]


class StoreError(Exception):
    """The database cannot be opened or created (bad path, not SQLite, read-only)."""


class Store(StoreWriter, StoreReader):
    def __init__(self, path: str = ":memory:", max_bytes: int = MAX_STORED_BYTES) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(_why(path, exc)) from None
        try:
            self._db.row_factory = sqlite3.Row
            if path != ":memory:":
                self._db.execute("PRAGMA journal_mode=WAL")
            create_schema(self._db)
            self._init_writer(max_bytes)
        except sqlite3.Error as exc:
            self._db.close()
            raise StoreError(_why(path, exc)) from None

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _why(path: str, exc: Exception) -> str:
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        return f"cannot open the database {path}: the folder {folder} does not exist"
    return f"cannot open the database {path}: {exc}"
