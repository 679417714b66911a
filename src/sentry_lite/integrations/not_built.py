"""Integrations sentry_sdk has and sentry-lite does not build yet.

Their modules exist so that code written for sentry_sdk imports and constructs them
unchanged; ``init`` then logs one warning per integration naming what will not be
captured, and carries on. Nothing is patched.
"""

from __future__ import annotations

from typing import Any

from sentry_lite.integrations import Integration

__all__ = ["NotBuiltIntegration"]


class NotBuiltIntegration(Integration):
    """Accepts sentry_sdk's constructor arguments, keeps them, does nothing else."""

    not_captured: str = "what this integration would capture"
    """Shown in the warning at ``init``: what the app loses by using it here."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args = args
        self.kwargs = kwargs

    @staticmethod
    def setup_once() -> None:
        pass

    @classmethod
    def not_built_warning(cls) -> str:
        return (
            f"sentry_lite: {cls.__name__} is not built yet in sentry-lite; "
            f"{cls.not_captured} will not be captured"
        )
