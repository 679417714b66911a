"""Every ``init`` option: its default, its environment fallback and its validation.

Names and defaults follow ``sentry_sdk.init`` 2.x so existing configuration works
unchanged. Where sentry_sdk would crash on a harmless mistake (an unknown option, a value
of the wrong type), we log one warning and carry on with the default; a malformed DSN is
the exception, because silently sending nowhere is worse than failing loudly at start-up.
"""

from __future__ import annotations

import logging
import os
from typing import Any, Dict, Mapping, Optional, Tuple

from sentry_lite.dsn import Dsn
from sentry_lite.limits import (
    CACHE_MAX_AGE,
    CACHE_MAX_BYTES,
    CACHE_MAX_ENVELOPES,
    DEFAULT_MAX_BREADCRUMBS,
    DEFAULT_MAX_STACK_FRAMES,
    DEFAULT_QUEUE_SIZE,
    DEFAULT_SHUTDOWN_TIMEOUT,
)
from sentry_lite.release import default_release

logger = logging.getLogger("sentry_lite")

__all__ = ["DEFAULTS", "build_options"]

Options = Dict[str, Any]

_NUMBER = (int, float)
_LIST = (list, tuple, set, frozenset)
_STR = (str,)
_BOOL = (bool,)
_CALLABLE = "callable"
_ANY = None

# name -> (default, accepted types or "callable" or None for anything).
# A None default always passes validation.
_SPEC: Dict[str, Tuple[Any, Any]] = {
    "dsn": (None, _ANY),
    "release": (None, _STR),
    "environment": (None, _STR),
    "dist": (None, _STR),
    "server_name": (None, _STR),
    "sample_rate": (1.0, _NUMBER),
    "error_sampler": (None, _CALLABLE),
    "max_breadcrumbs": (DEFAULT_MAX_BREADCRUMBS, (int,)),
    "attach_stacktrace": (False, _BOOL),
    "send_default_pii": (None, _BOOL),
    "data_collection": (None, _ANY),
    "include_local_variables": (True, _BOOL),
    "include_source_context": (True, _BOOL),
    "in_app_include": ([], _LIST),
    "in_app_exclude": ([], _LIST),
    "project_root": (None, _STR),
    "max_value_length": (None, (int,)),
    "max_stack_frames": (DEFAULT_MAX_STACK_FRAMES, (int,)),
    "add_full_stack": (False, _BOOL),
    "custom_repr": (None, _CALLABLE),
    "before_send": (None, _CALLABLE),
    "before_send_transaction": (None, _CALLABLE),
    "before_breadcrumb": (None, _CALLABLE),
    "before_send_log": (None, _CALLABLE),
    "before_send_metric": (None, _CALLABLE),
    "before_send_span": (None, _CALLABLE),
    "ignore_errors": ([], _LIST),
    "ignore_spans": (None, _LIST),
    "integrations": ([], _LIST),
    "default_integrations": (True, _BOOL),
    "auto_enabling_integrations": (True, _BOOL),
    "disabled_integrations": (None, _LIST),
    "debug": (None, _BOOL),
    "shutdown_timeout": (DEFAULT_SHUTDOWN_TIMEOUT, _NUMBER),
    "transport": (None, _ANY),
    "transport_queue_size": (DEFAULT_QUEUE_SIZE, (int,)),
    "event_scrubber": (None, _ANY),
    "max_request_body_size": ("medium", _STR),
    "http_proxy": (None, _STR),
    "https_proxy": (None, _STR),
    "proxy_headers": (None, (dict,)),
    "socket_options": (None, _LIST),
    "keep_alive": (None, _BOOL),
    "ca_certs": (None, _STR),
    "cert_file": (None, _STR),
    "key_file": (None, _STR),
    "send_client_reports": (True, _BOOL),
    "auto_session_tracking": (True, _BOOL),
    "enable_backpressure_handling": (True, _BOOL),
    "_experiments": ({}, (dict,)),
    # tracing
    "traces_sample_rate": (None, _NUMBER),
    "traces_sampler": (None, _CALLABLE),
    "enable_tracing": (None, _BOOL),
    "trace_lifecycle": (None, _ANY),
    "propagate_traces": (True, _BOOL),
    "trace_propagation_targets": ([".*"], _LIST),
    "functions_to_trace": ([], _LIST),
    "instrumenter": ("sentry", _STR),
    "enable_db_query_source": (True, _BOOL),
    "db_query_source_threshold_ms": (100, _NUMBER),
    "enable_http_request_source": (True, _BOOL),
    "http_request_source_threshold_ms": (100, _NUMBER),
    "trace_ignore_status_codes": (frozenset(), _LIST),
    "strict_trace_continuation": (False, _BOOL),
    "org_id": (None, _STR),
    "stream_gen_ai_spans": (True, _BOOL),
    # profiling, logs, metrics (accepted; see docs for what is implemented)
    "profiles_sample_rate": (None, _NUMBER),
    "profiles_sampler": (None, _CALLABLE),
    "profiler_mode": (None, _STR),
    "profile_lifecycle": ("manual", _STR),
    "profile_session_sample_rate": (None, _NUMBER),
    "enable_logs": (False, _BOOL),
    "enable_metrics": (True, _BOOL),
    "spotlight": (None, (bool, str)),
    # sentry-lite additions
    "cache_dir": (None, _STR),
    "cache_max_envelopes": (CACHE_MAX_ENVELOPES, (int,)),
    "cache_max_bytes": (CACHE_MAX_BYTES, (int,)),
    "cache_max_age": (CACHE_MAX_AGE, _NUMBER),
    "on_drop": (None, _CALLABLE),
    "transport_compression_level": (None, (int,)),
    "w3c_traceparent": (False, _BOOL),
}

DEFAULTS: Mapping[str, Any] = {name: default for name, (default, _) in _SPEC.items()}

_TRUE = frozenset(("1", "true", "t", "yes", "y", "on"))
_FALSE = frozenset(("0", "false", "f", "no", "n", "off", ""))


def _env_flag(value: str) -> Optional[bool]:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return None


def _valid(name: str, value: Any, kind: Any) -> bool:
    if value is None or kind is None:
        return True
    if kind == _CALLABLE:
        return callable(value)
    if kind is _NUMBER:
        return isinstance(value, _NUMBER) and not isinstance(value, bool)
    if kind == (int,):
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


def _check_range(options: Options) -> None:
    for name in ("sample_rate", "traces_sample_rate", "profiles_sample_rate"):
        value = options[name]
        if value is not None and not 0.0 <= float(value) <= 1.0:
            logger.warning(
                "sentry_lite: option %s=%r is outside [0, 1]; using %r",
                name,
                value,
                DEFAULTS[name],
            )
            options[name] = DEFAULTS[name]
    if options["max_request_body_size"] not in ("never", "small", "medium", "always"):
        logger.warning(
            "sentry_lite: max_request_body_size=%r is not one of never/small/medium/always; "
            "using 'medium'",
            options["max_request_body_size"],
        )
        options["max_request_body_size"] = "medium"
    for name in ("max_breadcrumbs", "transport_queue_size", "max_stack_frames"):
        if options[name] < 0:
            logger.warning("sentry_lite: option %s must not be negative; using default", name)
            options[name] = DEFAULTS[name]


def build_options(dsn: Any = None, **kwargs: Any) -> Options:
    """Merge explicit options, environment variables and defaults into one dict."""
    options: Options = {name: _copy_default(d) for name, d in DEFAULTS.items()}
    if dsn is not None:
        kwargs["dsn"] = dsn
    for name, value in kwargs.items():
        spec = _SPEC.get(name)
        if spec is None:
            logger.warning(
                "sentry_lite: ignoring unknown option %r (not an option of sentry_sdk.init)",
                name,
            )
            continue
        if not _valid(name, value, spec[1]):
            logger.warning(
                "sentry_lite: ignoring option %s=%r: expected %s, got %s",
                name,
                value,
                _describe(spec[1]),
                type(value).__name__,
            )
            continue
        options[name] = value
    _apply_environment(options, explicit=kwargs)
    _check_range(options)
    if options["dsn"] is not None:
        dsn_value = options["dsn"]
        options["dsn"] = str(dsn_value) if isinstance(dsn_value, Dsn) else dsn_value
        if options["dsn"] == "":
            options["dsn"] = None
        else:
            Dsn(options["dsn"])  # raises BadDsn with the reason
    if options["enable_tracing"] and options["traces_sample_rate"] is None:
        options["traces_sample_rate"] = 1.0
    if options["in_app_exclude"] is not None:
        options["in_app_exclude"] = list(options["in_app_exclude"])
    options["in_app_include"] = list(options["in_app_include"] or [])
    options["ignore_errors"] = list(options["ignore_errors"] or [])
    return options


def _copy_default(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return type(value)(value)
    return value


def _describe(kind: Any) -> str:
    if kind == _CALLABLE:
        return "a callable"
    if isinstance(kind, tuple):
        return " or ".join(k.__name__ for k in kind)
    return "any value"


def _hostname() -> Optional[str]:
    """socket.gethostname() without importing socket at start-up where uname has it."""
    uname = getattr(os, "uname", None)
    if uname is not None:
        return uname().nodename or None
    import socket

    try:
        return socket.gethostname()
    except OSError:
        return None


def _apply_environment(options: Options, explicit: Mapping[str, Any]) -> None:
    env = os.environ
    if options["dsn"] is None and "dsn" not in explicit:
        options["dsn"] = env.get("SENTRY_DSN") or None
    if options["release"] is None:
        options["release"] = default_release()
    if options["environment"] is None:
        options["environment"] = env.get("SENTRY_ENVIRONMENT") or "production"
    if options["debug"] is None:
        options["debug"] = _env_flag(env.get("SENTRY_DEBUG", "")) or False
    if options["server_name"] is None:
        options["server_name"] = _hostname()
    if options["spotlight"] is None and "SENTRY_SPOTLIGHT" in env:
        raw = env["SENTRY_SPOTLIGHT"]
        flag = _env_flag(raw)
        options["spotlight"] = flag if flag is not None else raw
    if options["cache_dir"] is None and env.get("SENTRY_CACHE_DIR"):
        options["cache_dir"] = env["SENTRY_CACHE_DIR"]
    if options["project_root"] is None:
        try:
            options["project_root"] = os.getcwd()
        except OSError:
            pass
    if options["send_default_pii"] is None:
        options["send_default_pii"] = False
    if options["transport_compression_level"] is None:
        level = options["_experiments"].get("transport_compression_level")
        if isinstance(level, int):
            options["transport_compression_level"] = level
