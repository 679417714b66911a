"""Every limit of the SDK, in one place: sizes, depths, counts, timeouts and cache bounds.

Why one module: a limit decides what data survives (a cut string, a dropped span) or how
long the app may wait, so a reader should find all of them side by side with the reason
for each value. Modules import what they need from here; ``consts`` re-exports the ones
sentry_sdk has under its own names. Nothing here imports anything.
"""

from __future__ import annotations

# -- options' defaults (sentry_sdk 2.x values) ------------------------------------------

DEFAULT_MAX_BREADCRUMBS = 100
DEFAULT_SHUTDOWN_TIMEOUT = 2.0
"""Seconds ``close()`` and interpreter exit wait for pending envelopes."""
DEFAULT_QUEUE_SIZE = 100
"""Envelopes waiting for the sending thread (``transport_queue_size``)."""
DEFAULT_MAX_VALUE_LENGTH = 100_000
"""sentry_sdk 2.x: strings are cut at 100k characters unless max_value_length is set."""
DEFAULT_MAX_STACK_FRAMES = 100
CACHE_MAX_ENVELOPES = 10_000
"""``cache_max_envelopes``: files the outbox keeps before dropping the oldest."""
CACHE_MAX_BYTES = 64 * 1024 * 1024
"""``cache_max_bytes``: bytes the outbox keeps before dropping the oldest."""
CACHE_MAX_AGE = 7 * 24 * 3600.0
"""``cache_max_age``: seconds an outbox file may wait; ingest refuses older events."""

# -- events ---------------------------------------------------------------------------

MAX_EVENT_BYTES = 1024 * 1024
"""Ingest refuses events over 1 MiB; the serializer keeps events under this budget."""
MAX_DATABAG_DEPTH = 5
"""Nesting kept inside databags (extra, locals, request data): sentry_sdk's value."""
MAX_DATABAG_BREADTH = 10
"""Items kept per container inside databags: sentry_sdk's value."""
CONTEXT_LINES = 5
"""Source lines kept above and below each frame's line."""
MAX_SAFETY_DEPTH = 64
"""Outside databags sentry_sdk has no depth limit; we stop here to avoid RecursionError."""
MAX_SAFETY_BREADTH = 10_000
"""Outside databags sentry_sdk has no breadth limit; we stop here (spans cap at 1000)."""
MAX_SECTION_NODES = 5_000
"""Values looked at per top-level event key (and per frame's locals): shared sub-objects
(a DAG) would otherwise make a walk exponential even within depth and breadth limits."""
MAX_SECTION_TEXT = 1_000_000
"""Characters of text one frame's locals may hold in all, and of reprs one event section
(``extra``, ``breadcrumbs``...) may hold (or ``max_value_length``, if larger); past it each
further one is cut to ``MIN_TEXT``. Why: a shared container met at the depth limit in
thousands of places was repr'd (up to ``max_value_length``) at each: 800 MB of text and a
minute on the app thread for one capture. Relay takes 1 MB events."""
MIN_TEXT = 16
"""What a text is cut to once its section's text budget is spent (UTF-8 bytes)."""
MAX_REPR_DEPTH = 32
"""Containers nested deeper than this inside a repr'd value are shown as ``...``."""
MAX_REPR_ITEMS = 10_000
"""A deque or dict view with more items than this is summarised instead of repr'd."""
MAX_PLAIN_INT_DIGITS = 640
"""Ints with at most this many digits are copied as they are without a check: 640 is the
lowest int-to-text limit Python allows (``sys.set_int_max_str_digits``), so ``json.dumps``
writes them whatever the process has set. Longer ones are tried, and become
``<int of N bits>`` when the interpreter refuses to write them."""
MAX_EXCEPTION_FRAMES = 2000
"""Frames kept per exception; beyond this sentry_sdk drops the whole stacktrace."""
MAX_STACK_SECTION_NODES = 32 * MAX_EXCEPTION_FRAMES
"""Values looked at per ``exception``/``threads``/``stacktrace`` section, besides the
frames' ``vars`` (each has its own MAX_SECTION_NODES, as when it was captured). A frame
takes about 25 (its keys and source lines), so no stack trace the SDK builds is cut."""
MAX_SCRUB_ITEMS = 10_000
"""Items the scrubber looks at per container; the serializer never keeps more."""
MAX_SCRUB_DEPTH = 64
"""Nesting the scrubber looks into; the serializer keeps no deeper data outside databags."""
MAX_CACHED_VERDICTS = 4096
"""Key names whose denylist verdict is remembered per scrubber."""
MAX_SCRUB_NODES = 2 * MAX_SECTION_NODES
"""Containers looked into per section: more than the serializer ever keeps of a section,
so every value that is sent has been scrubbed; shared sub-objects cannot blow it up."""
MAX_MEASURES = 16
"""Exact re-measurements of the whole event allowed per trimming step."""

MANY_QUERY_PARAMS = 256
"""A query string with at least this many ``&`` is first searched whole for any word a
denied key must contain; below it each key is judged (their verdicts are cached)."""

# -- tracing --------------------------------------------------------------------------

MAX_SPANS_PER_TRANSACTION = 1000
"""Child spans kept per transaction (sentry_sdk's default; ``_experiments.max_spans``).
The excess is reported as lost spans with reason ``buffer_overflow``."""
MAX_CACHED_THREAD_IDENTS = 1024
"""Thread idents whose text form spans remember; apps that start many threads see new
idents over time, so the cache is cleared when full."""
MAX_WALKED_THREADS = 1024
"""Threads whose last walked stack the profiler keeps (to reuse its unchanged part)."""
MAX_CACHED_ORG_HOSTS = 16
"""DSN hosts whose org id is remembered (a process has one DSN, tests a few)."""

# -- profiling ------------------------------------------------------------------------

PROFILER_FREQUENCY = 101
"""Samples per second (sentry_sdk's value): a prime, so ticks do not fall in lockstep with
periodic work in the app (a 100 Hz timer would always see the same phase)."""
MAX_PROFILE_STACK_DEPTH = 128
"""Frames kept per sampled stack (sentry_sdk's depth). When a stack is deeper, the frames
nearest the leaf are kept: they are where the time is spent (sentry_sdk keeps the root
end and loses them)."""
MAX_PROFILE_DURATION = 30.0
"""Seconds a transaction profile may cover; ingest refuses longer ones, so sampling for
a transaction stops here and what was sampled is sent."""
PROFILE_MINIMUM_SAMPLES = 2
"""Ticks a transaction profile needs to be sent (sentry_sdk's value): with fewer, ingest
cannot compute a duration and drops it; it is counted as lost (``insufficient_data``)."""
PROFILE_CHUNK_SECONDS = 60.0
"""A continuous profile is sent as a chunk this often (sentry_sdk's buffer length);
ingest accepts chunks of up to 66 s."""
MAX_PENDING_PROFILES = 128
"""Transaction profiles that may wait for the sampler to pick them up (sentry_sdk's
bound): more starting within one tick are not profiled (and are counted as lost)."""
MAX_PROFILED_FRAMES = 10_000
"""Frame records (code object and line) the sampler remembers; the cache is reset when
full, so code generated at run time cannot grow it without bound."""
MAX_PROFILED_STACKS = 10_000
"""Distinct stacks the sampler remembers to share between ticks; reset when full."""
PROFILER_IDLE_GRACE = 1.0
"""Seconds the profiler thread keeps its rhythm (without sampling) after the last profile
ended before it sleeps until woken: back-to-back requests then never pay for waking it."""
PROFILER_JOIN_TIMEOUT = 1.0
"""Seconds ``stop_profiler``/``close`` wait for the sampling thread to end its tick."""

# -- integrations ---------------------------------------------------------------------

MAX_CHAIN_HOPS = 100
"""How far along ``__context__``/``__cause__`` we look for an already reported error."""
MAX_CACHED_ROUTES = 1024
"""Route patterns whose simplified name is remembered: an app has a fixed set of routes,
named on every traced request; past this (routes built at run time) names are computed."""
MAX_CACHED_CONNECTIONS = 256
"""Database connections (one per alias per thread) whose span data is remembered; when
full the memory is cleared, so threads that come and go cannot grow it."""
MAX_CACHED_HEADER_NAMES = 512
"""Environ keys whose header name is remembered; the same few come with every request,
and once full (a client sending made-up headers) further keys are just converted."""
MAX_SUBPROCESS_ARGS_IN_DESCRIPTION = 100
"""Longer argument lists are described by their repr instead of being joined."""
SMALL_BODY_BYTES = 1_000
"""``max_request_body_size="small"``: bodies up to this many bytes are attached."""
MEDIUM_BODY_BYTES = 10_000
"""``max_request_body_size="medium"`` (the default): bodies up to this many bytes."""

# -- transport ------------------------------------------------------------------------

CONNECT_TIMEOUT = 5.0
"""Seconds to establish a connection (a dead host should not stall the queue long)."""
READ_TIMEOUT = 30.0
"""Seconds to wait for the ingest's answer; the same total budget sentry_sdk uses."""
DEFAULT_RETRY_AFTER = 60.0
"""Seconds to back off after a 429 that does not say for how long."""
MAX_RETRY_AFTER = 24 * 3600.0
"""Clamp absurd values: a broken proxy must not silence the SDK for months."""
DEFAULT_COMPRESSION_LEVEL = 6
"""gzip level without an explicit ``transport_compression_level``. sentry_sdk uses 9;
on a 73 KB transaction (100 spans) level 6 costs half the CPU (584 against 1183 µs)
for a body 0.1% bigger (6197 against 6190 bytes)."""
COMPRESS_MIN_BYTES = 8 * 1024
"""Without an explicit ``transport_compression_level``, smaller bodies go uncompressed.

gzip costs about 30 µs of CPU for a 2 KiB transaction and saves under a kilobyte that
fits in the same TCP flight anyway (the initial window is ~14 KiB). Bigger bodies, such
as error events with stack locals, shrink by 70-80% and are compressed. The official
Ruby SDK draws the same line at 30 KiB."""
SEND_THREADS = 2
"""Requests in flight at once: the ingest's latency overlaps instead of adding up."""
SPREAD_LATENCY = 0.02
"""A batch is split between the sending threads only once requests take this long (s):
for a fast ingest, one thread sending the whole batch costs the app less (no second
thread competing for the GIL) and is barely slower. Above a local ingest's few ms, as a
request's measured time includes waiting for the GIL behind a busy app thread."""
LATENCY_SAMPLES = 3
"""Requests whose fastest gives the ingest's latency (SPREAD_LATENCY): one slow request
(a new connection, a wait for the GIL) does not start the sending pool."""
LINGER = 0.2
"""Seconds a sending thread waits for more envelopes before it starts a batch (see
worker.py for why). Error events and check-ins never wait; flush() cuts it short."""
MAX_HEAD_BYTES = 64 * 1024
"""A reply whose status line and headers exceed this is not an ingest talking."""
MAX_CACHED_HEADS = 8
"""Request heads (per header set) the sending thread keeps ready-made."""
SPOTLIGHT_QUEUE_SIZE = 100
"""Envelopes waiting for the local viewer; beyond this new copies are dropped."""
SPOTLIGHT_CONNECT_TIMEOUT = 1.0
SPOTLIGHT_READ_TIMEOUT = 5.0
SPOTLIGHT_INITIAL_BACKOFF = 1.0
SPOTLIGHT_MAX_BACKOFF = 60.0
OUTBOX_RESCAN_INTERVAL = 5.0
"""Seconds between directory scans that pick up other processes' files and lost claims."""
OUTBOX_STALE_CLAIM_AGE = 300.0
"""A claim this old is abandoned even if its owner cannot be checked (another host)."""
OUTBOX_STALE_TMP_AGE = 3600.0
"""Leftover temp files of crashed writers are removed after this long."""
MAX_CACHED_BODIES = 512
"""Bodies of envelopes this process wrote are kept in memory to skip re-reading them."""
RETRY_INITIAL = 0.5
"""First retry delay (seconds) after a network error or 5xx, doubled per failure ..."""
RETRY_MAX = 60.0
"""... up to this."""
RETRY_TRIM_BUDGET = 200 * 1024
"""After a 413, an event is trimmed to this many bytes and sent once more (an ingest may
enforce a lower limit than 1 MiB)."""
FALLBACK_TITLE_CHARS = 200
"""Length of a refused event's title kept in the fallback event that stands in for it."""
CLIENT_REPORT_INTERVAL = 30.0
"""Seconds between client reports while events flow (the official SDKs use 30-60 s)."""

SESSIONS_FOLD_AFTER = 1024
"""Ended request sessions that wait, uncounted, before the request's thread counts them
(they are counted at every flush, every ``SESSION_FLUSH_INTERVAL`` seconds)."""

LOSSES_FOLD_AFTER = 256
"""Recorded losses that wait, uncounted, before the recording thread counts them itself
(they are counted whenever the counts are read: reports, flush)."""

METADATA_HEAD_CHARS = 8192
"""Characters of a METADATA file read for the event's ``modules``: Name and Version are in
its first lines, the long description after them does not matter."""

# -- docs: Spotlight in Django --
SPOTLIGHT_PAGE_TIMEOUT = 2.0
"""Seconds a failing request under DEBUG waits for Spotlight's page before Django's own."""

# -- i16: delivery at latency, adversarial fixes --
REQUEST_DEADLINE = 30.0
"""Seconds one POST may take in all (send and reply): a reply trickled a byte at a time
never times out per read, and must not wedge a sending thread for the process's life."""
REPLY_BODY_TIMEOUT = 1.0
"""Seconds to wait for a reply's body once its head arrived. The status line and headers
decide the outcome; the body is only read to reuse the connection, so a body that stalls
or a Content-Length that lies costs this much and a reconnect, never the envelope."""
POOL_CONNECTIONS = 16
"""Most requests in flight at once against a slow ingest: throughput is one envelope per
round trip per connection (16 / 50 ms = 320 events/s). Threads and connections beyond
the first are added only while a backlog waits and the ingest is slow (SPREAD_LATENCY)."""
PIPELINE_DEPTH = 64
"""Most envelopes written back to back on one connection before their replies are read
(transport/pipelined.py): a batch of 50 waits for replies twice instead of 50 times.
Each wait costs a busy app a forced GIL switch: 64 rather than 16 took a Flask app
sending a transaction per request from 0.42-0.48 to 0.27-0.35 switches per request.
A pipeline that breaks is sent again (at most this many envelopes twice)."""
PIPELINE_BYTES = 1024 * 1024
"""Most bytes written back to back at once (a larger envelope goes on its own)."""
PIPELINE_PAUSE = 600.0
"""Seconds pipelining stays off after a pipeline broke (a reset, a timeout, a reply the
lean reader does not know): envelopes go one at a time meanwhile."""
PIPELINE_REPLY_WAIT = 5.0
"""Seconds a pipelined reply may take after the one before it. A server that read the
next requests with the first and dropped them never answers: after this the pipeline
counts as broken and the unanswered envelopes are sent again, one at a time."""
POOL_IDLE_EXIT = 10.0
"""Seconds an extra sending thread waits without work before it ends (the pool shrinks
back; its kept-alive connection stays in urllib3's pool until the ingest closes it)."""

# -- i11core: public surface -----------------------------------------------------------------

DEFAULT_FLAG_CAPACITY = 100
"""Feature-flag evaluations a scope keeps for error events (sentry_sdk's default)."""

# -- i13: logs, metrics, sessions --
LOG_BATCH_FLUSH_COUNT = 100
"""Logs waiting that wake the batcher to send them at once (sentry_sdk 2.75's figure)."""
LOG_BATCH_MAX = 1_000
"""Logs waiting beyond this are dropped and counted (queue_overflow), so memory stays bounded."""
METRIC_BATCH_FLUSH_COUNT = 1_000
"""Metrics waiting that wake the batcher to send them at once (sentry_sdk 2.75's figure)."""
METRIC_BATCH_MAX = 10_000
"""Metrics waiting beyond this are dropped and counted (queue_overflow)."""
TELEMETRY_FLUSH_INTERVAL = 5.0
"""Seconds between sends of waiting logs/metrics (plus up to 1 s jitter, as sentry_sdk)."""
SESSION_FLUSH_INTERVAL = 60.0
"""Seconds between sends of session updates and per-minute request aggregates."""
SESSION_MAX_PENDING = 100
"""Application session updates per envelope (the protocol's limit per envelope)."""
SESSION_MAX_KEPT = 1_000
"""Application session updates kept for the next flush while the transport has no room;
beyond it the oldest go to the transport at once, which drops and counts them if it
still has no room (request sessions are counts: always kept)."""

# -- i14: span streaming --
SPAN_BATCH_MAX_ITEMS = 1000
"""Spans per envelope (Relay's limit for one span item container)."""
SPAN_BATCH_FLUSH_COUNT = 1000
"""Spans of one trace that trigger sending it before the timer does."""
SPAN_BATCH_MAX_QUEUED = 2000
"""Spans of one trace held at most; more are dropped (and counted) until it is sent.
Above the flush count so spans that finish while a flush is under way are kept."""
SPAN_INCOMING_MAX = 10_000
"""Finished spans (all traces) waiting for the batcher's thread to sort them; more are
dropped and counted. Far above the per-trace limit: only a stalled thread reaches it."""
SPAN_BATCH_FLUSH_BYTES = 5 * 1024 * 1024
"""Estimated bytes of one trace's spans that trigger sending it early (memory bound)."""
SPAN_BATCH_FLUSH_INTERVAL = 5.0
"""Seconds a finished span waits at most before it is sent (sentry_sdk's interval)."""
SPAN_FRAGMENT_CACHE_MAX = 1024
"""Encoded span attributes kept for reuse (``span_item``); the cache starts over when full.
Under 0.7 MB when full of the longest values kept (measured); the attributes that
repeat are far fewer."""
SPAN_FRAGMENT_CACHE_VALUE_CHARS = 200
"""Longer text attribute values are encoded each time, not kept (ids, queries, URLs)."""
