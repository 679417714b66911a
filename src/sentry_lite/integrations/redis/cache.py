"""Cache spans (``cache.get``/``cache.put``) for commands on keys under ``cache_prefixes``,
with ``cache.key``, ``cache.hit`` and ``cache.item_size``, as sentry_sdk's caches module."""

from __future__ import annotations

from typing import Any, Dict, Optional, Sequence, Tuple

from sentry_lite.consts import OP, SPANDATA

__all__ = ["cache_op", "cache_result_data", "cache_target"]

_GET_COMMANDS = ("get", "mget")
_SET_COMMANDS = ("set", "setex")


def _text(key: Any) -> str:
    if isinstance(key, bytes):
        try:
            return key.decode()
        except UnicodeDecodeError:
            return ""
    return str(key)


def cache_op(name: str) -> Optional[str]:
    lowered = name.lower()
    if lowered in _GET_COMMANDS:
        return OP.CACHE_GET
    if lowered in _SET_COMMANDS:
        return OP.CACHE_PUT
    return None


def cache_target(
    name: str, args: Sequence[Any], prefixes: Sequence[str]
) -> Optional[Tuple[Tuple[Any, ...], str]]:
    """(keys, description) when the command reads or writes a cached key, else None."""
    if not prefixes or not args or cache_op(name) is None:
        return None
    first = args[0]
    lowered = name.lower()
    if lowered == "mget":
        keys: Tuple[Any, ...] = tuple(args)
    elif isinstance(first, (list, tuple, dict)):
        keys = tuple(first)
    else:
        keys = (first,)
    texts = [_text(k) for k in keys]
    if not any(t.startswith(p) for p in prefixes for t in texts):
        return None
    return keys, ", ".join(texts)


def _size(value: Any) -> int:
    return len(value) if isinstance(value, bytes) else len(str(value).encode("utf-8"))


def cache_result_data(
    name: str, args: Sequence[Any], keys: Tuple[Any, ...], result: Any
) -> Dict[str, Any]:
    data: Dict[str, Any] = {SPANDATA.CACHE_KEY: list(keys)}
    lowered = name.lower()
    if lowered in _GET_COMMANDS:
        data[SPANDATA.CACHE_HIT] = result is not None
        if result is not None:
            data[SPANDATA.CACHE_ITEM_SIZE] = _size(result)
    else:
        # SET key value [...], SETEX key seconds value: the value, not the options after it.
        index = 2 if lowered == "setex" else 1
        if len(args) > index and args[index] is not None:
            data[SPANDATA.CACHE_ITEM_SIZE] = _size(args[index])
    return data
