"""Patching the ``send`` of an httpx-style client: httpx and httpx2 share the API.

Every request of the sync and async APIs passes through ``Client.send`` and
``AsyncClient.send`` (httpx sends through its own transports, not ``http.client``), so
those two are wrapped: an ``http.client`` span (in streaming mode a streamed one, only
under a running span), an ``httplib`` breadcrumb and the trace headers. See docs/httpx.md.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from sentry_lite.integration_api import (
    Scope,
    active_integration,
    add_http_request_source,
    add_sentry_baggage_to_headers,
    child_span,
    iter_trace_propagation_headers,
    outgoing_url_attributes,
    should_propagate_trace,
    span_streaming_enabled,
    start_span,
    streamed_span_of,
)
from sentry_lite.integrations.http_client import add_http_breadcrumb, split_url

__all__ = ["patch_clients"]


class _Call:
    """One request's span and breadcrumb, from before ``send`` to after it.

    Our steps never raise into the request: each is guarded, and a request whose
    bookkeeping failed still goes out (unobserved)."""

    __slots__ = ("crumb", "span", "streaming", "url_attributes")

    def __init__(self, request: Any, origin: str) -> None:
        client = Scope.get_client()
        options = client.options
        method = request.method
        url = str(request.url)
        base, query, fragment = split_url(url)
        name = f"{method} {base}"
        self.streaming = span_streaming_enabled(options)
        self.crumb: Dict[str, Any] = {"http.method": method}
        self.url_attributes: Dict[str, Any] = {}
        self.span: Any
        if self.streaming:
            self.span = child_span("http.client", name, origin)
            if self.span is not None:
                self.span.set_data("http.request.method", method)
            self.url_attributes = outgoing_url_attributes(base, query, fragment, options)
            if self.url_attributes:
                self.crumb["url"] = self.url_attributes.get("url.full", "")
                self.crumb["http.query"] = self.url_attributes.get("url.query", "")
                self.crumb["http.fragment"] = self.url_attributes.get("url.fragment", "")
        else:
            self.span = start_span(op="http.client", name=name, origin=origin)
            data = {"http.method": method, "url": base, "http.query": query}
            data["http.fragment"] = fragment
            self.span.update_data(data)
            self.crumb.update(data)
        if should_propagate_trace(client, url):
            for key, value in iter_trace_propagation_headers(span=self.span):
                if key == "baggage":  # the app's own entries stay, its sentry- ones go
                    add_sentry_baggage_to_headers(request.headers, value)
                else:
                    request.headers[key] = value

    def __enter__(self) -> _Call:
        if self.span is not None:
            try:
                self.span.__enter__()
            except Exception:  # noqa: BLE001
                self.span = None
        return self

    def responded(self, response: Any) -> None:
        """The answer arrived (before the span ends)."""
        try:
            span = self.span
            status = response.status_code
            self.crumb["http.response.status_code"] = status
            self.crumb["reason"] = response.reason_phrase
            if span is None:
                return
            span.set_http_status(status)
            if not self.streaming:
                span.set_data("reason", response.reason_phrase)
            # the streamed span itself: it has the start time the source rule needs
            source_span: Any = streamed_span_of(span) or span
            add_http_request_source(source_span)
        except Exception:  # noqa: BLE001
            pass

    def __exit__(self, ty: Any, value: Any, tb: Any) -> None:
        span = self.span
        if span is None:
            return
        try:
            if self.streaming and self.url_attributes:
                span.set_attributes(self.url_attributes)
            span.__exit__(ty, value, tb)
        except Exception:  # noqa: BLE001
            pass

    def answered(self) -> None:
        """After the span: the breadcrumb (only for a request that got an answer)."""
        try:
            add_http_breadcrumb(self.crumb.get("http.response.status_code"), self.crumb)
        except Exception:  # noqa: BLE001
            pass


def _begin(identifier: str, origin: str, request: Any) -> Optional[_Call]:
    if active_integration(identifier) is None:
        return None
    try:
        return _Call(request, origin)
    except Exception:  # noqa: BLE001 - the request must go out regardless
        return None


def patch_clients(client_class: Any, async_client_class: Any, integration: Any) -> None:
    """Wrap ``send`` of both client classes for ``integration`` (its identifier and
    origin); patching twice is a no-op."""
    identifier: str = integration.identifier
    origin: str = integration.origin
    real_send = client_class.send
    if not getattr(real_send, "_sentry_lite", False):

        def send(self: Any, request: Any, **kwargs: Any) -> Any:
            call = _begin(identifier, origin, request)
            if call is None:
                return real_send(self, request, **kwargs)
            with call:
                response = real_send(self, request, **kwargs)
                call.responded(response)
            call.answered()
            return response

        send._sentry_lite = True  # type: ignore[attr-defined]
        client_class.send = send

    real_async_send = async_client_class.send
    if not getattr(real_async_send, "_sentry_lite", False):

        async def async_send(self: Any, request: Any, **kwargs: Any) -> Any:
            call = _begin(identifier, origin, request)
            if call is None:
                return await real_async_send(self, request, **kwargs)
            with call:
                response = await real_async_send(self, request, **kwargs)
                call.responded(response)
            call.answered()
            return response

        async_send._sentry_lite = True  # type: ignore[attr-defined]
        async_client_class.send = async_send
