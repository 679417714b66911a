"""The sampling decision for a new transaction, with sentry_sdk 2.x's precedence.

1. ``sampled=`` given to ``start_transaction`` wins;
2. else ``traces_sampler(sampling_context)``;
3. else the parent's decision from incoming headers;
4. else ``traces_sample_rate``.
The dice is the trace's ``sample_rand`` (propagated in baggage), so every service of a
trace sampled at the same rate makes the same decision.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Dict, Mapping, Optional, Tuple

from sentry_lite.options import tracing_enabled
from sentry_lite.sdk_loggers import logger
from sentry_lite.tracing.ids import new_sample_rand

__all__ = ["has_tracing_enabled", "new_sample_rand", "sampling_decision", "valid_rate"]


def has_tracing_enabled(options: Optional[Mapping[str, Any]]) -> bool:
    """sentry_sdk's name for :func:`sentry_lite.options.tracing_enabled`."""
    return options is not None and tracing_enabled(options)


def valid_rate(rate: Any) -> bool:
    """A usable sample rate: a number (or bool) in [0, 1], not NaN."""
    if type(rate) is float and 0.0 <= rate <= 1.0:  # the common case, first
        return True
    if isinstance(rate, bool):
        return True
    if not isinstance(rate, (int, float)) or math.isnan(rate):
        return False
    return 0 <= rate <= 1


def sampling_decision(
    options: Mapping[str, Any],
    forced: Optional[bool],
    parent_sampled: Optional[bool],
    sample_rand: float,
    sampling_context: Callable[[], Dict[str, Any]],
) -> Tuple[bool, Optional[float]]:
    """Returns (sampled, sample_rate); ``sampling_context`` is built only for a sampler."""
    if not tracing_enabled(options):
        return False, None
    if forced is not None:
        return forced, float(forced)
    sampler = options.get("traces_sampler")
    if callable(sampler):
        try:
            rate = sampler(sampling_context())
        except Exception:
            logger.warning("sentry_lite: traces_sampler raised; not sampling", exc_info=True)
            return False, None
    elif parent_sampled is not None:
        rate = parent_sampled
    else:
        rate = options.get("traces_sample_rate")
    if not valid_rate(rate):
        logger.warning("sentry_lite: invalid traces sample rate %r; not sampling", rate)
        return False, None
    rate = float(rate)
    if not rate:
        return False, rate
    return sample_rand < rate, rate
