"""The table of every ``init`` option: default, accepted type, environment variable, meaning.

One table feeds the validation in ``options.py``, ``help(sentry_lite.init)`` and the
generated ``docs/options.md``, so the three cannot disagree. Names and defaults follow
``sentry_sdk.init`` 2.75; the typed form for editors is ``init_options.InitOptions``
(a test checks that both list the same names).
"""

from __future__ import annotations

from typing import Any, Optional, Tuple

from sentry_lite.limits import (
    CACHE_MAX_AGE,
    CACHE_MAX_BYTES,
    CACHE_MAX_ENVELOPES,
    DEFAULT_MAX_BREADCRUMBS,
    DEFAULT_MAX_STACK_FRAMES,
    DEFAULT_MAX_VALUE_LENGTH,
    DEFAULT_QUEUE_SIZE,
    DEFAULT_SHUTDOWN_TIMEOUT,
)

__all__ = ["CALLABLE", "NUMBER", "OPTIONS", "OptionSpec"]

NUMBER = (int, float)
LIST = (list, tuple, set, frozenset)
STR = (str,)
BOOL = (bool,)
INT = (int,)
CALLABLE = "callable"
"""Kind of an option that takes a function."""
ANY = None
"""Kind of an option whose value is checked where it is used (or not at all)."""

NOT_YET = "accepted, no effect yet"


class OptionSpec:
    """One option. A plain slotted class rather than a NamedTuple: the first NamedTuple a
    process defines costs about 0.7 ms, a twentieth of ``import sentry_lite``."""

    __slots__ = ("default", "doc", "env", "kind", "name", "status")

    def __init__(
        self,
        name: str,
        default: Any,
        kind: Any,
        doc: str,
        env: Optional[str] = None,
        status: str = "",
    ) -> None:
        self.name = name
        self.default = default
        self.kind = kind
        """A tuple of accepted types, CALLABLE or ANY; None is always accepted."""
        self.doc = doc
        self.env = env
        self.status = status
        """Empty when the option works; else what is missing (shown in docs and warnings)."""

    def __repr__(self) -> str:
        return f"OptionSpec({self.name!r}, default={self.default!r})"


S = OptionSpec

OPTIONS: Tuple[OptionSpec, ...] = (
    # -- where and what ---------------------------------------------------------------
    S("dsn", None, ANY, "Where events go; no DSN means nothing is sent.", "SENTRY_DSN"),
    S("release", None, STR, "Version of your app; git HEAD when unset.", "SENTRY_RELEASE"),
    S("environment", None, STR, "Deployment name; 'production' when unset.", "SENTRY_ENVIRONMENT"),
    S("dist", None, STR, "Distribution (build variant) of the release."),
    S("server_name", None, STR, "Host name sent with events; the machine's when unset."),
    S(
        "debug",
        None,
        BOOL,
        "Log what the SDK does (init, each envelope, each drop).",
        "SENTRY_DEBUG",
    ),
    # -- errors -----------------------------------------------------------------------
    S("sample_rate", 1.0, NUMBER, "Share of error events sent (0..1)."),
    S("error_sampler", None, CALLABLE, "Per-event rate: (event, hint) -> float or bool."),
    S("max_breadcrumbs", DEFAULT_MAX_BREADCRUMBS, INT, "Breadcrumbs kept per scope."),
    S("attach_stacktrace", False, BOOL, "Add the current stack to message events."),
    S("ignore_errors", [], LIST, "Exception classes or names never reported."),
    S("before_send", None, CALLABLE, "Change or drop error events: (event, hint) -> event|None."),
    S(
        "before_breadcrumb",
        None,
        CALLABLE,
        "Change or drop breadcrumbs: (crumb, hint) -> crumb|None.",
    ),
    S("include_local_variables", True, BOOL, "Send frame locals with exceptions."),
    S("include_source_context", True, BOOL, "Send source lines around each frame."),
    S("in_app_include", [], LIST, "Module prefixes that count as your code."),
    S("in_app_exclude", [], LIST, "Module prefixes that never count as your code."),
    S(
        "project_root",
        None,
        STR,
        "Files under this path are in-app; the working directory when unset.",
    ),
    S("max_value_length", DEFAULT_MAX_VALUE_LENGTH, INT, "Strings longer than this are cut."),
    S(
        "max_stack_frames",
        DEFAULT_MAX_STACK_FRAMES,
        INT,
        "Frames kept per stack with add_full_stack.",
    ),
    S("add_full_stack", False, BOOL, "Add the frames above the handler to exception stacks."),
    S("custom_repr", None, CALLABLE, "repr() replacement for frame locals: obj -> str|None."),
    # -- privacy ----------------------------------------------------------------------
    S("send_default_pii", None, BOOL, "Send cookies, IPs, user data and auth headers."),
    S(
        "data_collection",
        None,
        ANY,
        "sentry_sdk's fine-grained privacy settings (user info, bodies, headers...).",
    ),
    S("event_scrubber", None, ANY, "An EventScrubber with your own denylist."),
    S("max_request_body_size", "medium", STR, "Request bodies sent: never/small/medium/always."),
    # -- hooks and integrations -------------------------------------------------------
    S("integrations", [], LIST, "Integrations to enable (instances or classes)."),
    S("default_integrations", True, BOOL, "Enable logging, excepthook, threading, stdlib..."),
    S(
        "auto_enabling_integrations",
        True,
        BOOL,
        "Enable a framework's integration when it is imported.",
    ),
    S("disabled_integrations", None, LIST, "Integrations never enabled."),
    S("functions_to_trace", [], LIST, "[{'qualified_name': 'pkg.mod.func'}]: a span per call."),
    # -- delivery ---------------------------------------------------------------------
    S("transport", None, ANY, "A Transport (instance or class) or a function taking events."),
    S("transport_queue_size", DEFAULT_QUEUE_SIZE, INT, "Envelopes waiting to be sent."),
    S(
        "shutdown_timeout",
        DEFAULT_SHUTDOWN_TIMEOUT,
        NUMBER,
        "Seconds to deliver pending envelopes at exit.",
    ),
    S("http_proxy", None, STR, "Proxy for http:// DSNs; HTTP_PROXY when unset.", "HTTP_PROXY"),
    S("https_proxy", None, STR, "Proxy for https:// DSNs; HTTPS_PROXY when unset.", "HTTPS_PROXY"),
    S("proxy_headers", None, (dict,), "Extra headers for the proxy (e.g. Proxy-Authorization)."),
    S("socket_options", None, LIST, "Socket options for connections to the ingest."),
    S(
        "keep_alive",
        None,
        BOOL,
        "TCP keep-alive on connections to the ingest; False when unset.",
        "SENTRY_KEEP_ALIVE",
    ),
    S("ca_certs", None, STR, "CA bundle to verify the ingest (certifi's when unset)."),
    S("cert_file", None, STR, "Client certificate for the ingest."),
    S("key_file", None, STR, "Key of the client certificate."),
    S("send_client_reports", True, BOOL, "Tell the ingest how many events were dropped and why."),
    S(
        "enable_backpressure_handling",
        True,
        BOOL,
        "Downsample transactions while the transport is unhealthy.",
        status=NOT_YET,
    ),
    S(
        "spotlight",
        None,
        (bool, str),
        "Also send to a local Spotlight/sentry-lite viewer.",
        "SENTRY_SPOTLIGHT",
    ),
    S(
        "_experiments",
        {},
        (dict,),
        "Experimental settings (max_spans, transport_compression_level...).",
    ),
    # -- tracing ----------------------------------------------------------------------
    S(
        "traces_sample_rate",
        None,
        NUMBER,
        "Share of transactions sent (0..1); tracing is off when unset.",
    ),
    S(
        "traces_sampler",
        None,
        CALLABLE,
        "Per-transaction rate: (sampling_context) -> float or bool.",
    ),
    S("enable_tracing", None, BOOL, "Deprecated: True means traces_sample_rate=1.0 when unset."),
    S("before_send_transaction", None, CALLABLE, "Change or drop transactions."),
    S("propagate_traces", True, BOOL, "Send sentry-trace/baggage headers on outgoing requests."),
    S("trace_propagation_targets", [".*"], LIST, "URLs (regexes) that get trace headers."),
    S("instrumenter", "sentry", STR, "Who instruments spans: 'sentry' or 'otel'."),
    S(
        "trace_ignore_status_codes",
        frozenset(),
        LIST,
        "HTTP status codes whose transactions are dropped.",
    ),
    S("strict_trace_continuation", False, BOOL, "Only continue traces of the same Sentry org."),
    S("org_id", None, STR, "Your Sentry org id, when the DSN host does not carry it."),
    S(
        "enable_db_query_source",
        True,
        BOOL,
        "Add the calling code to slow DB query spans (SQLAlchemy).",
    ),
    S(
        "db_query_source_threshold_ms",
        100,
        NUMBER,
        "What counts as a slow query (ms).",
    ),
    S(
        "enable_http_request_source",
        True,
        BOOL,
        "Add the calling code to slow outgoing HTTP spans.",
    ),
    S(
        "http_request_source_threshold_ms",
        100,
        NUMBER,
        "What counts as a slow request (ms).",
    ),
    S(
        "trace_lifecycle",
        None,
        ANY,
        "'stream' sends spans as they finish (span streaming).",
    ),
    S("ignore_spans", None, LIST, "Spans (names, ops, attributes) never sent."),
    S("before_send_span", None, CALLABLE, "Change or drop spans."),
    S(
        "stream_gen_ai_spans",
        True,
        BOOL,
        "A transaction's gen_ai.* spans are sent beside it as span items.",
    ),
    # -- profiling, logs, metrics, sessions ------------------------------------------
    S("profiles_sample_rate", None, NUMBER, "Share of sampled transactions profiled."),
    S("profiles_sampler", None, CALLABLE, "Per-transaction profiling rate."),
    S("profiler_mode", None, STR, "Profiler thread: 'thread' or 'gevent' (auto-detected)."),
    S("profile_lifecycle", "manual", STR, "Continuous profiling: 'manual' or 'trace'."),
    S("profile_session_sample_rate", None, NUMBER, "Share of processes profiled continuously."),
    S(
        "enable_logs",
        False,
        BOOL,
        "Send stdlib logging records as Sentry Logs (sentry_lite.logger always sends).",
    ),
    S("before_send_log", None, CALLABLE, "Change or drop logs."),
    S("enable_metrics", True, BOOL, "No effect, as in sentry_sdk 2.75: metrics are always sent."),
    S("before_send_metric", None, CALLABLE, "Change or drop metrics."),
    S("auto_session_tracking", True, BOOL, "Release-health sessions per web request."),
    # -- sentry-lite additions --------------------------------------------------------
    S(
        "cache_dir",
        None,
        STR,
        "Keep undelivered envelopes on disk here until sent.",
        "SENTRY_CACHE_DIR",
    ),
    S("cache_max_envelopes", CACHE_MAX_ENVELOPES, INT, "Files the outbox keeps at most."),
    S("cache_max_bytes", CACHE_MAX_BYTES, INT, "Bytes the outbox keeps at most."),
    S("cache_max_age", CACHE_MAX_AGE, NUMBER, "Seconds an outbox file may wait."),
    S(
        "on_drop",
        None,
        CALLABLE,
        "Called for every dropped envelope: (envelope, reason, category, n).",
    ),
    S(
        "transport_compression_level",
        None,
        INT,
        "gzip level (0-9); small bodies go uncompressed when unset.",
    ),
    S("w3c_traceparent", False, BOOL, "Also send a W3C traceparent header on outgoing requests."),
)
