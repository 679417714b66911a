"""Signal receivers: an ``event.django`` span per receiver while a transaction runs.

Receivers are only wrapped when a sampled transaction is active, so with tracing off a
signal costs one extra check. ``DjangoIntegration(signals_denylist=[...])`` skips signals.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, List

from sentry_lite.integrations._request import child_span, qualname
from sentry_lite.integrations.active import active_integration
from sentry_lite.scope import Scope

__all__ = ["install", "receiver_name"]

OP_SIGNAL = "event.django"
ORIGIN = "auto.http.django"


def receiver_name(receiver: Any) -> str:
    name = qualname(receiver)
    if name:
        return name
    func = getattr(receiver, "func", None)
    if func is not None and hasattr(func, "__name__"):
        return f"partial(<function {func.__name__}>)"
    return str(receiver)


def _wrap(receiver: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(receiver)
    def sentry_lite_receiver(*args: Any, **kwargs: Any) -> Any:
        name = receiver_name(receiver)
        span = child_span(OP_SIGNAL, name, ORIGIN)
        if span is None:
            return receiver(*args, **kwargs)
        with span:
            span.set_data("signal", name)
            return receiver(*args, **kwargs)

    return sentry_lite_receiver


def _ours(receiver: Any) -> bool:
    """Our own receivers (reporting the error) are not the app's work: no span."""
    return str(getattr(receiver, "__module__", "")).startswith("sentry_lite.")


def _tracing_now() -> bool:
    span = Scope.get_current_scope()._span
    return span is not None and getattr(span, "sampled", None) is not False


def install() -> None:
    from django.dispatch import Signal  # type: ignore[import-untyped]

    real = Signal._live_receivers

    def _live_receivers(self: Any, sender: Any) -> Any:
        result = real(self, sender)
        if not _tracing_now():
            return result
        integration = active_integration("django")
        if (
            integration is None
            or not integration.signals_spans
            or self in integration.signals_denylist
        ):
            return result
        sync: List[Any]
        if isinstance(result, tuple):  # Django >= 5: (sync receivers, async receivers)
            sync, rest = list(result[0]), result[1:]
            return ([r if _ours(r) else _wrap(r) for r in sync], *rest)
        return [r if _ours(r) else _wrap(r) for r in result]

    Signal._live_receivers = _live_receivers
