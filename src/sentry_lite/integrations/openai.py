"""openai: not built yet in sentry-lite (see ``integrations.not_built``).

Importable and constructible as with sentry_sdk; ``init`` warns once that what
``not_captured`` names will not be captured.
"""

from __future__ import annotations

from typing import Any

from sentry_lite.integrations.not_built import NotBuiltIntegration


class OpenAIIntegration(NotBuiltIntegration):
    identifier = "openai"
    not_captured = "openai AI calls (spans, token usage, errors)"

    def __init__(self, include_prompts: Any = True, tiktoken_encoding_name: Any = None) -> None:
        NotBuiltIntegration.__init__(
            self, include_prompts=include_prompts, tiktoken_encoding_name=tiktoken_encoding_name
        )
