"""huey: not built yet in sentry-lite (see ``integrations.not_built``).

Importable and constructible as with sentry_sdk; ``init`` warns once that what
``not_captured`` names will not be captured.
"""

from __future__ import annotations

from typing import Any

from sentry_lite.integrations.not_built import NotBuiltIntegration


class HueyIntegration(NotBuiltIntegration):
    identifier = "huey"
    not_captured = "huey tasks (errors, spans, trace propagation)"

    def __init__(
        self, monitor_periodic_tasks: Any = False, exclude_periodic_tasks: Any = None
    ) -> None:
        NotBuiltIntegration.__init__(
            self,
            monitor_periodic_tasks=monitor_periodic_tasks,
            exclude_periodic_tasks=exclude_periodic_tasks,
        )
