"""Attributes of logs and metrics: the global ones every record carries.

How a value is kept and written (https://develop.sentry.dev/sdk/telemetry/attributes/)
is shared with streamed spans: ``sentry_lite.tracing.attributes``.
"""

from __future__ import annotations

import platform
import sys
from typing import Any, Dict, Mapping

from sentry_lite.consts import SDK_NAME, VERSION

__all__ = ["global_attributes"]


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
