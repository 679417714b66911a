"""Statsig: each ``statsig.check_gate`` result is recorded as a feature flag.

The gate's name and result go to the isolation scope's flag buffer (the ``flags``
context of error events) and to the running span (``flag.evaluation.<gate>``), as
``sentry_lite.feature_flags.add_feature_flag`` records them. As with sentry_sdk, only
``check_gate`` is wrapped (the module function, statsig 0.55.3 or newer).
"""

from __future__ import annotations

import re
from functools import wraps
from typing import Any, Tuple

from sentry_lite.integration_api import record_flag_evaluation
from sentry_lite.integrations import DidNotEnable, Integration

try:
    from statsig import statsig as statsig_module
    from statsig.version import __version__ as STATSIG_VERSION
except ImportError as exc:
    raise DidNotEnable("statsig is not installed") from exc

__all__ = ["StatsigIntegration"]

MIN_VERSION = (0, 55, 3)


def _release(text: str) -> Tuple[int, ...]:
    """``0.72.1`` -> ``(0, 72, 1)``; pre-release and local parts are ignored."""
    match = re.match(r"\s*v?(\d+(?:\.\d+)*)", text)
    if match is None:
        raise DidNotEnable(f"Unparsable statsig version {text!r}.")
    return tuple(int(part) for part in match.group(1).split("."))


class StatsigIntegration(Integration):
    identifier = "statsig"

    @staticmethod
    def setup_once() -> None:
        if _release(STATSIG_VERSION) < MIN_VERSION:
            raise DidNotEnable("Integration only supports statsig 0.55.3 or newer.")
        original = statsig_module.check_gate

        @wraps(original)
        def check_gate(user: Any, gate: str, *args: Any, **kwargs: Any) -> Any:
            enabled = original(user, gate, *args, **kwargs)
            record_flag_evaluation(StatsigIntegration.identifier, gate, enabled)
            return enabled

        statsig_module.check_gate = check_gate
