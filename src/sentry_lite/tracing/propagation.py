"""Trace headers in and out: ``sentry-trace``, ``baggage`` (the DSC) and W3C ``traceparent``.

Reading accepts WSGI environs (``HTTP_SENTRY_TRACE``) and header mappings alike. W3C
``traceparent`` is read when no ``sentry-trace`` is present (sentry_sdk ignores it) and
written only with the ``w3c_traceparent=True`` option.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Dict, Iterable, MutableMapping, Optional, Tuple

from sentry_lite.tracing.baggage import Baggage
from sentry_lite.tracing.context import PropagationContext
from sentry_lite.tracing.dsc import client_org_id
from sentry_lite.tracing.host import TracingClient
from sentry_lite.tracing.ids import sample_rand_from_trace_id

if TYPE_CHECKING:  # annotations only: a typing alias costs import time
    TraceData = Tuple[Optional[str], Optional[str], Optional[bool]]

__all__ = [
    "BAGGAGE_HEADER_NAME",
    "SENTRY_TRACE_HEADER_NAME",
    "W3C_TRACEPARENT_HEADER_NAME",
    "Baggage",
    "add_sentry_baggage_to_headers",
    "is_sentry_url",
    "normalize_incoming",
    "parse_sentry_trace",
    "parse_w3c_traceparent",
    "propagation_context_from_headers",
    "should_propagate_trace",
    "w3c_traceparent",
]

SENTRY_TRACE_HEADER_NAME = "sentry-trace"
BAGGAGE_HEADER_NAME = "baggage"
W3C_TRACEPARENT_HEADER_NAME = "traceparent"

_SENTRY_TRACE = r"^[ \t]*([0-9a-fA-F]{32})?-?([0-9a-fA-F]{16})?-?([01])?[ \t]*$"
_W3C_TRACEPARENT = (
    r"^[ \t]*([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?[ \t]*$"
)
_compiled: Dict[str, re.Pattern[str]] = {}
"""The header patterns, compiled by the first incoming trace (~1 ms at import else)."""


def _pattern(source: str) -> re.Pattern[str]:
    pattern = _compiled.get(source)
    if pattern is None:
        pattern = _compiled[source] = re.compile(source)
    return pattern


"""(trace_id, parent_span_id, parent_sampled) from one incoming header."""


def parse_sentry_trace(header: Optional[str]) -> Optional[TraceData]:
    """``<trace_id>-<span_id>[-<sampled>]``; combined header values use the first."""
    if not header:
        return None
    if "," in header:
        header = next((p.strip() for p in header.split(",") if p.strip()), "")
        if not header:
            return None
    if header.startswith("00-") and header.endswith("-00"):
        header = header[3:-3]
    match = _pattern(_SENTRY_TRACE).match(header)
    if match is None:
        return None
    trace_id, span_id, sampled = match.groups()
    return (
        trace_id.lower() if trace_id else None,
        span_id.lower() if span_id else None,
        None if sampled is None else sampled != "0",
    )


def parse_w3c_traceparent(header: Optional[str]) -> Optional[TraceData]:
    """``00-<trace_id>-<span_id>-<flags>``: the sampled flag is bit 0 of flags."""
    if not header:
        return None
    match = _pattern(_W3C_TRACEPARENT).match(header.strip().lower())
    if match is None:
        return None
    version, trace_id, span_id, flags = match.groups()
    if version == "ff" or trace_id == "0" * 32 or span_id == "0" * 16:
        return None
    return trace_id, span_id, bool(int(flags, 16) & 1)


def w3c_traceparent(trace_id: str, span_id: str, sampled: Optional[bool]) -> str:
    return f"00-{trace_id}-{span_id}-{'01' if sampled else '00'}"


def normalize_incoming(incoming: Any) -> Dict[str, Any]:
    """Header names lower-cased with dashes; WSGI ``HTTP_`` prefixes removed."""
    out: Dict[str, Any] = {}
    items: Iterable[Any]
    try:
        items = incoming.items()
    except AttributeError:
        items = incoming or ()
    for key, value in items:
        if isinstance(key, bytes):
            key = key.decode("latin-1")
        if not isinstance(key, str):
            continue
        if key.startswith("HTTP_"):
            key = key[5:]
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        out[key.replace("_", "-").lower()] = value
    return out


def _should_continue(client: TracingClient, baggage: Optional[Baggage]) -> bool:
    """Org-id check of strict trace continuation (Sentry's SDK spec)."""
    ours = client_org_id(client)
    theirs = baggage.sentry_items.get("org_id") if baggage is not None else None
    if ours is not None and theirs is not None and ours != theirs:
        return False
    strict = client.options.get("strict_trace_continuation")
    return not (strict and (ours is None) != (theirs is None))


def propagation_context_from_headers(incoming: Any, client: TracingClient) -> PropagationContext:
    """The context continuing the incoming trace, or a fresh one if there is none."""
    if not incoming:
        return PropagationContext()  # the usual request: no trace to continue
    data = normalize_incoming(incoming)
    trace = parse_sentry_trace(data.get(SENTRY_TRACE_HEADER_NAME))
    if trace is None:
        trace = parse_w3c_traceparent(data.get(W3C_TRACEPARENT_HEADER_NAME))
    if trace is None:
        return PropagationContext()
    header = data.get(BAGGAGE_HEADER_NAME)
    baggage = Baggage.from_incoming_header(header) if header else None
    if not _should_continue(client, baggage):
        return PropagationContext()
    trace_id, parent_span_id, parent_sampled = trace
    context = PropagationContext(
        trace_id=trace_id, parent_span_id=parent_span_id, parent_sampled=parent_sampled
    )
    if baggage is not None:
        context.baggage = baggage
        _fill_sample_rand(context, baggage)
    return context


def _fill_sample_rand(context: PropagationContext, baggage: Baggage) -> None:
    """Backfill a missing ``sample_rand`` consistent with the parent's decision."""
    if baggage.sample_rand() is not None:
        return
    rate = baggage.sample_rate()
    lower, upper = 0.0, 1.0
    if context.parent_sampled is not None and rate is not None:
        lower, upper = (0.0, rate) if context.parent_sampled else (rate, 1.0)
    if not lower < upper:
        return
    value = sample_rand_from_trace_id(context.trace_id, lower, upper)
    baggage.sentry_items["sample_rand"] = f"{value:.6f}"


def is_sentry_url(client: TracingClient, url: str) -> bool:
    """Requests to our own ingest are never traced (no spans, no headers)."""
    dsn = client.parsed_dsn
    return dsn is not None and dsn.netloc in url


def should_propagate_trace(client: TracingClient, url: str) -> bool:
    """Whether ``url`` matches ``trace_propagation_targets`` (regex or substring)."""
    if is_sentry_url(client, url):
        return False
    targets = client.options.get("trace_propagation_targets")
    if not targets:
        return False
    for target in targets:
        if isinstance(target, str):
            if target == ".*" or target in url:
                return True
            try:
                if re.search(target, url):
                    return True
            except re.error:
                continue
        elif hasattr(target, "search") and target.search(url):
            return True
    return False


def add_sentry_baggage_to_headers(headers: MutableMapping[str, str], sentry_baggage: str) -> None:
    """Append our baggage to an existing header, replacing any Sentry items in it."""
    existing = Baggage.strip_sentry_baggage(headers.get(BAGGAGE_HEADER_NAME, ""))
    headers[BAGGAGE_HEADER_NAME] = existing + ("," if existing else "") + sentry_baggage
