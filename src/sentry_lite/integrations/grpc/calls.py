"""What the sync and asyncio interceptors share: one server call's scopes and
transaction, one client call's span, and the trace headers a client call carries.

A server call gets its own scopes and a ``grpc.server`` transaction named after the
method (source ``custom``) that continues the caller's trace from the call's metadata.
A client call gets a ``grpc.client`` span ``"<kind> call to <method>"`` and carries
``sentry-trace``/``baggage`` in its metadata. In streaming mode both are streamed spans,
and a client call with no span running is not recorded (its trace still propagates),
as with sentry_sdk 2.75.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, List, Optional, Tuple

from sentry_lite.consts import OP, SPANDATA
from sentry_lite.integration_api import (
    EnteredScopes,
    TransactionSource,
    active_integration,
    child_span,
    enter_request_scopes,
    get_client,
    iter_trace_propagation_headers,
    leave_request_scopes,
    span_streaming_enabled,
    start_request_transaction,
    start_span,
    streamed_span_of,
)
from sentry_lite.integrations.grpc.consts import SPAN_ORIGIN

__all__ = [
    "IDENTIFIER",
    "begin_client_call",
    "begin_server_call",
    "end_client_call",
    "end_server_call",
    "server_call_name",
    "trace_headers",
]

IDENTIFIER = "grpc"
logger = logging.getLogger("sentry_lite")


def is_active() -> bool:
    return active_integration(IDENTIFIER) is not None


# -- server ------------------------------------------------------------------------------


def server_call_name(
    find_name: Optional[Callable[[Any], str]], context: Any, method: Any
) -> Optional[str]:
    """The transaction's name: the app's ``find_name(context)``, else the method."""
    if find_name is None:
        return method if isinstance(method, str) else None
    try:
        return find_name(context)
    except Exception:  # noqa: BLE001 - a broken namer costs the name, not the call
        logger.debug("sentry_lite: grpc find_name failed", exc_info=True)
        return method if isinstance(method, str) else None


def begin_server_call(name: str, context: Any) -> Tuple[EnteredScopes, Any]:
    """Enter the call's scopes and start its transaction (None when it could not start)."""
    entered = enter_request_scopes()
    try:
        metadata = dict(context.invocation_metadata() or ())
    except Exception:  # noqa: BLE001
        metadata = {}
    transaction = start_request_transaction(
        metadata, OP.GRPC_SERVER, name, TransactionSource.CUSTOM, SPAN_ORIGIN, {}
    )
    return entered, transaction


def end_server_call(entered: EnteredScopes, transaction: Any, exc_info: Any = None) -> None:
    """Finish the transaction (``internal_error`` when ``exc_info`` holds an exception)
    and leave the call's scopes."""
    try:
        if transaction is not None:
            transaction.__exit__(*(exc_info or (None, None, None)))
    except Exception:  # noqa: BLE001
        logger.debug("sentry_lite: could not finish the grpc transaction", exc_info=True)
    finally:
        leave_request_scopes(entered)


# -- client ------------------------------------------------------------------------------


def begin_client_call(kind: str, method: str) -> Any:
    """The entered span of one client call (``kind``: ``unary unary``/``unary stream``),
    or None when none is recorded."""
    try:
        name = f"{kind} call to {method}"
        span: Any
        if span_streaming_enabled(get_client().options):
            span = child_span(OP.GRPC_CLIENT, name, SPAN_ORIGIN)
            if span is not None:
                span.set_attribute(SPANDATA.RPC_METHOD, method)
        else:  # as sentry_sdk: a span of its own even outside a transaction
            span = start_span(op=OP.GRPC_CLIENT, name=name, origin=SPAN_ORIGIN)
            span.set_data("type", kind)
            span.set_data("method", method)
        if span is not None:
            span.__enter__()
        return span
    except Exception:  # noqa: BLE001 - the call goes out unobserved
        logger.debug("sentry_lite: could not start the grpc client span", exc_info=True)
        return None


def set_status_code(span: Any, code: Any) -> None:
    """The call's status code name on its span (unary-unary calls)."""
    try:
        name = getattr(code, "name", None)
        if span is None or name is None:
            return
        if streamed_span_of(span) is not None:
            span.set_attribute(SPANDATA.RPC_RESPONSE_STATUS_CODE, name)
        else:
            span.set_data("code", name)
    except Exception:  # noqa: BLE001
        pass


def end_client_call(span: Any, exc_info: Any = None) -> None:
    if span is None:
        return
    try:
        span.__exit__(*(exc_info or (None, None, None)))
    except Exception:  # noqa: BLE001
        pass


def trace_headers(span: Any) -> List[Tuple[str, str]]:
    """``sentry-trace``/``baggage`` (and ``traceparent``) for the call's metadata."""
    try:
        return list(iter_trace_propagation_headers(span))
    except Exception:  # noqa: BLE001
        return []
