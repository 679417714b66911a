"""boto3: not built yet in sentry-lite (see ``integrations.not_built``).

Importable and constructible as with sentry_sdk; ``init`` warns once that what
``not_captured`` names will not be captured.
"""

from __future__ import annotations

from sentry_lite.integrations.not_built import NotBuiltIntegration


class Boto3Integration(NotBuiltIntegration):
    identifier = "boto3"
    not_captured = "outgoing boto3 requests (spans, breadcrumbs, trace headers)"
