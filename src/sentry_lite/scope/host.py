"""The scope layer's side of tracing's ``TracingHost``: where spans find their scope and
client, and where a finished transaction is handed to the client with the scopes applied.
Installed once, when ``sentry_lite.scope`` is imported.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from sentry_lite.scope.model import Scope, global_scope, layers_for_capture
from sentry_lite.scope.streaming import telemetry_attributes
from sentry_lite.tracing.host import SpanScope, TracingClient

__all__ = ["ScopeHost"]


class ScopeHost:
    __slots__ = ()

    def client(self) -> TracingClient:
        return Scope.get_client()

    def current_scope(self) -> SpanScope:
        return Scope.get_current_scope()

    def send_transaction(self, event: Dict[str, Any], scope: Optional[SpanScope]) -> Optional[str]:
        """What ``scope.capture_event(event)`` does for a transaction, minus the last
        event id (never set by transactions)."""
        base = scope if isinstance(scope, Scope) else None
        return Scope.get_client().capture_event(event, None, layers_for_capture(base))

    def capture_span(self, span: Any, scope: Any) -> None:
        """Scope attributes join the span's own, then the client sends it (batched)."""
        client = Scope.get_client()
        capture = getattr(client, "capture_span", None)
        if capture is None or not client.is_active():
            return
        base = scope if isinstance(scope, Scope) else None
        layers = layers_for_capture(base).layers
        # The user goes on as data_collection's user_info (else send_default_pii) allows.
        if client.span_globals_in_batch:  # the batcher adds the global scope's
            layers = layers[1:]  # (global_scope first) but its user still counts
            user_layer = global_scope
        else:
            user_layer = None
        telemetry_attributes(layers, span._attributes, client.sends_user_attributes, user_layer)
        capture(span)
