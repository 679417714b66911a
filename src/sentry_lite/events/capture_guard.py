"""Is this thread inside the SDK's own call into app code while building an event?

While a value's ``__repr__`` runs for the serializer, or a ``before_send`` hook runs, a
capture from that code would build an event that runs the same code again: it is
ignored (sentry_sdk ignores captures during serialisation the same way). Outside those
windows a nested capture (a signal handler firing between two bytecodes of a capture) is
an ordinary event and goes out.
"""

from __future__ import annotations

from contextvars import ContextVar, Token

__all__ = ["enter", "inside", "leave"]

_inside: ContextVar[bool] = ContextVar("sentry_lite_in_app_code_for_event", default=False)


def inside() -> bool:
    return _inside.get()


def enter() -> Token[bool]:
    return _inside.set(True)


def leave(token: Token[bool]) -> None:
    _inside.reset(token)
