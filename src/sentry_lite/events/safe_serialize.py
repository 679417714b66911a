"""``safe_serialize``: arbitrary arguments (an AI call's tool list, say) as readable JSON
text, never raising; the same text as sentry_sdk's ``sentry_sdk.utils.safe_serialize``."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["safe_serialize"]


def _readable(value: Any) -> Any:
    if callable(value):
        try:
            module = getattr(value, "__module__", None)
            qualname = getattr(value, "__qualname__", None)
            name = getattr(value, "__name__", "anonymous")
            if module and (qualname or name):
                return f"<function {module}.{qualname or name}>"
            return f"<function {name}>"
        except Exception:  # noqa: BLE001
            return f"<callable {type(value).__name__}>"
    if isinstance(value, dict):
        return {key: _readable(entry) for key, entry in value.items()}
    if isinstance(value, (list, tuple)):
        return [_readable(entry) for entry in value]
    if hasattr(value, "__dict__"):
        try:
            public = {k: _readable(v) for k, v in vars(value).items() if not k.startswith("_")}
            return f"<{type(value).__name__} {public}>"
        except Exception:  # noqa: BLE001
            return repr(value)
    return value


def safe_serialize(data: Any) -> str:
    """``data`` as JSON text: functions by their dotted path, objects by their public
    attributes, anything else by ``str``."""
    try:
        readable = _readable(data)
        return readable if isinstance(readable, str) else json.dumps(readable, default=str)
    except Exception:  # noqa: BLE001
        return str(data)
