"""Typed attributes of streamed spans, logs and metrics: normalised when set, typed
when sent (the one implementation; ``telemetry/attributes.py`` adds the global ones).

Values are normalised at ``set_attribute`` time so a span never keeps a live reference
to the caller's objects (a list the caller mutates later, an object with a costly repr),
and turned into ``{"value": ..., "type": ...}`` only on the way out, as the protocol
(https://develop.sentry.dev/sdk/telemetry/attributes/) wants.
"""

from __future__ import annotations

import math
from typing import Any, Dict, List, Mapping, Union

from sentry_lite.events.reprs import safe_repr

__all__ = [
    "AttributeValue",
    "Attributes",
    "format_attribute",
    "serialize_attribute",
    "serialize_attributes",
]

AttributeValue = Union[str, bool, float, int, List[Any]]
Attributes = Dict[str, AttributeValue]

_SCALARS = (str, bool, int, float)


def _homogeneous(values: Any) -> bool:
    first = type(values[0])
    if first not in _SCALARS:
        return False
    return all(type(v) is first for v in values)


def format_attribute(value: Any) -> AttributeValue:
    """A value the protocol can carry: scalars as they are, homogeneous lists copied,
    anything else as its (bounded, never raising) repr.

    A subclass of a scalar (an ``IntEnum``, a ``str`` mixin enum) is kept as its plain
    value: what JSON would write for it, and no live reference to the app's object.
    """
    kind = type(value)
    if kind is str or kind is bool or kind is int:
        return value  # type: ignore[no-any-return]
    if kind is float:
        return value if math.isfinite(value) else str(value)
    if isinstance(value, _SCALARS):
        try:
            if isinstance(value, str):
                return str.__str__(value)  # str(): "E.A" for a str mixin enum
            if isinstance(value, int):  # (bool cannot be subclassed)
                return int(value)
            return format_attribute(float(value))
        except Exception:  # noqa: BLE001 - a hostile subclass falls back to its repr
            return safe_repr(value)
    if isinstance(value, (list, tuple)):
        if not value:
            return []
        try:
            if _homogeneous(value):
                return list(value)
        except Exception:  # noqa: BLE001 - hostile sequences fall back to repr
            pass
    return safe_repr(value)


def serialize_attribute(value: Any) -> Dict[str, Any]:
    """The wire form of one attribute value (formatted, or whatever a hook put in)."""
    kind = type(value)
    if kind is str:
        return {"value": value, "type": "string"}
    if kind is int:
        return {"value": value, "type": "integer"}
    if kind is bool:
        return {"value": value, "type": "boolean"}
    if kind is float or isinstance(value, float):
        if math.isfinite(value):
            return {"value": value, "type": "double"}
        # Only attributes built by hand get here (set_attribute formats them): no NaN in JSON.
        return {"value": str(float(value)), "type": "string"}
    if isinstance(value, bool):
        return {"value": value, "type": "boolean"}
    if isinstance(value, int):
        return {"value": value, "type": "integer"}
    if isinstance(value, str):
        return {"value": value, "type": "string"}
    if isinstance(value, list) and (not value or _homogeneous(value)):
        return {"value": value, "type": "array"}
    return {"value": safe_repr(value), "type": "string"}


def serialize_attributes(attributes: Mapping[str, Any]) -> Dict[str, Dict[str, Any]]:
    return {str(key): serialize_attribute(value) for key, value in attributes.items()}
