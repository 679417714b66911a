"""rust_tracing: not built yet in sentry-lite (see ``integrations.not_built``).

Importable and constructible as with sentry_sdk; ``init`` warns once that what
``not_captured`` names will not be captured.
"""

from __future__ import annotations

from typing import Any

from sentry_lite.integrations.not_built import NotBuiltIntegration


class RustTracingIntegration(NotBuiltIntegration):
    identifier = "rust_tracing"
    not_captured = "events and spans of the Rust tracing layer"

    def __init__(
        self,
        identifier: Any,
        initializer: Any,
        event_type_mapping: Any = None,
        span_filter: Any = None,
        include_tracing_fields: Any = None,
    ) -> None:
        NotBuiltIntegration.__init__(
            self,
            identifier=identifier,
            initializer=initializer,
            event_type_mapping=event_type_mapping,
            span_filter=span_filter,
            include_tracing_fields=include_tracing_fields,
        )
