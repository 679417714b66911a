"""otlp: not built yet in sentry-lite (see ``integrations.not_built``).

Importable and constructible as with sentry_sdk; ``init`` warns once that what
``not_captured`` names will not be captured.
"""

from __future__ import annotations

from typing import Any

from sentry_lite.integrations.not_built import NotBuiltIntegration


class OTLPIntegration(NotBuiltIntegration):
    identifier = "otlp"
    not_captured = "OpenTelemetry spans (OTLP export, propagation)"

    def __init__(
        self,
        setup_otlp_traces_exporter: Any = True,
        collector_url: Any = None,
        setup_propagator: Any = True,
        capture_exceptions: Any = False,
    ) -> None:
        NotBuiltIntegration.__init__(
            self,
            setup_otlp_traces_exporter=setup_otlp_traces_exporter,
            collector_url=collector_url,
            setup_propagator=setup_propagator,
            capture_exceptions=capture_exceptions,
        )
