"""One request's bookkeeping: which exceptions were already reported (one event per
failure, whichever layer sees it first), its transaction, and the request being handled.
"""

from __future__ import annotations

import logging
import sys
from contextvars import ContextVar
from typing import Any, List, Optional

from sentry_lite.integration_api import capture_caught
from sentry_lite.limits import MAX_CHAIN_HOPS
from sentry_lite.types import Hint

__all__ = [
    "RequestState",
    "capture_exception_event",
    "current_exc_info",
    "current_request",
    "report_request_error",
]

logger = logging.getLogger("sentry_lite")


class RequestState:
    """Per-request bookkeeping: which exceptions were already reported, the transaction.

    Its ``process`` method is the one event processor a request registers; subclasses
    (WSGI, ASGI) fill in the request data there, only when an event is captured.
    """

    __slots__ = ("capturing", "config", "framework", "seen", "transaction")

    def __init__(self, config: Any) -> None:
        self.config = config
        self.seen: Optional[List[BaseException]] = None
        self.capturing = False
        self.transaction: Any = None
        self.framework: Any = None
        """A weak reference to the framework's request object, when one is needed."""

    # -- capture once ----------------------------------------------------------------
    def reported(self, exc: Optional[BaseException]) -> bool:
        """Was ``exc``, or an exception it was raised while handling, already reported?

        An app's error handler that fails (e.g. a FastAPI handler returning a tuple)
        raises a new error whose ``__context__`` is the one we reported: still one event.
        """
        seen = self.seen
        if not seen or exc is None:
            return False
        hops = 0
        while exc is not None and hops < MAX_CHAIN_HOPS:
            if any(exc is s for s in seen):
                return True
            exc = exc.__cause__ or exc.__context__
            hops += 1
        return False

    def capture(
        self,
        exc_info: Any,
        mechanism_type: str,
        handled: bool = False,
    ) -> None:
        """Report an exception of this request once (``handled=False``: it escaped the app)."""
        try:
            exc = exc_info[1] if isinstance(exc_info, tuple) else exc_info
            if exc is None or self.reported(exc):
                return
            if isinstance(exc, SystemExit) and exc.code in (0, None):
                return
            if self.seen is None:
                self.seen = []
            self.seen.append(exc)
            capture_exception_event(exc_info, mechanism_type, handled, self)
        except Exception:
            logger.debug("sentry_lite: could not capture a request error", exc_info=True)

    def drop_duplicate(self, hint: Hint) -> bool:
        """Drop a second report of an exception we already sent (the app's own handler).

        Flask hands a 500 handler ``InternalServerError(original_exception=e)``: that
        wrapper is the same failure, so it is dropped too.
        """
        if self.capturing or not self.seen:
            return False
        exc_info = hint.get("exc_info")
        if not exc_info:
            return False
        exc = exc_info[1]
        for seen in self.seen:
            if exc is seen or getattr(exc, "original_exception", None) is seen:
                return True
        return False


current_request: ContextVar[Optional[RequestState]] = ContextVar(
    "sentry_lite_web_request", default=None
)
"""The request being handled in this context. A contextvar, not a key in the environ or
ASGI scope: those dicts show up in frame locals, and an extra key there would change
what events show (and could push a real key past the breadth limit)."""


def capture_exception_event(
    exc_info: Any, mechanism_type: str, handled: bool, state: Optional[RequestState]
) -> Optional[str]:
    if state is not None:
        state.capturing = True
    try:
        return capture_caught(exc_info, mechanism_type, handled)
    finally:
        if state is not None:
            state.capturing = False


def report_request_error(exc_info: Any, mechanism_type: str, handled: bool = False) -> None:
    """Report an error a framework caught: once through the request being handled (which
    drops a second report of it), or directly outside any request."""
    state = current_request.get()
    if state is not None:
        state.capture(exc_info, mechanism_type, handled)
    else:
        capture_exception_event(exc_info, mechanism_type, handled, None)


def current_exc_info() -> Any:
    return sys.exc_info()
