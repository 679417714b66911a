"""The ``data_collection`` option: sentry_sdk 2.75's per-category privacy settings.

Why one module: every integration asks the same two questions ("may I send this
category?" and "which of these keys/values may I send?"); the answers come from the
option resolved once at ``init``, so a setting changes behaviour everywhere alike.

Resolution (as sentry_sdk): ``data_collection`` (or ``_experiments["data_collection"]``)
set -> it wins, omitted fields take the spec defaults (collect); otherwise a resolved
setting mirroring ``send_default_pii`` (``provided_by_user`` False) keeps the legacy
behaviour. Invalid values warn and fall back to the defaults (project policy) instead of
raising.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any, Dict, List, Optional

from sentry_lite.sdk_loggers import logger

__all__ = [
    "FILTER",
    "FILTERED",
    "OMIT",
    "SEND",
    "decision",
    "filter_key_values",
    "filter_query_string",
    "is_sensitive_key",
    "provided_by_user",
    "resolve",
]


FILTERED = "[Filtered]"
"""The text that replaces a withheld value (sentry_sdk's SENSITIVE_DATA_SUBSTITUTE)."""

SEND = "send"
"""Send the value itself."""
FILTER = "filter"
"""Send ``[Filtered]`` in its place (the legacy ``send_default_pii=False`` answer)."""
OMIT = "omit"
"""Leave the field out (``data_collection`` switched the category off)."""

ALL_HTTP_BODY_TYPES = ("incoming_request", "outgoing_request", "outgoing_response")
"""What ``http_bodies`` collects when omitted; ``[]`` is the explicit opt-out."""
DEFAULT_FRAME_CONTEXT_LINES = 5
"""Source lines around a frame when ``frame_context_lines`` is omitted."""
KEY_VALUE_MODES = ("off", "denylist", "allowlist")
"""How cookies, headers and query parameters are collected."""
SENSITIVE_TERMS = (
    "auth",
    "token",
    "secret",
    "password",
    "passwd",
    "pwd",
    "key",
    "jwt",
    "bearer",
    "sso",
    "saml",
    "csrf",
    "xsrf",
    "credentials",
    "session",
    "sid",
    "identity",
)
"""Keys containing one of these (any case) are always ``[Filtered]``, whatever the mode."""
LEGACY_NO_PII_TERMS = ("forwarded", "-ip", "remote-", "via", "-user")
"""Extra deny terms of the setting derived from ``send_default_pii=False``."""


def is_sensitive_key(key: str, extra_terms: Optional[List[str]] = None) -> bool:
    lowered = key.lower()
    if any(term in lowered for term in SENSITIVE_TERMS):
        return True
    return any(term and str(term).lower() in lowered for term in extra_terms or ())


def filter_key_values(items: Mapping[Any, Any], behaviour: Mapping[str, Any]) -> Dict[Any, Any]:
    """The items a key/value behaviour lets through; withheld values become ``[Filtered]``."""
    mode = behaviour.get("mode", "denylist")
    if mode == "off":
        return {}
    terms = list(behaviour.get("terms") or ())
    out: Dict[Any, Any] = {}
    if mode == "allowlist":
        for key, value in items.items():
            allowed = False
            if isinstance(key, str):
                lowered = key.lower()
                allowed = any(t and str(t).lower() in lowered for t in terms)
            out[key] = value if allowed and not is_sensitive_key(key) else FILTERED
        return out
    for key, value in items.items():
        denied = isinstance(key, str) and is_sensitive_key(key, terms)
        out[key] = FILTERED if denied else value
    return out


def filter_query_string(query: str, behaviour: Mapping[str, Any]) -> Optional[str]:
    """A query string filtered and re-encoded (``[Filtered]`` as ``%5BFiltered%5D``), or None."""
    from urllib.parse import parse_qs, urlencode  # on the first request with a query

    filtered = filter_key_values(parse_qs(query, keep_blank_values=True), behaviour)
    return urlencode(filtered, doseq=True) if filtered else None


def _key_values(value: Any, name: str) -> Dict[str, Any]:
    if not isinstance(value, Mapping):
        if value is not None:
            _invalid(name, value)
        return {"mode": "denylist"}
    mode = value.get("mode", "denylist")
    if mode not in KEY_VALUE_MODES:
        _invalid(name + ".mode", mode)
        mode = "denylist"
    out: Dict[str, Any] = {"mode": mode}
    terms = value.get("terms")
    if terms is not None:
        try:
            out["terms"] = [str(t) for t in terms]
        except TypeError:
            _invalid(name + ".terms", terms)
    return out


def _invalid(name: str, value: Any) -> None:
    logger.warning(
        "sentry_lite: ignoring data_collection %s=%r (invalid); using the default", name, value
    )


def _pair(value: Any, first: str, second: str) -> Dict[str, bool]:
    value = value if isinstance(value, Mapping) else {}
    return {first: bool(value.get(first, True)), second: bool(value.get(second, True))}


def _explicit(given: Mapping[str, Any]) -> Dict[str, Any]:
    lines = given.get("frame_context_lines")
    if lines is None:
        lines = DEFAULT_FRAME_CONTEXT_LINES
    elif isinstance(lines, bool):
        lines = DEFAULT_FRAME_CONTEXT_LINES if lines else 0
    elif not isinstance(lines, int) or lines < 0:
        _invalid("frame_context_lines", lines)
        lines = DEFAULT_FRAME_CONTEXT_LINES
    frame_vars = given.get("stack_frame_variables", True)
    bodies = given.get("http_bodies")
    headers = given.get("http_headers")
    return {
        "provided_by_user": True,
        "user_info": bool(given.get("user_info", True)),
        "cookies": _key_values(given.get("cookies"), "cookies"),
        "http_headers": {
            "request": _key_values(
                headers.get("request") if isinstance(headers, Mapping) else None,
                "http_headers.request",
            )
        },
        "http_bodies": list(ALL_HTTP_BODY_TYPES) if bodies is None else list(bodies),
        "url_query_params": _key_values(given.get("url_query_params"), "url_query_params"),
        "graphql": _pair(given.get("graphql"), "document", "variables"),
        "gen_ai": _pair(given.get("gen_ai"), "inputs", "outputs"),
        "database_query_data": bool(given.get("database_query_data", True)),
        "queues": bool(given.get("queues", True)),
        "stack_frame_variables": (
            _key_values(frame_vars, "stack_frame_variables")
            if isinstance(frame_vars, Mapping)
            else bool(frame_vars)
        ),
        "frame_context_lines": lines,
    }


def _from_send_default_pii(
    pii: bool, local_variables: bool, source_context: bool
) -> Dict[str, Any]:
    terms = [] if pii else list(LEGACY_NO_PII_TERMS)
    return {
        "provided_by_user": False,
        "user_info": pii,
        "cookies": {"mode": "denylist", "terms": terms},
        "http_headers": {"request": {"mode": "denylist", "terms": terms}},
        "http_bodies": list(ALL_HTTP_BODY_TYPES),
        "url_query_params": {"mode": "denylist", "terms": terms},
        "graphql": {"document": pii, "variables": pii},
        "gen_ai": {"inputs": pii, "outputs": pii},
        "database_query_data": pii,
        "queues": pii,
        "stack_frame_variables": local_variables,
        "frame_context_lines": DEFAULT_FRAME_CONTEXT_LINES if source_context else 0,
    }


def resolve(options: Mapping[str, Any]) -> Dict[str, Any]:
    """The fully resolved setting for one ``init`` (call once, before defaults fill pii)."""
    given = options.get("data_collection")
    if given is None:
        experiments = options.get("_experiments")
        if isinstance(experiments, Mapping):
            given = experiments.get("data_collection")
    pii = options.get("send_default_pii")
    if pii is not None:
        warnings.warn(
            "The send_default_pii option is deprecated. Use data_collection instead. See "
            "https://docs.sentry.io/platforms/python/data-management/data-collected/",
            DeprecationWarning,
            stacklevel=4,
        )
    if given is not None:
        if isinstance(given, Mapping):
            if pii is not None:
                warnings.warn(
                    "`send_default_pii` is deprecated and ignored when `data_collection` is set.",
                    DeprecationWarning,
                    stacklevel=4,
                )
            return _explicit(given)
        _invalid("", given)
    return _from_send_default_pii(
        bool(pii),
        options.get("include_local_variables") is not False,
        options.get("include_source_context") is not False,
    )


def provided_by_user(options: Mapping[str, Any]) -> bool:
    resolved = options.get("data_collection")
    return isinstance(resolved, Mapping) and bool(resolved.get("provided_by_user"))


def decision(options: Mapping[str, Any], category: str) -> str:
    """The privacy predicate: SEND, FILTER or OMIT for a boolean category.

    ``category`` is a field of the resolved setting (``user_info``, ``queues``,
    ``database_query_data``, ...) or ``http_bodies:<kind>``. Collected -> SEND; not
    collected -> OMIT when the user configured ``data_collection``, else FILTER (the
    ``[Filtered]`` placeholder sentry_sdk sends without ``send_default_pii``).
    """
    resolved = options.get("data_collection")
    if not isinstance(resolved, Mapping):
        resolved = resolve(options)
    name, _, kind = category.partition(":")
    value = resolved.get(name)
    collected = kind in value if kind and isinstance(value, list) else bool(value)
    if collected:
        return SEND
    return OMIT if resolved.get("provided_by_user") else FILTER
