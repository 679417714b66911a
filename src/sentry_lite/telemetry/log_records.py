"""Building a log record (sentry_sdk's shape) from a ``sentry_lite.logger`` call.

One builder for both paths: the app thread runs it at once when a value needs its repr
taken now (objects, lists) or a ``before_send_log`` hook must see the record; otherwise
the call is kept as a tuple of immutable values and the batcher's thread builds the
record when the batch goes out, which is where most of a log's cost moves off the app.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Mapping, Optional, Tuple

from sentry_lite.tracing.attributes import format_attribute

__all__ = [
    "LaterLog",
    "PendingLog",
    "PendingMetric",
    "build_log",
    "is_plain",
    "metric_record",
    "record_of",
]

PendingLog = Tuple[
    str, int, str, Dict[str, Any], Optional[Dict[str, Any]], int, Any, Any, Optional[Dict[str, Any]]
]
"""(severity text, number, template, kwargs, attributes, time_unix_nano, trace id,
span id, scope attributes): a log call whose record is not built yet."""

PendingMetric = Tuple[float, Any, Any, str, str, float, Optional[str], Tuple[Tuple[str, Any], ...]]
"""(timestamp, trace id, span id, name, type, value, unit, attributes as pairs): a metric
whose attributes are plain scalars, kept as a tuple of immutables until its batch goes
out. Unlike a dict, such a tuple leaves the garbage collector's lists (it cannot be in a
cycle), so a thousand waiting metrics do not slow every collection of the app."""

_PLAIN = frozenset((str, int, bool))


def is_plain(values: Optional[Mapping[str, Any]]) -> bool:
    """Only immutable scalars (no floats: NaN/inf are turned into text by the builder,
    which is cheap but keeps this test to one set lookup per value)."""
    if values:
        for value in values.values():
            if type(value) not in _PLAIN:
                return False
    return True


class _KeepMissing(Dict[str, Any]):
    """Placeholders without a parameter stay in the body as written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def build_log(
    severity_text: str,
    severity_number: int,
    template: str,
    kwargs: Mapping[str, Any],
    provided: Optional[Mapping[str, Any]],
    time_unix_nano: int,
    trace_id: Any = None,
    span_id: Any = None,
    scope_attributes: Optional[Mapping[str, Any]] = None,
) -> Dict[str, Any]:
    attributes: Dict[str, Any] = {}
    if provided:
        for key, value in provided.items():
            attributes[key] = format_attribute(value)
    body = template
    if kwargs:
        for key, value in kwargs.items():
            attributes["sentry.message.parameter." + key] = format_attribute(value)
        attributes["sentry.message.template"] = format_attribute(template)
        try:
            body = template.format_map(_KeepMissing(kwargs))
        except Exception:  # noqa: BLE001 - a bad template is sent as written
            body = template
    if scope_attributes:
        for key, value in scope_attributes.items():
            if key not in attributes:
                attributes[key] = value
    return {
        "severity_text": severity_text,
        "severity_number": severity_number,
        "attributes": attributes,
        "body": body,
        "time_unix_nano": time_unix_nano,
        "trace_id": trace_id,
        "span_id": span_id,
    }


class LaterLog:
    """A log an integration builds later (stdlib records with plain arguments): the
    builder, and the trace and scope attributes taken when the log happened."""

    __slots__ = ("build", "extra", "span_id", "trace_id")

    def __init__(
        self,
        build: Callable[[], Dict[str, Any]],
        trace_id: Any,
        span_id: Any,
        extra: Optional[Dict[str, Any]],
    ) -> None:
        self.build = build
        self.trace_id = trace_id
        self.span_id = span_id
        self.extra = extra

    def record(self) -> Dict[str, Any]:
        record = self.build()
        if record.get("trace_id") is None:
            record["trace_id"] = self.trace_id
        if record.get("span_id") is None:
            record["span_id"] = self.span_id
        if self.extra:
            attributes = record["attributes"]
            for key, value in self.extra.items():
                if key not in attributes:
                    attributes[key] = value
        return record


def record_of(record: Any) -> Dict[str, Any]:
    """A batcher's entry as a record: built now if it was kept as a pending call."""
    if isinstance(record, tuple):
        return build_log(*record)
    if isinstance(record, LaterLog):
        return record.record()
    return record  # type: ignore[no-any-return]


def metric_record(pending: PendingMetric) -> Dict[str, Any]:
    """The record (sentry_sdk's shape) of a metric kept as a :data:`PendingMetric`."""
    timestamp, trace_id, span_id, name, metric_type, value, unit, pairs = pending
    return {
        "timestamp": timestamp,
        "trace_id": trace_id,
        "span_id": span_id,
        "name": name,
        "type": metric_type,
        "value": value,
        "unit": unit,
        "attributes": dict(pairs),
    }
