"""The SDK's own threads (sending, batching, flushing, sampling) run in an empty context.

Why: a thread started while the app is inside a request or a span would otherwise run
with the app's scopes, which the threading integration hands on to new threads, as it
should for the app's own. Then the SDK's own work would show up as the app's: its
connections to the ingest as ``socket``/``http.client`` spans in whatever transaction
was running when the thread started, and its breadcrumbs on that request's scope.
"""

from __future__ import annotations

import contextvars
import threading
from typing import Any, Callable, Tuple

__all__ = ["own_thread"]


def _in_empty_context(target: Callable[..., Any], args: Tuple[Any, ...]) -> None:
    contextvars.Context().run(target, *args)


def own_thread(
    target: Callable[..., Any], name: str, args: Tuple[Any, ...] = ()
) -> threading.Thread:
    """A daemon thread (not started) that runs ``target(*args)`` in an empty context."""
    return threading.Thread(target=_in_empty_context, args=(target, args), name=name, daemon=True)
