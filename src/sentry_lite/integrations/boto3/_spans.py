"""The client span of an AWS call: started, made current while the call runs, given
data, ended (failed or not).

Both span models are served: transaction-era spans (``set_data``, ``finish``) and, with
``trace_lifecycle="stream"``, streamed spans (attributes, ``end``). A streamed client
span starts *detached* (not the scope's active span) and is made current only while
``_make_api_call`` runs: a streaming response body may end it much later, and ending it
then must not touch the scope.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Dict, Iterator, Optional

from sentry_lite.integration_api import (
    NoOpStreamedSpan,
    Scope,
    StreamedSpan,
    span_streaming_enabled,
    start_detached_streamed_span,
    start_span,
)
from sentry_lite.integrations.boto3._attributes import call_attributes
from sentry_lite.integrations.boto3._call import AwsCall
from sentry_lite.integrations.boto3.consts import ORIGIN

__all__ = ["activated", "finish_span", "set_span_attributes", "start_client_span"]

HTTP_CLIENT = "http.client"


def set_span_attributes(span: Any, attributes: Dict[str, Any]) -> None:
    if isinstance(span, StreamedSpan):
        span.set_attributes(attributes)
        return
    for key, value in attributes.items():
        span.set_data(key, value)


def start_client_span(call: AwsCall, service: Any = None) -> Optional[Any]:
    """The call's span, or None: in streaming mode only under a running span (unless
    ``service``, a service's additions such as ``BedrockCall``, records calls anyway)."""
    attributes = call_attributes(call)
    op, origin = HTTP_CLIENT, ORIGIN
    if service is not None:
        op = service.op or op
        origin = service.origin or origin
        attributes.update(service.request_attributes())
    if span_streaming_enabled(Scope.get_client().options):
        skip_without_parent = service is None or service.skip_if_no_active_span
        if skip_without_parent and Scope.get_current_scope().streamed_span is None:
            return None
        attributes["sentry.op"] = op
        attributes["sentry.origin"] = origin
        return start_detached_streamed_span(call.span_name, attributes)
    span = start_span(op=op, name=call.span_name, origin=origin)
    try:
        set_span_attributes(span, attributes)
        if call.service_slug is not None:
            span.set_tag("aws.service_id", call.service_slug)
        span.set_tag("aws.operation_name", call.operation_name)
    except Exception:  # noqa: BLE001 - a span without its data still times the call
        pass
    return span


@contextmanager
def activated(span: Any) -> Iterator[None]:
    """``span`` is the current span inside the block (botocore's request hooks and the
    ``http.client`` span find it there); the previous one is back afterwards. The span
    itself is not ended."""
    if isinstance(span, NoOpStreamedSpan):
        yield
        return
    scope = Scope.get_current_scope()
    previous = scope.span
    scope.span = span
    try:
        yield
    finally:
        if isinstance(previous, StreamedSpan):
            scope.streamed_span = previous
        else:
            scope.span = previous


def finish_span(span: Any, error: Optional[BaseException] = None) -> None:
    """End ``span``; an error marks it failed. Never raises."""
    try:
        if isinstance(span, StreamedSpan):
            if error is None:
                span.end()
            else:
                span.__exit__(type(error), error, error.__traceback__)
            return
        if error is not None:
            span.set_status("internal_error")
        span.finish()
    except Exception:  # noqa: BLE001
        pass
