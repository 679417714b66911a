"""The client interceptor of sync channels: a ``grpc.client`` span per unary-unary and
unary-stream call, and the trace headers in the call's metadata.

``grpc.insecure_channel``/``secure_channel`` add it to every channel they make once
the integration is set up; calls that stream requests are not intercepted (as with
sentry_sdk). A unary-stream span, and the span of a unary call made with
``.future()``, cover starting the call (the latter without its status code).
"""

from __future__ import annotations

import collections
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
    import grpc  # type: ignore[import-untyped]
except ImportError as exc:  # pragma: no cover - exercised without grpcio installed
    raise DidNotEnable("grpcio is not installed") from exc

__all__ = ["ClientInterceptor"]


class _CallDetails(
    collections.namedtuple(
        "_CallDetails",
        ("method", "timeout", "metadata", "credentials", "wait_for_ready", "compression"),
    ),
    grpc.ClientCallDetails,  # type: ignore[misc]
):
    """The call's details with our trace headers added to its metadata."""


def _with_trace_headers(details: Any, span: Any) -> Any:
    headers = trace_headers(span)
    if not headers:
        return details
    metadata = list(details.metadata) if details.metadata else []
    metadata.extend(headers)
    return _CallDetails(
        details.method,
        details.timeout,
        metadata,
        details.credentials,
        getattr(details, "wait_for_ready", None),
        getattr(details, "compression", None),
    )


class ClientInterceptor(
    grpc.UnaryUnaryClientInterceptor,  # type: ignore[misc]
    grpc.UnaryStreamClientInterceptor,  # type: ignore[misc]
):
    def intercept_unary_unary(
        self, continuation: Callable[[Any, Any], Any], client_call_details: Any, request: Any
    ) -> Any:
        return _intercept("unary unary", continuation, client_call_details, request)

    def intercept_unary_stream(
        self, continuation: Callable[[Any, Any], Any], client_call_details: Any, request: Any
    ) -> Any:
        return _intercept("unary stream", continuation, client_call_details, request)


def _intercept(
    kind: str, continuation: Callable[[Any, Any], Any], details: Any, request: Any
) -> Any:
    if not is_active():
        return continuation(details, request)
    span = begin_client_call(kind, str(details.method))
    try:
        details = _with_trace_headers(details, span)
    except Exception:  # noqa: BLE001 - the call goes out without them
        pass
    try:
        response = continuation(details, request)
    except BaseException:
        end_client_call(span, sys.exc_info())
        raise
    try:
        # A blocking call's outcome is complete; a stream's or ``.future()``'s code would
        # wait for the end of the call (sentry_sdk waits for a future's).
        if kind == "unary unary" and response.done():
            set_status_code(span, response.code())
    except Exception:  # noqa: BLE001
        pass
    end_client_call(span)
    return response
