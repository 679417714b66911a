"""How a web integration's options are read: methods, failing status codes, transaction
styles and sources, and warnings (never errors) for values sentry_sdk would reject.
"""

from __future__ import annotations

import functools
import logging
from typing import Any, Container, Dict, Iterable, List, Optional, Tuple

from sentry_lite.integration_api import TransactionSource, warn_once

__all__ = [
    "DEFAULT_FAILED_REQUEST_STATUS_CODES",
    "DEFAULT_HTTP_METHODS_TO_CAPTURE",
    "NAMED_SOURCES",
    "SOURCE_COMPONENT",
    "SOURCE_CUSTOM",
    "SOURCE_ROUTE",
    "SOURCE_URL",
    "check_style",
    "failed_codes",
    "failed_status",
    "methods_tuple",
    "qualname",
    "warn_unknown",
]

logger = logging.getLogger("sentry_lite")

DEFAULT_HTTP_METHODS_TO_CAPTURE: Tuple[str, ...] = (
    "CONNECT",
    "DELETE",
    "GET",
    "PATCH",
    "POST",
    "PUT",
    "TRACE",
)
"""Methods that get a transaction (HEAD and OPTIONS do not, as in sentry_sdk)."""

DEFAULT_FAILED_REQUEST_STATUS_CODES = frozenset(range(500, 600))

SOURCE_COMPONENT = TransactionSource.COMPONENT.value
SOURCE_ROUTE = TransactionSource.ROUTE.value
SOURCE_URL = TransactionSource.URL.value
SOURCE_CUSTOM = TransactionSource.CUSTOM.value
NAMED_SOURCES = frozenset({SOURCE_COMPONENT, SOURCE_ROUTE, SOURCE_CUSTOM})
"""Sources that mean "a real name was already chosen"; a generic name is replaced."""


def warn_unknown(integration: str, unknown: Dict[str, Any]) -> None:
    """An option sentry_sdk does not know (or a typo): warn once, never crash the app."""
    if unknown:
        names = ", ".join(sorted(unknown))
        warn_once(
            f"{integration}:unknown:{names}",
            "sentry_lite: %s ignores unknown option(s) %s",
            integration,
            names,
        )


def check_style(integration: str, value: Any, allowed: Tuple[str, ...], default: str) -> str:
    """A ``transaction_style`` sentry_sdk would reject with ValueError: warn and use the default."""
    if value in allowed:
        return str(value)
    logger.warning(
        "sentry_lite: %s transaction_style=%r is not one of %s; using %r",
        integration,
        value,
        "/".join(allowed),
        default,
    )
    return default


def methods_tuple(methods: Any) -> Tuple[str, ...]:
    try:
        return tuple(str(m).upper() for m in methods)
    except TypeError:
        logger.warning("sentry_lite: http_methods_to_capture must be a list of method names")
        return DEFAULT_HTTP_METHODS_TO_CAPTURE


def failed_codes(codes: Any) -> Container[int]:
    """Accept a set of ints (2.x) or a list of ints/ranges (deprecated 2.x form)."""
    if codes is None:
        return DEFAULT_FAILED_REQUEST_STATUS_CODES
    if isinstance(codes, (set, frozenset, range)):
        return codes
    return _CodeRanges(list(codes) if isinstance(codes, Iterable) else [codes])


class _CodeRanges:
    __slots__ = ("_ranges",)

    def __init__(self, ranges: List[Any]) -> None:
        self._ranges = ranges

    def __contains__(self, code: object) -> bool:
        for item in self._ranges:
            if isinstance(item, int):
                if item == code:
                    return True
                continue
            try:
                if code in item:
                    return True
            except TypeError:
                continue
        return False


def failed_status(code: Any, codes: Container[int]) -> bool:
    try:
        return code in codes
    except Exception:
        return False


def qualname(func: Any) -> Optional[str]:
    """``module.QualName`` of a view function/class, as sentry_sdk names transactions."""
    try:
        prefix = suffix = ""
        if isinstance(func, functools.partial) and hasattr(func.func, "__name__"):
            prefix, suffix = "partial(<function ", ">)"
            func = func.func
        name = getattr(func, "__qualname__", None) or getattr(func, "__name__", None)
        if name is None:
            return None
        module = getattr(func, "__module__", None)
        if isinstance(module, str):
            name = module + "." + name
        return prefix + str(name) + suffix
    except Exception:
        return None
