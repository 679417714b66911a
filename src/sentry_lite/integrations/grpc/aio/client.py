"""The client interceptors of ``grpc.aio`` channels: a ``grpc.client`` span per
unary-unary and unary-stream call, and the trace headers in the call's metadata.

``grpc.aio.insecure_channel``/``secure_channel`` put both first among a channel's
interceptors once the integration is set up. A unary-unary span lasts until the call's
status is known; a unary-stream span covers starting the call (as with sentry_sdk).
"""

from __future__ import annotations

import sys
from typing import Any, Callable

from sentry_lite.integrations import DidNotEnable
from sentry_lite.integrations.grpc.calls import (
    begin_client_call,
    end_client_call,
    is_active,
    set_status_code,
    trace_headers,
)

try:
    from grpc.aio import Metadata, UnaryStreamClientInterceptor, UnaryUnaryClientInterceptor  # type: ignore[import-untyped]
except ImportError as exc:  # pragma: no cover - exercised without grpcio installed
    raise DidNotEnable("grpcio is not installed") from exc

__all__ = [
    "ClientInterceptor",
    "SentryUnaryStreamClientInterceptor",
    "SentryUnaryUnaryClientInterceptor",
]


def _method_name(method: Any) -> str:
    return method.decode("utf-8", "replace") if isinstance(method, bytes) else str(method)


class ClientInterceptor:
    """What both interceptors share: the call's details with the trace headers added."""

    @staticmethod
    def _update_client_call_details_metadata_from_scope(details: Any, span: Any = None) -> Any:
        headers = trace_headers(span)
        if not headers:
            return details
        metadata = details.metadata
        if metadata is None:
            details = details._replace(metadata=Metadata())
        elif not isinstance(metadata, Metadata):  # grpcio before 1.60 passes a tuple
            details = details._replace(metadata=Metadata.from_tuple(tuple(metadata)))
        for key, value in headers:
            details.metadata.add(key, value)
        return details


async def _intercept(
    kind: str, continuation: Callable[[Any, Any], Any], details: Any, request: Any
) -> Any:
    if not is_active():
        return await continuation(details, request)
    span = begin_client_call(kind, _method_name(details.method))
    try:
        details = ClientInterceptor._update_client_call_details_metadata_from_scope(details, span)
    except Exception:  # noqa: BLE001 - the call goes out without them
        pass
    try:
        call = await continuation(details, request)
        if kind == "unary unary":  # waits for the call to end, as sentry_sdk's span does
            set_status_code(span, await call.code())
    except BaseException:
        end_client_call(span, sys.exc_info())
        raise
    end_client_call(span)
    return call


class SentryUnaryUnaryClientInterceptor(ClientInterceptor, UnaryUnaryClientInterceptor):  # type: ignore[misc]
    async def intercept_unary_unary(
        self, continuation: Callable[[Any, Any], Any], client_call_details: Any, request: Any
    ) -> Any:
        return await _intercept("unary unary", continuation, client_call_details, request)


class SentryUnaryStreamClientInterceptor(ClientInterceptor, UnaryStreamClientInterceptor):  # type: ignore[misc]
    async def intercept_unary_stream(
        self, continuation: Callable[[Any, Any], Any], client_call_details: Any, request: Any
    ) -> Any:
        return await _intercept("unary stream", continuation, client_call_details, request)
