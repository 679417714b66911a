"""``InitOptions``: every ``init`` option as a typed keyword, for editors and mypy.

``init(dsn=None, **options: Unpack[InitOptions])`` lets an editor complete option names
and lets ``mypy --strict`` reject ``trace_sample_rate=`` in user code, while at run time
an unknown option still only logs a warning. ``option_table.py`` holds the defaults and
meanings; a test checks that both list the same names.
"""

from __future__ import annotations

from typing import (
    AbstractSet,
    Any,
    Callable,
    Dict,
    List,
    Literal,
    Optional,
    Sequence,
    Tuple,
    TypedDict,
    Union,
)

from sentry_lite.types import Breadcrumb, BreadcrumbHint, Event, Hint, Log, Metric, SpanJSON

__all__ = ["InitOptions"]

EventHook = Callable[[Event, Hint], Optional[Event]]


class InitOptions(TypedDict, total=False):
    release: Optional[str]
    environment: Optional[str]
    dist: Optional[str]
    server_name: Optional[str]
    debug: Optional[bool]
    sample_rate: float
    error_sampler: Optional[Callable[[Event, Hint], Union[float, bool]]]
    max_breadcrumbs: int
    attach_stacktrace: bool
    ignore_errors: Sequence[Union[type, str]]
    before_send: Optional[EventHook]
    before_breadcrumb: Optional[Callable[[Breadcrumb, BreadcrumbHint], Optional[Breadcrumb]]]
    include_local_variables: Optional[bool]
    include_source_context: Optional[bool]
    in_app_include: List[str]
    in_app_exclude: List[str]
    project_root: Optional[str]
    max_value_length: Optional[int]
    max_stack_frames: Optional[int]
    add_full_stack: bool
    custom_repr: Optional[Callable[..., Optional[str]]]
    send_default_pii: Optional[bool]
    data_collection: Optional[Dict[str, Any]]
    event_scrubber: Any
    max_request_body_size: Literal["never", "small", "medium", "always"]
    integrations: Sequence[Any]
    default_integrations: bool
    auto_enabling_integrations: bool
    disabled_integrations: Optional[Sequence[Any]]
    functions_to_trace: Sequence[Dict[str, str]]
    transport: Any
    transport_queue_size: int
    shutdown_timeout: float
    http_proxy: Optional[str]
    https_proxy: Optional[str]
    proxy_headers: Optional[Dict[str, str]]
    socket_options: Optional[List[Tuple[int, int, Union[int, bytes]]]]
    keep_alive: Optional[bool]
    ca_certs: Optional[str]
    cert_file: Optional[str]
    key_file: Optional[str]
    send_client_reports: bool
    enable_backpressure_handling: bool
    spotlight: Optional[Union[bool, str]]
    _experiments: Dict[str, Any]
    traces_sample_rate: Optional[float]
    traces_sampler: Optional[Callable[[Dict[str, Any]], Union[float, int, bool]]]
    enable_tracing: Optional[bool]
    before_send_transaction: Optional[EventHook]
    propagate_traces: bool
    trace_propagation_targets: Optional[Sequence[str]]
    instrumenter: Optional[str]
    trace_ignore_status_codes: AbstractSet[int]
    strict_trace_continuation: bool
    org_id: Optional[str]
    enable_db_query_source: bool
    db_query_source_threshold_ms: int
    enable_http_request_source: bool
    http_request_source_threshold_ms: int
    trace_lifecycle: Optional[Literal["static", "stream"]]
    ignore_spans: Optional[Sequence[Any]]
    before_send_span: Optional[Callable[[SpanJSON, Hint], Optional[SpanJSON]]]
    stream_gen_ai_spans: bool
    profiles_sample_rate: Optional[float]
    profiles_sampler: Optional[Callable[[Dict[str, Any]], Union[float, int, bool]]]
    profiler_mode: Optional[str]
    profile_lifecycle: Literal["manual", "trace"]
    profile_session_sample_rate: Optional[float]
    enable_logs: bool
    before_send_log: Optional[Callable[[Log, Hint], Optional[Log]]]
    enable_metrics: bool
    before_send_metric: Optional[Callable[[Metric, Hint], Optional[Metric]]]
    auto_session_tracking: bool
    cache_dir: Optional[str]
    cache_max_envelopes: int
    cache_max_bytes: int
    cache_max_age: float
    on_drop: Optional[Callable[..., Any]]
    transport_compression_level: Optional[int]
    w3c_traceparent: bool
