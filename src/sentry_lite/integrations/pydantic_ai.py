"""pydantic_ai: not built yet in sentry-lite (see ``integrations.not_built``).

Importable and constructible as with sentry_sdk; ``init`` warns once that what
``not_captured`` names will not be captured.
"""

from __future__ import annotations

from typing import Any

from sentry_lite.integrations.not_built import NotBuiltIntegration


class PydanticAIIntegration(NotBuiltIntegration):
    identifier = "pydantic_ai"
    not_captured = "pydantic_ai AI calls (spans, token usage, errors)"

    def __init__(
        self, include_prompts: Any = True, handled_tool_call_exceptions: Any = True
    ) -> None:
        NotBuiltIntegration.__init__(
            self,
            include_prompts=include_prompts,
            handled_tool_call_exceptions=handled_tool_call_exceptions,
        )
