"""Unleash: each ``UnleashClient.is_enabled`` result is recorded as a feature flag.

The toggle's name and result go to the isolation scope's flag buffer (the ``flags``
context of error events) and to the running span (``flag.evaluation.<name>``), as
``sentry_lite.feature_flags.add_feature_flag`` records them. As with sentry_sdk, only
the synchronous client's ``is_enabled`` is wrapped: variants are not flags here.
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from sentry_lite.integration_api import record_flag_evaluation
from sentry_lite.integrations import DidNotEnable, Integration

try:
    from UnleashClient import UnleashClient  # type: ignore[attr-defined, unused-ignore]
except ImportError as exc:
    raise DidNotEnable("UnleashClient is not installed") from exc

__all__ = ["UnleashIntegration"]


class UnleashIntegration(Integration):
    identifier = "unleash"

    @staticmethod
    def setup_once() -> None:
        original = UnleashClient.is_enabled

        @wraps(original)
        def is_enabled(self: Any, feature: str, *args: Any, **kwargs: Any) -> Any:
            enabled = original(self, feature, *args, **kwargs)
            # Unleash does not say what kind of toggle this is: recorded as a boolean one.
            record_flag_evaluation(UnleashIntegration.identifier, feature, enabled)
            return enabled

        UnleashClient.is_enabled = is_enabled  # type: ignore[method-assign, assignment]
