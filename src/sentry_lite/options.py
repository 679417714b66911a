"""The options of one ``init``, built once: validated values, the parsed DSN, predicates.

Names and defaults follow ``sentry_sdk.init`` 2.x (the table is ``option_table.py``) so
existing configuration works unchanged. Where sentry_sdk would crash on a harmless
mistake (an unknown option, a value of the wrong type), we log one warning and carry on
with the default; a malformed DSN is the exception, because silently sending nowhere is
worse than failing loudly at start-up.

:class:`Options` is still the dict sentry_sdk users read (``client.options["release"]``)
and tests change; the questions every layer asks of it ("is tracing on?", "may I send
PII?") are properties defined here once.
"""

from __future__ import annotations

import os
from typing import Any, Dict, Mapping, Optional

from sentry_lite.data_collection import resolve as resolve_data_collection
from sentry_lite.dsn import Dsn
from sentry_lite.option_table import CALLABLE, NUMBER, OPTIONS, OptionSpec
from sentry_lite.release import default_release
from sentry_lite.sdk_loggers import logger

__all__ = [
    "DEFAULTS",
    "SPECS",
    "Options",
    "build_options",
    "options_help",
    "tracing_enabled",
]

SPECS: Dict[str, OptionSpec] = {spec.name: spec for spec in OPTIONS}
DEFAULTS: Mapping[str, Any] = {spec.name: spec.default for spec in OPTIONS}

_TRUE = frozenset(("1", "true", "t", "yes", "y", "on"))
_FALSE = frozenset(("0", "false", "f", "no", "n", "off", ""))


def tracing_enabled(options: Mapping[str, Any]) -> bool:
    """Tracing is on when a rate or sampler is set and ``enable_tracing`` is not False.

    The one definition of "is tracing on"; ``Options.tracing_enabled`` and sentry_sdk's
    ``has_tracing_enabled`` are this.
    """
    return options.get("enable_tracing") is not False and (
        options.get("traces_sample_rate") is not None or options.get("traces_sampler") is not None
    )


class Options(Dict[str, Any]):
    """One ``init``'s options: sentry_sdk's options dict, plus typed views of it."""

    __slots__ = ("parsed_dsn",)

    def __init__(self, values: Mapping[str, Any], parsed_dsn: Optional[Dsn] = None) -> None:
        super().__init__(values)
        self.parsed_dsn = parsed_dsn
        """The DSN, parsed once at ``init`` (None without a DSN)."""

    # -- the predicates integrations ask -------------------------------------------
    @property
    def tracing_enabled(self) -> bool:
        return tracing_enabled(self)

    @property
    def send_default_pii(self) -> bool:
        """May personal data (cookies, IPs, users, auth headers) leave the process?"""
        return bool(self.get("send_default_pii"))

    # -- typed fields -----------------------------------------------------------------
    @property
    def dsn(self) -> Optional[str]:
        return self.get("dsn")

    @property
    def release(self) -> Optional[str]:
        return self.get("release")

    @property
    def environment(self) -> Optional[str]:
        return self.get("environment")

    @property
    def debug(self) -> bool:
        return bool(self.get("debug"))

    @property
    def sample_rate(self) -> float:
        return float(self.get("sample_rate", 1.0))

    @property
    def traces_sample_rate(self) -> Optional[float]:
        return self.get("traces_sample_rate")

    @property
    def max_breadcrumbs(self) -> int:
        return int(self.get("max_breadcrumbs", 0))

    @property
    def propagate_traces(self) -> bool:
        return bool(self.get("propagate_traces", True))

    @property
    def instrumenter(self) -> str:
        return str(self.get("instrumenter") or "sentry")


def _env_flag(value: str) -> Optional[bool]:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return None


def _valid(value: Any, kind: Any) -> bool:
    if value is None or kind is None:
        return True
    if kind == CALLABLE:
        return callable(value)
    if kind is NUMBER:
        return isinstance(value, NUMBER) and not isinstance(value, bool)
    if kind == (int,):
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


def _describe(kind: Any) -> str:
    if kind == CALLABLE:
        return "a callable"
    if isinstance(kind, tuple):
        return " or ".join(k.__name__ for k in kind)
    return "any value"


def _check_range(options: Dict[str, Any]) -> None:
    for name in (
        "sample_rate",
        "traces_sample_rate",
        "profiles_sample_rate",
        "profile_session_sample_rate",
    ):
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
        if not isinstance(options[name], int) or isinstance(options[name], bool):
            # i16: None (or a str) raised from init; sentry_sdk's default instead.
            logger.warning("sentry_lite: option %s must be an int; using default", name)
            options[name] = DEFAULTS[name]
        if options[name] < 0:
            logger.warning("sentry_lite: option %s must not be negative; using default", name)
            options[name] = DEFAULTS[name]


def _copy_default(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return type(value)(value)
    return value


def build_options(dsn: Any = None, **kwargs: Any) -> Options:
    """Merge explicit options, environment variables and defaults, once per ``init``."""
    options: Dict[str, Any] = {name: _copy_default(d) for name, d in DEFAULTS.items()}
    if dsn is not None:
        kwargs["dsn"] = dsn
    for name, value in kwargs.items():
        spec = SPECS.get(name)
        if spec is None:
            logger.warning(
                "sentry_lite: ignoring unknown option %r (not an option of sentry_sdk.init)",
                name,
            )
            continue
        if not _valid(value, spec.kind):
            logger.warning(
                "sentry_lite: ignoring option %s=%r: expected %s, got %s",
                name,
                value,
                _describe(spec.kind),
                type(value).__name__,
            )
            continue
        options[name] = value
        if spec.status and value is not None and value != spec.default:
            logger.warning(
                "sentry_lite: option %s=%r is accepted but has no effect yet (%s); "
                "see docs/options.md",
                name,
                value,
                spec.status,
            )
    options["data_collection"] = resolve_data_collection(options)  # i11data
    _apply_environment(options, explicit=kwargs)
    _check_range(options)
    parsed: Optional[Dsn] = None
    if options["dsn"] is not None:
        dsn_value = options["dsn"]
        options["dsn"] = str(dsn_value) if isinstance(dsn_value, Dsn) else dsn_value
        if options["dsn"] == "":
            options["dsn"] = None
        else:
            parsed = Dsn(options["dsn"])  # raises BadDsn with the reason
    if options["enable_tracing"] and options["traces_sample_rate"] is None:
        options["traces_sample_rate"] = 1.0
    if options["in_app_exclude"] is not None:
        options["in_app_exclude"] = list(options["in_app_exclude"])
    options["in_app_include"] = list(options["in_app_include"] or [])
    options["ignore_errors"] = list(options["ignore_errors"] or [])
    if options["max_value_length"] is None:
        options["max_value_length"] = DEFAULTS["max_value_length"]
    return Options(options, parsed)


def _hostname() -> Optional[str]:
    """socket.gethostname() without importing socket at start-up where uname has it."""
    uname = getattr(os, "uname", None)
    if uname is not None:
        return uname().nodename or None
    import socket  # only where os.uname is missing (Windows)

    try:
        return socket.gethostname()
    except OSError:
        return None


def _apply_environment(options: Dict[str, Any], explicit: Mapping[str, Any]) -> None:
    env = os.environ
    if options["dsn"] is None and "dsn" not in explicit:
        options["dsn"] = env.get("SENTRY_DSN") or None
    if options["release"] is None:
        options["release"] = default_release()
    if options["environment"] is None:
        options["environment"] = env.get("SENTRY_ENVIRONMENT") or "production"
    if options["debug"] is None:
        options["debug"] = _env_flag(env.get("SENTRY_DEBUG", "")) or False
    if options["keep_alive"] is None:
        options["keep_alive"] = _env_flag(env.get("SENTRY_KEEP_ALIVE", "")) or False
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


def _default_text(value: Any) -> str:
    if value == frozenset():
        return "frozenset()"
    return repr(value)


def options_help() -> str:
    """Every option, one line each: what ``help(sentry_lite.init)`` shows."""
    lines = []
    for spec in OPTIONS:
        line = f"    {spec.name} = {_default_text(spec.default)}: {spec.doc}"
        if spec.env:
            line += f" [env {spec.env}]"
        if spec.status:
            line += f" ({spec.status})"
        lines.append(line)
    return "\n".join(lines)
