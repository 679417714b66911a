"""Trace headers in and out: ``sentry-trace``, ``baggage`` (the DSC) and W3C ``traceparent``.

Reading accepts WSGI environs (``HTTP_SENTRY_TRACE``) and header mappings alike. W3C
``traceparent`` is read when no ``sentry-trace`` is present (sentry_sdk ignores it) and
written only with the ``w3c_traceparent=True`` option.
"""

from __future__ import annotations

import random
import re
from typing import TYPE_CHECKING, Any, Dict, Iterable, MutableMapping, Optional, Tuple
from urllib.parse import quote, unquote

from sentry_lite.limits import MAX_CACHED_ORG_HOSTS
from sentry_lite.tracing.context import PropagationContext

if TYPE_CHECKING:
    from sentry_lite.client import BaseClient

__all__ = [
    "BAGGAGE_HEADER_NAME",
    "SENTRY_TRACE_HEADER_NAME",
    "W3C_TRACEPARENT_HEADER_NAME",
    "Baggage",
    "add_sentry_baggage_to_headers",
    "baggage_from_options",
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
SENTRY_PREFIX = "sentry-"

_SENTRY_TRACE = re.compile(r"^[ \t]*([0-9a-fA-F]{32})?-?([0-9a-fA-F]{16})?-?([01])?[ \t]*$")
_W3C_TRACEPARENT = re.compile(
    r"^[ \t]*([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?[ \t]*$"
)
_ORG_FROM_HOST = re.compile(r"^o(\d+)\.")

TraceData = Tuple[Optional[str], Optional[str], Optional[bool]]
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
    match = _SENTRY_TRACE.match(header)
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
    match = _W3C_TRACEPARENT.match(header.strip().lower())
    if match is None:
        return None
    version, trace_id, span_id, flags = match.groups()
    if version == "ff" or trace_id == "0" * 32 or span_id == "0" * 16:
        return None
    return trace_id, span_id, bool(int(flags, 16) & 1)


def w3c_traceparent(trace_id: str, span_id: str, sampled: Optional[bool]) -> str:
    return f"00-{trace_id}-{span_id}-{'01' if sampled else '00'}"


class Baggage:
    """The W3C ``baggage`` header split into Sentry items (the DSC) and everything else.

    A baggage is *frozen* (``mutable=False``) once it carries Sentry items: the head of
    the trace decided them, and downstream services must pass them on unchanged.
    """

    __slots__ = ("mutable", "sentry_items", "third_party_items")

    def __init__(
        self, sentry_items: Dict[str, str], third_party_items: str = "", mutable: bool = True
    ) -> None:
        self.sentry_items = sentry_items
        self.third_party_items = third_party_items
        self.mutable = mutable

    @classmethod
    def from_incoming_header(cls, header: Optional[str]) -> Baggage:
        sentry_items: Dict[str, str] = {}
        third_party = []
        mutable = True
        for raw in (header or "").split(","):
            item = raw.strip()
            if "=" not in item:
                continue
            key, _, value = item.partition("=")
            key = key.strip()
            if key.startswith(SENTRY_PREFIX):
                try:
                    sentry_items[unquote(key[len(SENTRY_PREFIX) :])] = unquote(value.strip())
                except Exception:
                    continue
                mutable = False
            else:
                third_party.append(item)
        return cls(sentry_items, ",".join(third_party), mutable)

    def freeze(self) -> None:
        self.mutable = False

    def dynamic_sampling_context(self) -> Dict[str, str]:
        return dict(self.sentry_items)

    def serialize(self, include_third_party: bool = False) -> str:
        items = [
            SENTRY_PREFIX + quote(key) + "=" + quote(str(value))
            for key, value in self.sentry_items.items()
        ]
        if include_third_party and self.third_party_items:
            items.append(self.third_party_items)
        return ",".join(items)

    @staticmethod
    def strip_sentry_baggage(header: str) -> str:
        return ",".join(
            item for item in header.split(",") if not item.strip().startswith(SENTRY_PREFIX)
        )

    def sample_rand(self) -> Optional[float]:
        """The incoming ``sample_rand`` if it is a number in [0, 1)."""
        value = _to_float(self.sentry_items.get("sample_rand"))
        return value if value is not None and 0.0 <= value < 1.0 else None

    def sample_rate(self) -> Optional[float]:
        return _to_float(self.sentry_items.get("sample_rate"))

    def __repr__(self) -> str:
        return f'<Baggage "{self.serialize(include_third_party=True)}", mutable={self.mutable}>'


def _to_float(value: Any) -> Optional[float]:
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def client_org_id(client: BaseClient) -> Optional[str]:
    """The org id from the ``org_id`` option or an ``o<id>.`` DSN host."""
    org = client.options.get("org_id")
    if org:
        return str(org)
    dsn = client.parsed_dsn
    if dsn is not None:
        host = dsn.host
        try:
            return _org_by_host[host]
        except KeyError:
            pass
        match = _ORG_FROM_HOST.match(host)
        org = match.group(1) if match else None
        if len(_org_by_host) >= MAX_CACHED_ORG_HOSTS:
            _org_by_host.clear()
        _org_by_host[host] = org
        return org
    return None


_org_by_host: Dict[str, Optional[str]] = {}


def baggage_from_options(trace_id: str) -> Baggage:
    """A DSC for a trace this process started without a transaction (tracing off)."""
    from sentry_lite.scope import Scope

    client = Scope.get_client()
    if not client.is_active():
        return Baggage({})
    items = _common_items(client, trace_id)
    rate = client.options.get("traces_sample_rate")
    if rate:
        items["sample_rate"] = str(rate)
    return Baggage(items, mutable=False)


def _common_items(
    client: BaseClient, trace_id: str, sample_rand: Optional[str] = None
) -> Dict[str, str]:
    """DSC items every head SDK sends, in sentry_sdk's order."""
    options = client.options
    items = {"trace_id": trace_id}
    if sample_rand is not None:
        items["sample_rand"] = sample_rand
    if options.get("environment"):
        items["environment"] = options["environment"]
    if options.get("release"):
        items["release"] = options["release"]
    dsn = client.parsed_dsn
    if dsn is not None:
        items["public_key"] = dsn.public_key
        org = client_org_id(client)
        if org:
            items["org_id"] = org
    return items


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


def _should_continue(baggage: Optional[Baggage]) -> bool:
    """Org-id check of strict trace continuation (Sentry's SDK spec)."""
    from sentry_lite.scope import Scope

    client = Scope.get_client()
    ours = client_org_id(client)
    theirs = baggage.sentry_items.get("org_id") if baggage is not None else None
    if ours is not None and theirs is not None and ours != theirs:
        return False
    strict = client.options.get("strict_trace_continuation")
    return not (strict and (ours is None) != (theirs is None))


def propagation_context_from_headers(incoming: Any) -> PropagationContext:
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
    if not _should_continue(baggage):
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


def sample_rand_from_trace_id(trace_id: str, lower: float = 0.0, upper: float = 1.0) -> float:
    """Deterministic in [lower, upper) with 6 digits, seeded by the trace id (as sentry_sdk)."""
    low, high = int(lower * 1_000_000), int(upper * 1_000_000)
    try:
        scaled = random.Random(trace_id).randrange(low, high)
    except ValueError:
        scaled = low
    return scaled / 1_000_000


def is_sentry_url(client: BaseClient, url: str) -> bool:
    """Requests to our own ingest are never traced (no spans, no headers)."""
    dsn = client.parsed_dsn
    return dsn is not None and dsn.netloc in url


def should_propagate_trace(client: BaseClient, url: str) -> bool:
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
