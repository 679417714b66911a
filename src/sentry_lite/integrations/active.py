"""How a patched library asks whether the active client wants its integration."""

from __future__ import annotations

from typing import Any, Optional

from sentry_lite.scope import Scope

__all__ = ["active_integration", "integration_enabled"]


def active_integration(identifier: str) -> Optional[Any]:
    """The active client's instance of the integration, or None when it is off."""
    client = Scope.get_client()
    if not client.is_active():
        return None
    return client.integrations.get(identifier)


def integration_enabled(identifier: str) -> bool:
    return active_integration(identifier) is not None
