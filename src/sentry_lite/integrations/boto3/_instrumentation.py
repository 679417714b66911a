"""botocore's per-attempt request hooks: the breadcrumb, the request's URL data on the
call's span, and the trace headers signed into the request.

``request-created`` runs for every attempt (a retry builds a fresh ``AWSRequest``) while
the call's span is current; it leaves the span in ``request.context`` for
``before-sign``, which runs last among the ``before-sign`` handlers, so that baggage an
app added there is merged, not replaced, before SigV4 signs the headers.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

from sentry_lite.integration_api import (
    Scope,
    StreamedSpan,
    active_integration,
    add_sentry_baggage_to_headers,
    iter_trace_propagation_headers,
    outgoing_url_attributes,
    should_propagate_trace,
    span_streaming_enabled,
)
from sentry_lite.integrations.boto3._attributes import server_attributes
from sentry_lite.integrations.boto3._spans import set_span_attributes
from sentry_lite.integrations.boto3.consts import IDENTIFIER, SPAN_KEY
from sentry_lite.integrations.http_client import add_http_breadcrumb, split_url

__all__ = ["on_before_sign", "on_request_created", "parse_url"]

parse_url = split_url
"""(URL without query and fragment, query, fragment); a module name, so that a test can
make it fail."""

_PRESIGNED = ("-query", "-presign-post")
"""Signature versions of presigned URLs: someone else sends the request later, and
headers added now would have to be sent with exactly these values."""


def _url_parts(url: str) -> Optional[Tuple[str, str, str]]:
    try:
        return parse_url(url)
    except Exception:  # noqa: BLE001 - no URL data then
        return None


def _request_data(request: Any, streaming: bool, options: Any) -> Dict[str, Any]:
    """The attempt's URL and method, as span data (and breadcrumb data) of the mode."""
    parts = _url_parts(request.url)
    data: Dict[str, Any] = {}
    if streaming:
        if parts is not None:
            data.update(outgoing_url_attributes(*parts, options))
        data["http.request.method"] = request.method
        return data
    if parts is not None:
        data["aws.request.url"], data["http.query"], data["http.fragment"] = parts
    data["http.method"] = request.method
    return data


def on_request_created(request: Any, operation_name: str, **kwargs: Any) -> None:
    client = Scope.get_client()
    if active_integration(IDENTIFIER, client) is None:
        return
    try:
        streaming = span_streaming_enabled(client.options)
        data = _request_data(request, streaming, client.options)
        add_http_breadcrumb(None, dict(data))
        scope = Scope.get_current_scope()
        span = scope.streamed_span if streaming else scope.span
        if span is None or (isinstance(span, StreamedSpan) and span.active):
            return  # no call span is current (an ignored one leaves its parent current)
        data.update(server_attributes(request.url))  # the URL botocore resolved
        set_span_attributes(span, data)
        request.context[SPAN_KEY] = span
    except Exception:  # noqa: BLE001
        pass


def _replace_header(headers: Any, name: str, value: str) -> None:
    """botocore's headers keep every assignment as another field: drop the old ones."""
    if name in headers:
        del headers[name]
    headers[name] = value


def on_before_sign(request: Any, signature_version: Any = None, **kwargs: Any) -> None:
    client = Scope.get_client()
    if active_integration(IDENTIFIER, client) is None:
        return
    try:
        if isinstance(signature_version, str) and signature_version.endswith(_PRESIGNED):
            return
        if request.url is None or not should_propagate_trace(client, request.url):
            return
        span = request.context.get(SPAN_KEY)
        headers = request.headers
        for name, value in iter_trace_propagation_headers(span=span):
            if name != "baggage":
                _replace_header(headers, name, value)
                continue
            merged = {"baggage": ",".join(str(v) for v in headers.get_all("baggage", []))}
            add_sentry_baggage_to_headers(merged, value)
            _replace_header(headers, "baggage", merged["baggage"])
    except Exception:  # noqa: BLE001
        pass
