"""A local Sentry-protocol receiver with a web viewer: ``sentry-lite serve``.

Pure standard library (http.server threads, sqlite3, zlib), so it runs wherever the
SDK does, and any Sentry SDK can send to it.
"""

from sentry_lite.devserver.server import DEFAULT_HOST, DEFAULT_PORT, DevServer, format_line
from sentry_lite.devserver.store import Received, Store, StoreError

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "DevServer",
    "Received",
    "Store",
    "StoreError",
    "format_line",
]
