"""LaunchDarkly: boolean flag evaluations are recorded as feature flags, by a hook.

The hook is added to the client when the integration is constructed (the ``ld_client``
passed in, else LaunchDarkly's shared client), as sentry_sdk does; a client that is
missing or not initialised raises ``DidNotEnable`` there. Each boolean result goes to
the isolation scope's flag buffer (the ``flags`` context of error events) and to the
running span (``flag.evaluation.<key>``), as ``sentry_lite.feature_flags.add_feature_flag``
records them; other variation types are not recorded.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from sentry_lite.integration_api import record_flag_evaluation
from sentry_lite.integrations import DidNotEnable, Integration

try:
    import ldclient
    from ldclient.hook import Hook, Metadata
except ImportError as exc:
    raise DidNotEnable("LaunchDarkly is not installed") from exc

__all__ = ["LaunchDarklyHook", "LaunchDarklyIntegration"]


class LaunchDarklyIntegration(Integration):
    identifier = "launchdarkly"

    def __init__(self, ld_client: Optional[Any] = None) -> None:
        """``ld_client``: an initialised ``LDClient``; LaunchDarkly's shared client
        (``ldclient.get()``) when not given."""
        try:
            client = ld_client or ldclient.get()
        except Exception as exc:
            raise DidNotEnable("Error getting LaunchDarkly client. " + repr(exc)) from exc
        if not client.is_initialized():
            raise DidNotEnable("LaunchDarkly client is not initialized.")
        client.add_hook(LaunchDarklyHook())

    @staticmethod
    def setup_once() -> None:
        pass  # the hook belongs to the client, added by the constructor


class LaunchDarklyHook(Hook):
    """Records boolean results after each evaluation; nothing before it."""

    @property
    def metadata(self) -> Metadata:
        return Metadata(name="sentry-flag-auditor")

    def before_evaluation(self, series_context: Any, data: Dict[Any, Any]) -> Dict[Any, Any]:
        return data

    def after_evaluation(
        self, series_context: Any, data: Dict[Any, Any], detail: Any
    ) -> Dict[Any, Any]:
        if isinstance(detail.value, bool):
            record_flag_evaluation(
                LaunchDarklyIntegration.identifier, series_context.key, detail.value
            )
        return data
