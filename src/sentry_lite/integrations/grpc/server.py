"""The server interceptor of sync servers: a ``grpc.server`` transaction per unary-unary
call, continuing the caller's trace from the call's metadata.

``grpc.server(...)`` puts it first among the server's interceptors once the integration
is set up. An exception of the handler (not its ``context.abort()``) is reported within
the call's scopes (mechanism ``grpc``, unhandled), as the ``grpc.aio`` server does, and
ends the transaction with ``internal_error``. sentry_sdk reports it only through grpc's
own log line, outside the call's trace; that log event is the same exception, which
the dedupe integration then drops. Streaming calls are passed through untouched.
"""

from __future__ import annotations

import sys
from typing import Any, Callable, Optional

from sentry_lite.integration_api import capture_caught
from sentry_lite.integrations import DidNotEnable
from sentry_lite.integrations.grpc.calls import (
    begin_server_call,
    end_server_call,
    is_active,
    server_call_name,
)

try:
    import grpc  # type: ignore[import-untyped]
except ImportError as exc:  # pragma: no cover - exercised without grpcio installed
    raise DidNotEnable("grpcio is not installed") from exc

__all__ = ["ServerInterceptor"]


class ServerInterceptor(grpc.ServerInterceptor):  # type: ignore[misc]
    def __init__(self, find_name: Optional[Callable[[Any], str]] = None) -> None:
        self._custom_find_name = find_name
        super().__init__()

    def intercept_service(
        self, continuation: Callable[[Any], Any], handler_call_details: Any
    ) -> Any:
        handler = continuation(handler_call_details)
        if not handler or not handler.unary_unary:
            return handler
        method = handler_call_details.method
        find_name = self._custom_find_name
        unary_unary = handler.unary_unary

        def sentry_lite_behavior(request: Any, context: Any) -> Any:
            if not is_active():
                return unary_unary(request, context)
            name = server_call_name(find_name, context, method)
            if not name:
                return unary_unary(request, context)
            entered, transaction = begin_server_call(name, context)
            try:
                response = unary_unary(request, context)
            except BaseException as exc:
                exc_info = sys.exc_info()
                if isinstance(exc, Exception) and not _aborted(context, exc):
                    capture_caught(exc_info, "grpc", handled=False)
                end_server_call(entered, transaction, exc_info)
                raise
            end_server_call(entered, transaction)
            return response

        return grpc.unary_unary_rpc_method_handler(
            sentry_lite_behavior,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )


def _aborted(context: Any, exc: BaseException) -> bool:
    """Is ``exc`` what ``context.abort()`` raises (a bare ``Exception``)? grpc's own
    test, the call state's ``aborted`` flag, when it has one."""
    aborted = getattr(getattr(context, "_state", None), "aborted", None)
    if isinstance(aborted, bool):
        return aborted
    return type(exc) is Exception and not exc.args
