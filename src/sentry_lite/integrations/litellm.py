"""litellm: not built yet in sentry-lite (see ``integrations.not_built``).

Importable and constructible as with sentry_sdk; ``init`` warns once that what
``not_captured`` names will not be captured.
"""

from __future__ import annotations

from typing import Any

from sentry_lite.integrations.not_built import NotBuiltIntegration


class LiteLLMIntegration(NotBuiltIntegration):
    identifier = "litellm"
    not_captured = "litellm AI calls (spans, token usage, errors)"

    def __init__(self, include_prompts: Any = True) -> None:
        NotBuiltIntegration.__init__(self, include_prompts=include_prompts)
