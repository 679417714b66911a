"""Trace metrics: ``sentry_lite.metrics.count/gauge/distribution`` as in sentry_sdk 2.75.

Each call becomes one ``trace_metric`` record (name, type, value, unit, attributes, the
trace and span it happened in), batched and sent in the background.
"""

from __future__ import annotations

import time
from typing import Any, Dict, Optional

from sentry_lite import shortcuts
from sentry_lite.scope.model import Scope
from sentry_lite.scope.telemetry import scope_snapshot
from sentry_lite.sdk_loggers import internal_logger
from sentry_lite.telemetry.log_records import is_plain
from sentry_lite.tracing.attributes import format_attribute

__all__ = ["count", "distribution", "gauge"]


def capture_metric(
    name: str,
    metric_type: str,
    value: float,
    unit: Optional[str] = None,
    attributes: Optional[Dict[str, Any]] = None,
) -> None:
    """Record one metric on the active client; never raises into the app."""
    client = Scope.get_client()
    telemetry = getattr(client, "telemetry", None)
    if telemetry is None or not client.is_active():
        return
    try:
        trace_id, span_id, extra = scope_snapshot(telemetry.send_pii)
        if (
            extra is None
            and telemetry.before_send_metric is None
            and shortcuts.enabled
            and is_plain(attributes)
        ):  # the common call: kept as a tuple, made a record when its batch goes out
            pairs = tuple(attributes.items()) if attributes else ()
            telemetry.metrics.add(
                (time.time(), trace_id, span_id, name, metric_type, float(value), unit, pairs)
            )
            return
        if not attributes:
            attrs: Dict[str, Any] = {}
        elif shortcuts.enabled and is_plain(attributes):
            attrs = dict(attributes)  # what format_attribute keeps of plain values
        else:
            attrs = {k: format_attribute(v) for k, v in attributes.items()}
        if extra:
            for key, item in extra.items():
                if key not in attrs:
                    attrs[key] = item
        record = {
            "timestamp": time.time(),
            "trace_id": trace_id,
            "span_id": span_id,
            "name": name,
            "type": metric_type,
            "value": float(value),
            "unit": unit,
            "attributes": attrs,
        }
        if telemetry.before_send_metric is None:
            telemetry.metrics.add(record)  # no hook to run: straight to the batcher
        else:
            telemetry.capture_metric(record)
    except Exception:  # noqa: BLE001
        internal_logger.debug("sentry_lite: could not record a metric", exc_info=True)


def count(
    name: str,
    value: float,
    unit: Optional[str] = None,
    attributes: Optional[Dict[str, Any]] = None,
) -> None:
    capture_metric(name, "counter", value, unit, attributes)


def gauge(
    name: str,
    value: float,
    unit: Optional[str] = None,
    attributes: Optional[Dict[str, Any]] = None,
) -> None:
    capture_metric(name, "gauge", value, unit, attributes)


def distribution(
    name: str,
    value: float,
    unit: Optional[str] = None,
    attributes: Optional[Dict[str, Any]] = None,
) -> None:
    capture_metric(name, "distribution", value, unit, attributes)
