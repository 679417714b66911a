"""OpenFeature: boolean flag evaluations are recorded as feature flags, by a hook.

``setup_once`` adds one API-level hook, so every OpenFeature client and provider is
covered. A resolved boolean (``after``), or on a failed evaluation the boolean default
the app passed (``error``), goes to the isolation scope's flag buffer (the ``flags``
context of error events) and to the running span (``flag.evaluation.<key>``), as
``sentry_lite.feature_flags.add_feature_flag`` records them; other flag types are not
recorded, as with sentry_sdk.
"""

from __future__ import annotations

from typing import Any

from sentry_lite.integration_api import record_flag_evaluation
from sentry_lite.integrations import DidNotEnable, Integration

try:
    from openfeature import api
    from openfeature.hook import Hook
except ImportError as exc:
    raise DidNotEnable("OpenFeature is not installed") from exc

__all__ = ["OpenFeatureHook", "OpenFeatureIntegration"]


class OpenFeatureIntegration(Integration):
    identifier = "openfeature"

    @staticmethod
    def setup_once() -> None:
        api.add_hooks(hooks=[OpenFeatureHook()])


class OpenFeatureHook(Hook):
    """Records boolean evaluations; the other hook stages are OpenFeature's no-ops."""

    def after(self, hook_context: Any, details: Any, hints: Any) -> None:
        if isinstance(details.value, bool):
            record_flag_evaluation(
                OpenFeatureIntegration.identifier, details.flag_key, details.value
            )

    def error(self, hook_context: Any, exception: Exception, hints: Any) -> None:
        if isinstance(hook_context.default_value, bool):
            record_flag_evaluation(
                OpenFeatureIntegration.identifier, hook_context.flag_key, hook_context.default_value
            )
