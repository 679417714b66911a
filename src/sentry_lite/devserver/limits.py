"""Every limit of the local receiver and viewer, in one place, with the reason for each.

The receiver takes data from anything that can reach its port, so what one request may
cost (memory, time, disk) and what one page may cost to render are bounded here. The
SDK's own limits live in :mod:`sentry_lite.limits`; these are the receiver's.
"""

from __future__ import annotations

MiB = 1024 * 1024

# -- one request ------------------------------------------------------------------------

MAX_BODY_BYTES = 20 * MiB
"""Largest request body, as sent and again after decompression (``--max-body-mb``):
Relay's limit for one upload is of this order, and a zip bomb stops here."""
MAX_DRAIN_BYTES = 64 * MiB
"""A refused body up to this size is read and dropped, so the client sees the 413
instead of a broken pipe; beyond it the connection is simply closed."""
MAX_JSON_ITEM_BYTES = 1 * MiB
"""An event, transaction, log batch, session... item larger than this is refused with
413, as Relay refuses events over 1 MiB: what sentry.io would drop is not shown here."""
MAX_ENVELOPE_ITEMS = 1000
"""Items in one envelope: SDKs send a handful; thousands of tiny items would each cost
a row and a terminal line."""
READ_CHUNK_BYTES = 64 * 1024
"""Bytes read from the socket (and fed to a decompressor) at a time."""
MAX_CHUNK_LINE = 1024
"""Longest chunk-size line of a chunked body."""
REQUEST_TIMEOUT = 30.0
"""Seconds a client may stall mid-request before its thread gives up on it."""

# -- storage ----------------------------------------------------------------------------

MAX_STORED_BYTES = 256 * MiB
"""Bytes of stored payloads (events, logs, other items) kept in all (``--max-store-mb``);
oldest first beyond it. Rows are counted too, below, but bytes are what fill a disk."""
PRUNE_TO = 0.9
"""Share of a bound a table is pruned down to once over it, so a receiver at its limit
does not prune (a query over the whole table) on every envelope."""
MAX_STORED_EVENTS = 10_000
"""Events and transactions kept; older ones are deleted first."""
MAX_STORED_LOGS = 50_000
"""Log records kept."""
MAX_STORED_ITEMS = 5_000
"""Rows kept for item types the viewer only lists (sessions, client reports, ...)."""
MAX_ITEM_TEXT_BYTES = 64 * 1024
"""Payload kept of a listed item (a session, a client report...); larger ones keep
their size only."""
MAX_PROFILE_BYTES = 8 * MiB
"""Payload kept of a profile item, so a profile page can draw it (a 30 s profile of a
busy app fits); larger ones keep their size only."""
MAX_FLAME_GRAPH_CHUNKS = 20
"""Continuous-profile chunks read for one transaction's flame graph (its profiler's latest)."""
MAX_LIST_ROWS = 500
"""Rows one list page or JSON list answers with."""
MAX_TRACE_ROWS = 200
"""Events, transactions and logs shown for one trace."""
DUPLICATE_WINDOW = 2048
"""Recent item payload digests remembered: an app whose SDK sends both to a DSN and to
Spotlight on this same receiver (``sentry-lite run``) has each item stored once."""

# -- rendering --------------------------------------------------------------------------

MAX_RENDERED_JSON = 200_000
"""Characters of pretty-printed JSON shown for one value (the raw event) before a cut."""
MAX_RENDERED_STRING = 10_000
"""Characters of one string value shown before a cut."""
MAX_RENDERED_NODES = 5_000
"""Values (dict entries, list items) drawn per page section before "… more" is shown."""
MAX_RENDERED_DEPTH = 12
"""Nesting drawn for one value."""
MAX_RENDERED_FRAMES = 250
"""Stack frames drawn per stack trace; the ones nearest the crash are kept."""
MAX_CONTEXT_LINES = 50
"""Source lines drawn above and below a frame's line."""
MAX_RENDERED_ROWS = 500
"""Breadcrumbs, table rows or spans drawn per section."""
MAX_RENDERED_SPANS = 2000
"""Spans drawn in one waterfall."""

# -- live feeds -------------------------------------------------------------------------

MAX_LISTENERS = 32
"""Concurrent Server-Sent Events connections; each holds one server thread."""
LISTENER_QUEUE = 256
"""Messages waiting per live listener; a slow one loses messages, never slows ingest."""
SSE_PING_SECONDS = 15.0
"""Seconds of silence after which a comment line keeps a live connection open."""
SSE_POLL_SECONDS = 0.5
"""How often a live connection checks whether the server is stopping."""
SHUTDOWN_POLL_SECONDS = 0.1
"""How often the serving loop checks for shutdown."""
