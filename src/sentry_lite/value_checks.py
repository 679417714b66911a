"""Checks of configuration values that sentry_sdk exposes in its ``utils``.

Environment flags, sample rates and regex lists (``trace_propagation_targets``,
``in_app_include``...) are read with the same rules everywhere.
"""

from __future__ import annotations

import math
import re
import sys
from typing import Any, List, Optional

from sentry_lite.sdk_loggers import logger

__all__ = ["env_to_bool", "is_valid_sample_rate", "match_regex_list"]


FALSY_ENV_VALUES = frozenset(("false", "f", "n", "no", "off", "0"))
TRUTHY_ENV_VALUES = frozenset(("true", "t", "y", "yes", "on", "1"))


def env_to_bool(value: Any, *, strict: Optional[bool] = False) -> Optional[bool]:
    """An environment value as a bool; in ``strict`` mode None when it is no known word."""
    normalized = str(value).lower() if value is not None else None
    if normalized in FALSY_ENV_VALUES:
        return False
    if normalized in TRUTHY_ENV_VALUES:
        return True
    return None if strict else bool(value)


def _is_number(value: Any) -> bool:
    """A real number (``numbers.Real``) or a ``Decimal``. Both modules are looked up, not
    imported (a ms at import time): a value of their types means they are loaded."""
    kind = type(value)
    if kind is float or kind is int or kind is bool:
        return True
    numbers = sys.modules.get("numbers")
    if numbers is not None and isinstance(value, numbers.Real):
        return True
    decimal = sys.modules.get("decimal")
    return decimal is not None and isinstance(value, decimal.Decimal)


def is_valid_sample_rate(rate: Any, source: str) -> bool:
    """A bool or a number in [0, 1]; anything else is logged (with ``source``) and rejected."""
    if not _is_number(rate) or math.isnan(rate):
        logger.warning(
            "%s Given sample rate is invalid. Sample rate must be a boolean or a number "
            "between 0 and 1. Got %r of type %s.",
            source,
            rate,
            type(rate),
        )
        return False
    if not 0 <= float(rate) <= 1:
        logger.warning(
            "%s Given sample rate is invalid. Sample rate must be between 0 and 1. Got %s.",
            source,
            float(rate),
        )
        return False
    return True


def match_regex_list(
    item: str, regex_list: Optional[List[str]] = None, substring_matching: bool = False
) -> bool:
    """Does ``item`` match one of the patterns (anchored at the end unless substring)?"""
    for pattern in regex_list or ():
        if not substring_matching and not pattern.endswith("$"):
            pattern += "$"
        if re.search(pattern, item):
            return True
    return False
