"""What a Redis command becomes on the wire: description, key, tags, breadcrumb, data.

Descriptions are sentry_sdk's: the command name, then up to eleven arguments as
``repr``; the first argument (the key) is always shown, the others only when
:func:`argument_values` allows it, and ``AUTH`` never shows anything.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

from sentry_lite.consts import SPANDATA
from sentry_lite.integration_api import FILTERED, may_collect
from sentry_lite.integrations.privacy import FILTER, SEND

__all__ = [
    "argument_values",
    "breadcrumb_data",
    "connection_data",
    "describe",
    "single_key",
]

MAX_ARGS = 10
"""Arguments past the eleventh are left out of descriptions (sentry_sdk's _MAX_NUM_ARGS)."""
MAX_PIPELINE_COMMANDS = 10
"""Commands of a pipeline listed in ``redis.commands.first_ten``."""

_SECRET_COMMANDS = frozenset(["auth"])
_SINGLE_KEY_COMMANDS = frozenset(
    ["decr", "decrby", "get", "incr", "incrby", "pttl", "set", "setex", "setnx", "ttl"]
)
_MULTI_KEY_COMMANDS = frozenset(["del", "touch", "unlink", "mget"])


def argument_values() -> str:
    """How Redis argument values (all but the key) appear: the one place that decides.

    ``data_collection.database_query_data`` through the privacy predicate: ``SEND``
    (as ``repr``), ``FILTER`` (``[Filtered]``, no ``send_default_pii``) or ``OMIT``.
    """
    return may_collect("database_query_data")


def describe(name: str, args: Sequence[Any], max_size: Optional[int] = None) -> str:
    """``GET 'key'``, ``SET 'key' [Filtered]``..."""
    try:
        secret = name.lower() in _SECRET_COMMANDS
        parts = [name]
        # Only the arguments after the key ask the privacy predicate (a GET never does).
        values = argument_values() if len(args) > 1 else SEND
        for i, arg in enumerate(args):
            if i > MAX_ARGS:
                break
            if secret:
                parts.append(FILTERED)
            elif i == 0 or values == SEND:
                parts.append(repr(arg))
            elif values == FILTER:
                parts.append(FILTERED)
        description = " ".join(parts)
    except Exception:
        description = str(name)
    if max_size and len(description) > max_size:
        description = description[: max_size - 3] + "..."
    return description


def single_key(name: str, args: Sequence[Any]) -> Any:
    """The key of a one-key command (``redis.key``), else None."""
    if not name or not args:
        return None
    lowered = name.lower()
    if lowered in _SINGLE_KEY_COMMANDS or (lowered in _MULTI_KEY_COMMANDS and len(args) == 1):
        return args[0]
    return None


def breadcrumb_data(name: str, key: Any, is_cluster: bool) -> Dict[str, Any]:
    data: Dict[str, Any] = {
        "redis.is_cluster": is_cluster,
        "redis.command": name,
        "db.operation": name,
    }
    if key is not None:
        data["redis.key"] = key
    return data


def connection_data(params: Dict[str, Any]) -> Dict[str, Any]:
    """``db.system``, ``db.driver.name``, ``db.name``, ``server.address``/``port``."""
    data: Dict[str, Any] = {SPANDATA.DB_SYSTEM: "redis", SPANDATA.DB_DRIVER_NAME: "redis-py"}
    db = params.get("db")
    if db is not None:
        data[SPANDATA.DB_NAME] = str(db)
    host = params.get("host")
    if host is not None:
        data[SPANDATA.SERVER_ADDRESS] = host
    port = params.get("port")
    if port is not None:
        data[SPANDATA.SERVER_PORT] = port
    return data


def pipeline_commands(commands: Sequence[Any], args_of: Any) -> Dict[str, Any]:
    """``redis.commands``: how many, and the first ten described."""
    first: List[str] = []
    for command in commands[:MAX_PIPELINE_COMMANDS]:
        args = args_of(command)
        first.append(describe(str(args[0]), args[1:]))
    return {"count": len(commands), "first_ten": first}
