"""serverless: not built yet in sentry-lite (see ``integrations.not_built``).

Importable and constructible as with sentry_sdk; ``init`` warns once that what
``not_captured`` names will not be captured.
"""

from __future__ import annotations

from typing import Any


def serverless_function(f: Any = None, flush: bool = True) -> Any:
    """sentry_sdk's decorator; here it returns the function unchanged (not built yet)."""
    if f is None:
        return lambda g: g
    return f
