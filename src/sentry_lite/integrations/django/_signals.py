"""Signal receivers: an ``event.django`` span per receiver while a transaction runs.

Receivers are only wrapped when a sampled transaction is active, so with tracing off a
signal costs one extra check. ``DjangoIntegration(signals_denylist=[...])`` skips signals.
Every request sends ``request_started`` and ``request_finished``, so the wrapping is
kept cheap: a plain closure per live receiver, its name read from two attributes.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, List, Optional

from sentry_lite.integration_api import active_integration, active_span
from sentry_lite.integrations.django._spans import django_span
from sentry_lite.integrations.web.config import qualname

__all__ = ["install", "receiver_name"]

OP_SIGNAL = "event.django"
ORIGIN = "auto.http.django"
OUR_PACKAGE = "sentry_lite."


def receiver_name(receiver: Any) -> str:
    name = qualname(receiver)
    if name:
        return name
    func = getattr(receiver, "func", None)
    if func is not None and hasattr(func, "__name__"):
        return f"partial(<function {func.__name__}>)"
    return str(receiver)


def _wrap(receiver: Callable[..., Any], name: str) -> Callable[..., Any]:
    def sentry_lite_receiver(*args: Any, **kwargs: Any) -> Any:
        span = django_span(OP_SIGNAL, name, ORIGIN)
        if span is None:
            return receiver(*args, **kwargs)
        with span:
            span.set_data("signal", name)
            return receiver(*args, **kwargs)

    _look_like(sentry_lite_receiver, receiver)
    return sentry_lite_receiver


def _look_like(wrapper: Any, receiver: Any) -> None:
    """What ``functools.wraps`` copies (``send()`` hands the wrapper back to the app),
    set directly: ``wraps`` costs a microsecond per receiver per signal."""
    try:
        wrapper.__name__ = receiver.__name__
        wrapper.__qualname__ = receiver.__qualname__
        wrapper.__module__ = receiver.__module__
        wrapper.__doc__ = receiver.__doc__
        attributes = receiver.__dict__
        if attributes:
            wrapper.__dict__.update(attributes)
        wrapper.__wrapped__ = receiver
    except Exception:  # a partial or a callable object lacks some: copy what it has
        try:
            functools.update_wrapper(wrapper, receiver)
        except Exception:
            pass


def _wrapped(receiver: Any) -> Any:
    """The receiver under a span, or itself for our own (reporting the error is not the
    app's work)."""
    try:
        module = receiver.__module__
        name: Optional[str] = module + "." + receiver.__qualname__
    except Exception:  # a partial, a callable object, an odd __module__: the long way
        module = getattr(receiver, "__module__", "")
        name = None
    if str(module).startswith(OUR_PACKAGE):
        return receiver
    return _wrap(receiver, name if name is not None else receiver_name(receiver))


def _tracing_now() -> bool:
    span = active_span()
    return span is not None and span.sampled is not False


def install() -> None:
    from django.dispatch import Signal  # type: ignore[import-untyped]

    real = Signal._live_receivers

    def _live_receivers(self: Any, sender: Any) -> Any:
        result = real(self, sender)
        if not result or not _tracing_now():
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
            sync = result[0]
            if not sync:
                return result
            return ([_wrapped(r) for r in sync], *result[1:])
        return [_wrapped(r) for r in result]

    Signal._live_receivers = _live_receivers
