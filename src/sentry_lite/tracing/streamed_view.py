"""A streamed span seen through the transaction-era span surface, for integrations.

Integrations were written against ``Span``: ``set_data``, ``set_tag``,
``set_http_status``, ``name``/``source`` of the request's transaction, ``finish``. In
streaming mode the integration API hands them this view instead, so the same code
emits streamed spans: data and tags become attributes, the op and origin become
``sentry.op``/``sentry.origin``, an HTTP status sets ``http.response.status_code``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, Iterator, Optional, Tuple, Union

from sentry_lite.tracing.baggage import Baggage
from sentry_lite.tracing.streamed import StreamedSpan
from sentry_lite.tracing.streamed_noop import NoOpStreamedSpan

__all__ = ["StreamedSpanView", "view_of"]

_OK_STATUSES = frozenset(("ok", None))
_RENAMED = {
    "db.system": "db.system.name",
    "http.method": "http.request.method",
    "code.lineno": "code.line.number",
    "code.filepath": "code.file.path",
    "db.name": "db.namespace",
}
"""Span data keys of the transaction era whose streaming attribute has a new name."""
_DROPPED = frozenset(("http.fragment", "http.query", "reason", "url"))
"""Span data sentry_sdk does not send as attributes in streaming mode (the URL goes
as ``url.full`` only with ``send_default_pii``; the span name carries it anyway)."""


class StreamedSpanView:
    __slots__ = ("span",)

    def __init__(self, span: StreamedSpan) -> None:
        self.span = span

    def __repr__(self) -> str:
        return f"<StreamedSpanView {self.span!r}>"

    # -- identity -------------------------------------------------------------------------
    @property
    def sampled(self) -> Optional[bool]:
        return self.span.sampled

    @property
    def span_id(self) -> str:
        return self.span.span_id

    @property
    def trace_id(self) -> str:
        return self.span.trace_id

    @property
    def containing_transaction(self) -> None:
        return None

    @property
    def start_timestamp(self) -> Optional[datetime]:
        return self.span.start_timestamp

    # -- naming ---------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.span.name

    @name.setter
    def name(self, value: str) -> None:
        self.span.name = value
        if value and self.op == "db":  # the query is the name of a DB span
            self.span.set_attribute("db.query.text", value)

    description = name

    @property
    def source(self) -> Any:
        return self.span.get_attributes().get("sentry.segment.name.source")

    @source.setter
    def source(self, value: Any) -> None:
        self.span.set_attribute("sentry.segment.name.source", str(value))

    @property
    def op(self) -> Any:
        return self.span.get_attributes().get("sentry.op")

    @op.setter
    def op(self, value: Any) -> None:
        self.span.set_attribute("sentry.op", value)

    @property
    def segment(self) -> StreamedSpanView:
        """The segment this span belongs to (what ``containing_transaction`` was), for an
        integration that renames the request after what it ran (a GraphQL operation)."""
        return view_of(getattr(self.span, "_segment", None) or self.span)

    @property
    def origin(self) -> Any:
        return self.span.get_attributes().get("sentry.origin")

    # -- data -----------------------------------------------------------------------------
    def set_data(self, key: str, value: Any) -> None:
        if value is None or key in _DROPPED:
            return
        self.span.set_attribute(_RENAMED.get(key, key), value)

    def set_attribute(self, key: str, value: Any) -> None:
        """A streaming attribute under its own name (no legacy renaming or dropping)."""
        self.span.set_attribute(key, value)

    def set_attributes(self, attributes: Dict[str, Any]) -> None:
        """Streaming attributes under their own names, in one call."""
        self.span.set_attributes(attributes)

    def update_data(self, data: Dict[str, Any]) -> None:
        for key, value in data.items():
            self.set_data(key, value)

    def get_data(self) -> Dict[str, Any]:
        return dict(self.span.get_attributes())

    set_tag = set_data

    @property
    def status(self) -> str:
        return self.span.status

    def set_status(self, status: Any) -> None:
        self.span.status = "ok" if status in _OK_STATUSES else "error"

    def set_http_status(self, status: int) -> None:
        self.span.status = "error" if status >= 400 else "ok"
        self.span.set_attribute("http.response.status_code", status)

    # -- lifecycle ------------------------------------------------------------------------
    def __enter__(self) -> StreamedSpanView:
        return self

    def __exit__(self, ty: Any, value: Any, tb: Any) -> None:
        self.span.__exit__(ty, value, tb)

    def finish(
        self, scope: Any = None, end_timestamp: Optional[Union[datetime, float]] = None, **_: Any
    ) -> None:
        self.span.end(end_timestamp)

    # -- propagation ----------------------------------------------------------------------
    def to_traceparent(self) -> str:
        return self.span._to_traceparent()

    def to_baggage(self) -> Optional[Baggage]:
        return self.span._to_baggage()

    def iter_headers(self) -> Iterator[Tuple[str, str]]:
        return self.span._iter_headers()

    def get_trace_context(self) -> Dict[str, Any]:
        return self.span._get_trace_context()


_SOURCE = "sentry.segment.name.source"


class _UnrecordedSpanView(StreamedSpanView):
    """The view of a span that records nothing (``NoOpStreamedSpan``): what the span
    would ignore is ignored here, one call sooner. Most requests of a sampled-down app
    run under one, and each request sets its status, route and name through the view.
    Only the segment name's source is kept, as the span keeps it."""

    __slots__ = ()

    @property
    def name(self) -> str:
        return self.span.name

    @name.setter
    def name(self, value: str) -> None:
        self.span.name = value  # no ``db.query.text``: the span keeps no attribute but one

    description = name

    def set_data(self, key: str, value: Any) -> None:
        if key == _SOURCE and value is not None:
            self.span.set_attribute(key, value)

    set_tag = set_data

    def set_status(self, status: Any) -> None:
        pass

    def set_http_status(self, status: int) -> None:
        pass


def view_of(span: StreamedSpan) -> StreamedSpanView:
    """The span surface integrations use, for a streamed span."""
    if type(span) is NoOpStreamedSpan:
        return _UnrecordedSpanView(span)
    return StreamedSpanView(span)
