"""The envelope's ``trace`` header of an event: its trace's dynamic sampling context,
so that ingest samples the whole trace alike."""

from __future__ import annotations

from typing import Any, Dict, Optional

from sentry_lite.sdk_loggers import internal_logger
from sentry_lite.types import Event

__all__ = ["envelope_trace_header"]


def envelope_trace_header(client: Any, event: Event, scope: Any) -> Optional[Dict[str, Any]]:
    """The DSC for ``event`` captured by ``client`` under ``scope``, or None.

    Tracing puts the DSC into ``contexts.trace.dynamic_sampling_context``; it is moved
    out of the event here (as sentry_sdk does), since it belongs in the header only.
    """
    trace = (event.get("contexts") or {}).get("trace")
    if isinstance(trace, dict):
        carried = trace.pop("dynamic_sampling_context", None)
        if carried and isinstance(carried, dict):
            return carried
    else:
        trace = {}
    getter = getattr(scope, "dynamic_sampling_context", None)
    if getter is not None:
        try:
            dsc = getter(client)
            if dsc:
                return dsc  # type: ignore[no-any-return]
        except Exception:  # noqa: BLE001
            internal_logger.debug("sentry_lite: no DSC from scope", exc_info=True)
    trace_id = trace.get("trace_id")
    if not trace_id:
        return None
    options = client.options
    dsc = {"trace_id": trace_id, "environment": options["environment"]}
    parsed = options.parsed_dsn
    if parsed is not None:
        dsc["public_key"] = parsed.public_key
    if options["release"]:
        dsc["release"] = options["release"]
    return dsc
