"""The server interceptor of ``grpc.aio`` servers: a ``grpc.server`` transaction per
unary-unary call, continuing the caller's trace, and the handler's exception reported
(mechanism ``grpc``, unhandled) unless it is the ``context.abort()`` of the handler.

``grpc.aio.server(...)`` puts it first among the server's interceptors once the
integration is set up. Streaming calls, and unary handlers that are not coroutine
functions, are passed through untouched.
"""

from __future__ import annotations

import inspect
import sys
from typing import Any, Awaitable, Callable, Optional

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
    from grpc.aio import AbortError  # type: ignore[import-untyped]
except ImportError as exc:  # pragma: no cover - exercised without grpcio installed
    raise DidNotEnable("grpcio is not installed") from exc

__all__ = ["ServerInterceptor"]


class ServerInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    def __init__(self, find_name: Optional[Callable[[Any], str]] = None) -> None:
        self._custom_find_name = find_name
        super().__init__()

    async def intercept_service(
        self, continuation: Callable[[Any], Awaitable[Any]], handler_call_details: Any
    ) -> Any:
        handler = await continuation(handler_call_details)
        if handler is None or handler.request_streaming or handler.response_streaming:
            return handler
        unary_unary = handler.unary_unary
        if not inspect.iscoroutinefunction(unary_unary):
            return handler
        method = handler_call_details.method
        find_name = self._custom_find_name

        async def sentry_lite_behavior(request: Any, context: Any) -> Any:
            if not is_active():
                return await unary_unary(request, context)
            name = server_call_name(find_name, context, method)
            if not name:
                return await unary_unary(request, context)
            entered, transaction = begin_server_call(name, context)
            try:
                response = await unary_unary(request, context)
            except AbortError:
                end_server_call(entered, transaction, sys.exc_info())
                raise
            except BaseException as exc:
                exc_info = sys.exc_info()
                if isinstance(exc, Exception):
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
