"""Attribute values of logs and metrics: what is kept from the app's value, and its wire form.

https://develop.sentry.dev/sdk/telemetry/attributes/ -- a value is a bool, int, float,
string or a list of one of those; anything else is kept as its repr, taken at call time
so no live reference to an app object is held.
"""

from __future__ import annotations

import math
import platform
import sys
from typing import Any, Dict, Mapping

from sentry_lite.consts import SDK_NAME, VERSION
from sentry_lite.events.reprs import safe_repr

__all__ = ["format_attribute", "global_attributes", "serialize_attribute", "serialize_attributes"]

_SCALARS = (str, int, float, bool)


def format_attribute(value: Any) -> Any:
    """The value kept for an attribute: scalars as they are, homogeneous lists copied."""
    kind = type(value)
    if kind is str or kind is int or kind is bool:
        return value
    if kind is float:
        return value if math.isfinite(value) else str(value)
    if isinstance(value, (list, tuple)):
        if not value:
            return []
        first = type(value[0])
        if first in _SCALARS and all(type(v) is first for v in value):
            return list(value)
    elif isinstance(value, _SCALARS):  # subclasses (IntEnum, str subclasses): the plain value
        for base in (bool, int, float, str):
            if isinstance(value, base):
                return format_attribute(base(value))
    return safe_repr(value)


def serialize_attribute(value: Any) -> Dict[str, Any]:
    """``{"value": ..., "type": ...}`` as the protocol wants it."""
    kind = type(value)
    if kind is str:
        return {"value": value, "type": "string"}
    if kind is bool:
        return {"value": value, "type": "boolean"}
    if kind is int:
        return {"value": value, "type": "integer"}
    if kind is float:
        return {"value": value, "type": "double"}
    if kind is list:
        if not value:
            return {"value": [], "type": "array"}
        first = type(value[0])
        if first in _SCALARS and all(type(v) is first for v in value):
            return {"value": value, "type": "array"}
    return {"value": safe_repr(value), "type": "string"}


def serialize_attributes(attributes: Mapping[str, Any]) -> Dict[str, Dict[str, Any]]:
    return {str(key): serialize_attribute(value) for key, value in attributes.items()}


def global_attributes(options: Mapping[str, Any], sdk_name: str = SDK_NAME) -> Dict[str, Any]:
    """What every log and metric of this client carries (sentry_sdk's global attributes)."""
    info = sys.version_info
    attributes: Dict[str, Any] = {
        "sentry.sdk.name": sdk_name,
        "sentry.sdk.version": VERSION,
        "process.runtime.name": platform.python_implementation(),
        "process.runtime.version": f"{info.major}.{info.minor}.{info.micro}",
    }
    for option, key in (
        ("server_name", "server.address"),
        ("environment", "sentry.environment"),
        ("release", "sentry.release"),
    ):
        value = options.get(option)
        if value:
            attributes[key] = value
    return attributes
