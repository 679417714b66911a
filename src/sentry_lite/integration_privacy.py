"""The privacy predicate integrations ask (sentry_sdk 2.75's ``data_collection``, else
``send_default_pii``): may a category be sent, which keys and query values pass, and the
URL attributes of an outgoing request. One place, so every integration answers alike."""

from __future__ import annotations

from typing import Any, Dict, Optional

from sentry_lite import data_collection as _dc
from sentry_lite.data_collection import FILTER, OMIT, SEND
from sentry_lite.options import Options
from sentry_lite.scope import Scope

__all__ = [
    "FILTER",
    "OMIT",
    "SEND",
    "collected_key_values",
    "collected_query_string",
    "data_collection_configured",
    "may_collect",
    "may_send_query_params",
    "outgoing_url_attributes",
]


def may_collect(category: str, options: Optional[Options] = None) -> str:
    """The privacy predicate every integration asks: SEND, FILTER or OMIT.

    ``category``: ``user_info``, ``queues``, ``database_query_data``,
    ``http_bodies:incoming_request``, ... (the fields of ``data_collection``). Without
    ``data_collection`` the answer follows ``send_default_pii`` (FILTER when off).
    """
    if options is None:
        options = Scope.get_client().options
    return _dc.decision(options, category)


def may_send_query_params(options: Optional[Options] = None) -> bool:
    """May SQL statement parameters leave the process? As sentry_sdk decides it for every
    SQL integration: ``data_collection``'s ``database_query_data`` when the user set
    ``data_collection``, else ``_experiments={"record_sql_params": True}`` (off by default)."""
    if options is None:
        options = Scope.get_client().options
    if _dc.provided_by_user(options):
        return _dc.decision(options, "database_query_data") == SEND
    experiments = options.get("_experiments")
    return isinstance(experiments, dict) and bool(experiments.get("record_sql_params"))


def data_collection_configured(options: Optional[Options] = None) -> bool:
    """Did the user set ``data_collection``? (Then it, not ``send_default_pii``, decides.)"""
    if options is None:
        options = Scope.get_client().options
    return _dc.provided_by_user(options)


def collected_key_values(
    category: str, items: Dict[Any, Any], options: Optional[Options] = None
) -> Dict[Any, Any]:
    """``items`` (cookies, ``http_headers.request``, ``url_query_params``) as the
    configured ``data_collection`` mode lets them through: withheld values ``[Filtered]``,
    everything dropped for ``off``. Only meaningful when ``data_collection_configured``."""
    if options is None:
        options = Scope.get_client().options
    resolved = options.get("data_collection") or {}
    behaviour: Any = resolved
    for part in category.split("."):
        behaviour = behaviour.get(part) if isinstance(behaviour, dict) else None
    return _dc.filter_key_values(items, behaviour if isinstance(behaviour, dict) else {})


def collected_query_string(query: str, options: Optional[Options] = None) -> Optional[str]:
    """A query string filtered by ``url_query_params`` and re-encoded, or None if empty."""
    if options is None:
        options = Scope.get_client().options
    resolved = options.get("data_collection") or {}
    behaviour = resolved.get("url_query_params") if isinstance(resolved, dict) else None
    return _dc.filter_query_string(query, behaviour if isinstance(behaviour, dict) else {})


def outgoing_url_attributes(
    url: str, query: str, fragment: str, options: Optional[Options] = None
) -> Dict[str, Any]:
    """``url.full``/``url.query``/``url.fragment`` of an outgoing request, as sentry_sdk
    sends them in streaming mode: only when ``data_collection`` (its query filter
    applied) or ``send_default_pii`` allows the URL at all; ``url`` without query or
    fragment."""
    if options is None:
        options = Scope.get_client().options
    if _dc.provided_by_user(options):
        kept = collected_query_string(query, options) if query else None
    elif options.send_default_pii:
        kept = query
    else:
        return {}
    attributes: Dict[str, Any] = {}
    full = url
    if kept:
        attributes["url.query"] = kept
        full += "?" + kept
    if fragment:
        attributes["url.fragment"] = fragment
        full += "#" + fragment
    attributes["url.full"] = full
    return attributes
