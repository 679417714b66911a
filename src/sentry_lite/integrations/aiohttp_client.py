"""Outgoing ``aiohttp.ClientSession`` requests: an ``http.client`` span (a streamed one in
streaming mode, only under a running span), an ``httplib`` breadcrumb and the trace
headers, through a ``TraceConfig`` each new session gets (aiohttp's own hook for this,
the way sentry_sdk does it). See docs/frameworks/aiohttp.md.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, MutableMapping, Optional, Set

from sentry_lite.integration_api import (
    Scope,
    StreamedSpanView,
    active_integration,
    add_http_request_source,
    child_span,
    iter_trace_propagation_headers,
    outgoing_url_attributes,
    should_propagate_trace,
    span_streaming_enabled,
    start_span,
    streamed_span_of,
)
from sentry_lite.integrations import DidNotEnable
from sentry_lite.integrations.http_client import (
    add_http_breadcrumb,
    signed_trace_headers,
    split_url,
)

try:
    from aiohttp import TraceConfig
except ImportError as exc:  # pragma: no cover - exercised without aiohttp installed
    raise DidNotEnable("aiohttp is not installed") from exc

__all__ = ["IDENTIFIER", "ORIGIN", "new_trace_config"]

logger = logging.getLogger("sentry_lite")

IDENTIFIER = "aiohttp"
ORIGIN = f"auto.http.{IDENTIFIER}"


def new_trace_config() -> TraceConfig:
    """A ``TraceConfig`` for one session: its callbacks do nothing unless the integration
    is on for the client active when a request starts."""
    config = TraceConfig()
    config.on_request_start.append(_on_request_start)
    config.on_request_end.append(_on_request_end)
    config.on_request_exception.append(_on_request_exception)
    return config


async def _on_request_start(session: Any, ctx: Any, params: Any) -> None:
    if active_integration(IDENTIFIER) is None:
        return
    try:
        _begin(ctx, params)
    except Exception:  # noqa: BLE001 - the request goes out regardless, unobserved
        logger.debug("sentry_lite: could not observe an aiohttp request", exc_info=True)


def _begin(ctx: Any, params: Any) -> None:
    client = Scope.get_client()
    options = client.options
    method = params.method.upper()
    url = str(params.url)
    base, query, fragment = split_url(url)
    name = f"{method} {base}"
    crumb: Dict[str, Any] = {}
    span: Any
    if span_streaming_enabled(options):
        attributes = outgoing_url_attributes(base, query, fragment, options)
        if attributes:  # the URL only where data_collection or send_default_pii allow it
            attributes["url.path"] = params.url.path
            crumb["url"] = attributes["url.full"]
            if "url.query" in attributes:
                crumb["http.query"] = attributes["url.query"]
            if "url.fragment" in attributes:
                crumb["http.fragment"] = attributes["url.fragment"]
        span = child_span("http.client", name, ORIGIN)
        if span is not None:
            attributes["http.request.method"] = method
            span.set_attributes(attributes)
    else:
        span = start_span(op="http.client", name=name, origin=ORIGIN)
        crumb.update({"url": base, "http.query": query, "http.fragment": fragment})
        span.update_data({"http.method": method, **crumb})
    ctx._sentry_span = span
    ctx._sentry_breadcrumb = crumb
    if should_propagate_trace(client, url):
        _add_trace_headers(params.headers, url, span)


def _text(value: Any) -> Optional[str]:
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value if value is None else str(value)


def _add_trace_headers(headers: MutableMapping[str, Any], url: str, span: Any) -> None:
    """``sentry-trace`` and ``baggage``, leaving alone what the app set itself: its own
    ``sentry-trace``, a ``baggage`` that already has Sentry entries (ours are appended to
    any other), and either header when an AWS SigV4 signature covers it."""
    skip: Set[str] = set()
    if "sentry-trace" in headers:
        skip.add("sentry-trace")
    baggage = _text(headers.get("baggage"))
    if baggage and any(item.strip().startswith("sentry-") for item in baggage.split(",")):
        skip.add("baggage")
    skip.update(signed_trace_headers(_text(headers.get("Authorization")), url))
    for key, value in iter_trace_propagation_headers(span=span):
        if key.lower() in skip:
            continue
        existing = _text(headers.get(key)) if key == "baggage" else None
        headers[key] = f"{existing},{value}" if existing else value


async def _on_request_end(session: Any, ctx: Any, params: Any) -> None:
    crumb = getattr(ctx, "_sentry_breadcrumb", None)
    if crumb is None:
        return  # the integration was off when the request started
    try:
        response = params.response
        status = int(response.status)
        crumb["http.method"] = params.method.upper()
        crumb["http.response.status_code"] = status
        crumb["reason"] = response.reason
        add_http_breadcrumb(status, crumb)
        span = ctx._sentry_span
        if span is None:
            return
        if isinstance(span, StreamedSpanView):
            span.set_http_status(status)
            source_span: Any = streamed_span_of(span)  # it has the start time the rule reads
            add_http_request_source(source_span)
            span.finish()
            return
        span.set_http_status(status)
        span.set_data("reason", response.reason)
        span.finish()
        end = span.timestamp
        if end is not None:  # the finished span's duration (an app may have set its times)
            add_http_request_source(span, (end - span.start_timestamp).total_seconds())
    except Exception:  # noqa: BLE001
        logger.debug("sentry_lite: could not finish an aiohttp request's span", exc_info=True)


async def _on_request_exception(session: Any, ctx: Any, params: Any) -> None:
    """No answer (refused, timed out, cancelled, ``raise_for_status``): the span ends as
    failed; without it the span would stay open (and, streamed, the active span)."""
    span = getattr(ctx, "_sentry_span", None)
    if span is None:
        return
    try:
        span.set_status("internal_error")
        span.finish()
    except Exception:  # noqa: BLE001
        logger.debug("sentry_lite: could not finish an aiohttp request's span", exc_info=True)
