"""cloud_resource_context: not built yet in sentry-lite (see ``integrations.not_built``).

Importable and constructible as with sentry_sdk; ``init`` warns once that what
``not_captured`` names will not be captured.
"""

from __future__ import annotations

from typing import Any

from sentry_lite.integrations.not_built import NotBuiltIntegration


class CloudResourceContextIntegration(NotBuiltIntegration):
    identifier = "cloudresourcecontext"
    not_captured = "the cloud provider context"

    def __init__(self, cloud_provider: Any = "") -> None:
        NotBuiltIntegration.__init__(self, cloud_provider=cloud_provider)
