"""What tracing needs from the layers above it, as interfaces tracing owns.

Why: spans must find the current scope (``with span:`` makes it the scope's span), read
the client's options (sampling, the DSC) and hand a finished transaction on to be sent.
Importing the scope or the client for that would tie the layers into a knot, so tracing
states what it needs here, the scope layer implements it, and installs it once at import
(as OpenTelemetry installs a tracer provider). A transaction is also handed its
reporter when it starts, so a test or another SDK layer can direct one elsewhere.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Protocol

from sentry_lite.dsn import Dsn

__all__ = ["NULL_HOST", "SpanScope", "TracingClient", "TracingHost", "current", "install"]


class TracingClient(Protocol):
    """The part of a client tracing reads."""

    @property
    def options(self) -> Mapping[str, Any]: ...

    @property
    def parsed_dsn(self) -> Optional[Dsn]: ...

    def is_active(self) -> bool: ...

    def record_lost_event(
        self, reason: str, data_category: str = "error", quantity: int = 1
    ) -> None: ...


class SpanScope(Protocol):
    """A scope as a span sees it: a slot for the active span."""

    span: Any

    def swap_span(self, span: Any) -> Any:
        """Make ``span`` the active span without side effects; returns the previous one."""
        ...


class TracingHost(Protocol):
    """Where spans find their scope and client, and where a finished transaction goes."""

    def client(self) -> TracingClient: ...

    def current_scope(self) -> SpanScope: ...

    def send_transaction(self, event: Dict[str, Any], scope: Optional[SpanScope]) -> Optional[str]:
        """Apply the scopes to ``event`` and hand it to the client; the event id or None."""
        ...

    def capture_span(self, span: Any, scope: Any) -> None:
        """Hand a finished streamed span, with its scopes' attributes, to the client."""
        ...


class _NoClient:
    options: Mapping[str, Any] = {}
    parsed_dsn: Optional[Dsn] = None

    def is_active(self) -> bool:
        return False

    def record_lost_event(
        self, reason: str, data_category: str = "error", quantity: int = 1
    ) -> None:
        pass


class _DetachedScope:
    """A scope slot for spans used before any scope layer exists (never in practice)."""

    span: Any = None

    def swap_span(self, span: Any) -> Any:
        old, self.span = self.span, span
        return old


class _NullHost:
    _client = _NoClient()
    _scope = _DetachedScope()

    def client(self) -> TracingClient:
        return self._client

    def current_scope(self) -> SpanScope:
        return self._scope

    def send_transaction(self, event: Dict[str, Any], scope: Optional[SpanScope]) -> Optional[str]:
        return None

    def capture_span(self, span: Any, scope: Any) -> None:
        pass


NULL_HOST: TracingHost = _NullHost()
current: TracingHost = NULL_HOST
"""The installed host; read as ``host.current`` so that installing later takes effect."""


def install(new_host: TracingHost) -> None:
    global current
    current = new_host
