"""arq: not built yet in sentry-lite (see ``integrations.not_built``).

Importable and constructible as with sentry_sdk; ``init`` warns once that what
``not_captured`` names will not be captured.
"""

from __future__ import annotations

from typing import Any

from sentry_lite.integrations.not_built import NotBuiltIntegration


class ArqIntegration(NotBuiltIntegration):
    identifier = "arq"
    not_captured = "arq tasks (errors, spans, trace propagation)"

    def __init__(self, monitor_cron_jobs: Any = False, exclude_cron_jobs: Any = None) -> None:
        NotBuiltIntegration.__init__(
            self, monitor_cron_jobs=monitor_cron_jobs, exclude_cron_jobs=exclude_cron_jobs
        )
