"""A streaming response body (S3 ``get_object``'s ``Body``) keeps the call's span open.

botocore returns the body before its bytes are read. The client span gets an
``http.client.stream`` child, and both end when the body is read to its end, read past
its end, closed (itself or its raw stream), or fails to read. Only this body object is
wrapped (its ``read``/``close``), never the ``StreamingBody`` class.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from sentry_lite.integration_api import (
    NoOpStreamedSpan,
    StreamedSpan,
    start_detached_streamed_span,
)
from sentry_lite.integrations.boto3._attributes import error_attributes
from sentry_lite.integrations.boto3._spans import finish_span, set_span_attributes
from sentry_lite.integrations.boto3.consts import ORIGIN

__all__ = ["keep_open_until_body_done"]

HTTP_CLIENT_STREAM = "http.client.stream"


def keep_open_until_body_done(span: Any, parsed: Dict[str, Any]) -> bool:
    """Wrap ``parsed["Body"]`` when it is a streaming body of a recorded span; True when
    the body now owns ending ``span``."""
    from botocore.response import StreamingBody

    body = parsed.get("Body")
    if not isinstance(body, StreamingBody):
        return False
    if isinstance(span, NoOpStreamedSpan):
        return False
    if not isinstance(span, StreamedSpan) and span.sampled is not True:
        return False  # nothing of it is sent: no reason to keep it open
    _BodyWatch(span, body)
    return True


def _stream_span(span: Any) -> Any:
    if isinstance(span, StreamedSpan):
        attributes = {"sentry.op": HTTP_CLIENT_STREAM, "sentry.origin": ORIGIN}
        return start_detached_streamed_span(span.name, attributes, span)
    return span.start_child(op=HTTP_CLIENT_STREAM, name=span.description, origin=ORIGIN)


class _BodyWatch:
    """Ends the stream span and then the client span, once, when the body is done."""

    __slots__ = ("body", "client_span", "finished", "reading", "stream_span")

    def __init__(self, client_span: Any, body: Any) -> None:
        self.client_span = client_span
        self.body = body
        self.stream_span = _stream_span(client_span)
        self.finished = False
        self.reading = False
        try:
            raw = body._raw_stream
            real_read, real_close, real_raw_close = body.read, body.close, raw.close
        except Exception:
            self.finish()
            raise

        def read(*args: Any, **kwargs: Any) -> Any:
            self.reading = True
            try:
                data = real_read(*args, **kwargs)
                amount = args[0] if args else kwargs.get("amt")
                if self.done_reading(amount, data):
                    self.finish()
                return data
            except BaseException as error:
                self.finish(error)
                raise
            finally:
                self.reading = False

        def close(*args: Any, **kwargs: Any) -> Any:
            try:
                rv = real_close(*args, **kwargs)
            except BaseException as error:
                self.finish(error)
                raise
            self.finish()
            return rv

        def raw_close(*args: Any, **kwargs: Any) -> Any:
            try:
                rv = real_raw_close(*args, **kwargs)
            except BaseException as error:
                self.finish(error)
                raise
            if not self.reading:  # a read that closes the stream decides itself
                self.finish()
            return rv

        raw.close = raw_close
        body.read = read
        body.close = close

    def done_reading(self, amount: Any, data: Any) -> bool:
        """Read to the end: no size given, an empty chunk asked past the end, or the
        announced length reached."""
        try:
            if amount is None or amount < 0 or (amount > 0 and not data):
                return True
            length = self.body._content_length
            return length is not None and self.body._amount_read >= int(length)
        except Exception:  # noqa: BLE001 - the close will end it
            return False

    def finish(self, error: Optional[BaseException] = None) -> None:
        if self.finished:
            return
        self.finished = True
        if error is not None:
            try:
                attributes = error_attributes(error)
                set_span_attributes(self.stream_span, attributes)
                set_span_attributes(self.client_span, attributes)
            except Exception:  # noqa: BLE001
                pass
        finish_span(self.stream_span, error)
        finish_span(self.client_span, error)
