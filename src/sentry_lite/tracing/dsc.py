"""The dynamic sampling context a trace's head writes: who we are, and how we sampled.

Built from the client's options and DSN (``environment``, ``release``, ``public_key``,
``org_id``), so it takes the client as an argument: tracing reads clients through the
``TracingClient`` interface and never imports the client module.
"""

from __future__ import annotations

import re
from typing import Dict, Optional

from sentry_lite.limits import MAX_CACHED_ORG_HOSTS
from sentry_lite.tracing.baggage import Baggage
from sentry_lite.tracing.host import TracingClient

__all__ = ["baggage_for_new_trace", "client_org_id", "head_items"]

_ORG_FROM_HOST = re.compile(r"^o(\d+)\.")
_org_by_host: Dict[str, Optional[str]] = {}


def client_org_id(client: TracingClient) -> Optional[str]:
    """The org id from the ``org_id`` option or an ``o<id>.`` DSN host."""
    org = client.options.get("org_id")
    if org:
        return str(org)
    dsn = client.parsed_dsn
    if dsn is None:
        return None
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


def head_items(
    client: TracingClient, trace_id: str, sample_rand: Optional[str] = None
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


def baggage_for_new_trace(client: TracingClient, trace_id: str) -> Baggage:
    """A DSC for a trace this process started without a transaction (tracing off)."""
    if not client.is_active():
        return Baggage({})
    items = head_items(client, trace_id)
    rate = client.options.get("traces_sample_rate")
    if rate:
        items["sample_rate"] = str(rate)
    return Baggage(items, mutable=False)
