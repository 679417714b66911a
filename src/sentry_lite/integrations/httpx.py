"""httpx: outgoing requests as ``http.client`` spans and ``httplib`` breadcrumbs.

httpx sends through its own transports, not ``http.client``, so ``Client.send`` and
``AsyncClient.send`` are patched (every request of both APIs passes through them, as
with sentry_sdk). A request to a URL that ``trace_propagation_targets`` matches carries
``sentry-trace``/``baggage`` (an app's own ``baggage`` entries kept, its ``sentry-``
ones replaced). In streaming mode (``trace_lifecycle="stream"``) the span is made only
under a running one, with sentry_sdk's names: ``http.request.method``, the
``url.*`` attributes as ``send_default_pii``/``data_collection`` allow, and
``http.response.status_code``.
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
from sentry_lite.integrations import DidNotEnable, Integration
from sentry_lite.integrations.http_client import add_http_breadcrumb, split_url

try:
    from httpx import AsyncClient, Client
except ImportError as exc:  # pragma: no cover - exercised without httpx installed
    raise DidNotEnable("httpx is not installed") from exc

__all__ = ["HttpxIntegration"]


class HttpxIntegration(Integration):
    identifier = "httpx"
    origin = f"auto.http.{identifier}"

    @staticmethod
    def setup_once() -> None:
        _patch_client()
        _patch_async_client()


class _Call:
    """One request's span and breadcrumb, from before ``send`` to after it.

    Our steps never raise into the request: each is guarded, and a request whose
    bookkeeping failed still goes out (unobserved)."""

    __slots__ = ("crumb", "span", "streaming", "url_attributes")

    def __init__(self, request: Any) -> None:
        options = Scope.get_client().options
        method = request.method
        url = str(request.url)
        base, query, fragment = split_url(url)
        name = f"{method} {base}"
        self.streaming = span_streaming_enabled(options)
        self.crumb: Dict[str, Any] = {"http.method": method}
        self.url_attributes: Dict[str, Any] = {}
        self.span: Any
        if self.streaming:
            self.span = child_span("http.client", name, HttpxIntegration.origin)
            if self.span is not None:
                self.span.set_data("http.request.method", method)
            self.url_attributes = outgoing_url_attributes(base, query, fragment, options)
            if self.url_attributes:
                self.crumb["url"] = self.url_attributes.get("url.full", "")
                self.crumb["http.query"] = self.url_attributes.get("url.query", "")
                self.crumb["http.fragment"] = self.url_attributes.get("url.fragment", "")
        else:
            self.span = start_span(op="http.client", name=name, origin=HttpxIntegration.origin)
            data = {"http.method": method, "url": base, "http.query": query}
            data["http.fragment"] = fragment
            self.span.update_data(data)
            self.crumb.update(data)
        if should_propagate_trace(Scope.get_client(), url):
            for key, value in iter_trace_propagation_headers(span=self.span):
                if key == "baggage":
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
        add_http_breadcrumb(self.crumb.get("http.response.status_code"), self.crumb)


def _begin(request: Any) -> Optional[_Call]:
    if active_integration(HttpxIntegration.identifier) is None:
        return None
    try:
        return _Call(request)
    except Exception:  # noqa: BLE001 - the request must go out regardless
        return None


def _safe_responded(call: _Call, response: Any) -> None:
    try:
        call.responded(response)
    except Exception:  # noqa: BLE001
        pass


def _safe_answered(call: _Call) -> None:
    try:
        call.answered()
    except Exception:  # noqa: BLE001
        pass


def _patch_client() -> None:
    real_send = Client.send
    if getattr(real_send, "_sentry_lite", False):
        return

    def send(self: Client, request: Any, **kwargs: Any) -> Any:
        call = _begin(request)
        if call is None:
            return real_send(self, request, **kwargs)
        with call:
            response = real_send(self, request, **kwargs)
            _safe_responded(call, response)
        _safe_answered(call)
        return response

    send._sentry_lite = True  # type: ignore[attr-defined]
    Client.send = send  # type: ignore[method-assign]


def _patch_async_client() -> None:
    real_send = AsyncClient.send
    if getattr(real_send, "_sentry_lite", False):
        return

    async def send(self: AsyncClient, request: Any, **kwargs: Any) -> Any:
        call = _begin(request)
        if call is None:
            return await real_send(self, request, **kwargs)
        with call:
            response = await real_send(self, request, **kwargs)
            _safe_responded(call, response)
        _safe_answered(call)
        return response

    send._sentry_lite = True  # type: ignore[attr-defined]
    AsyncClient.send = send  # type: ignore[method-assign]
