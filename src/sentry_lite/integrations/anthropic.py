"""Anthropic: a ``gen_ai.chat`` span for every ``messages.create`` and ``messages.stream``
call of the ``anthropic`` client (sync and async), and its errors reported.

A streamed answer keeps its span open until the app has read it to the end or closed
the stream, whichever comes first: the events are added up on the way through
(``anthropic_data.StreamTotals``). The stream classes' ``_iterator`` and ``close`` are
patched once, and do nothing for a stream no span was attached to. See docs/ai.md.
"""

from __future__ import annotations

import functools
import logging
from typing import Any, AsyncIterator, Dict, Iterator, Optional

from sentry_lite.consts import OP, SPANDATA
from sentry_lite.integration_api import active_integration
from sentry_lite.integrations import DidNotEnable, Integration
from sentry_lite.integrations.anthropic_data import (
    StreamTotals,
    complete_message_data,
    request_data,
)
from sentry_lite.integrations.gen_ai import ai_span, capture_ai_error

try:
    from anthropic import AsyncStream, Stream
    from anthropic.lib.streaming import (
        AsyncMessageStream,
        AsyncMessageStreamManager,
        MessageStream,
        MessageStreamManager,
    )
    from anthropic.resources import AsyncMessages, Messages
except ImportError as exc:
    raise DidNotEnable("Anthropic not installed") from exc

__all__ = ["AnthropicIntegration"]

logger = logging.getLogger("sentry_lite")

_STATE = "_sentry_lite_ai"
"""The attribute a watched stream (and a stream manager, its request) carries."""
_EVENT_TYPES = frozenset(
    (
        "message_start",
        "message_delta",
        "message_stop",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
    )
)


class AnthropicIntegration(Integration):
    identifier = "anthropic"
    origin = f"auto.ai.{identifier}"

    def __init__(self, include_prompts: bool = True) -> None:
        self.include_prompts = include_prompts

    @staticmethod
    def setup_once() -> None:
        if _version() < MIN_VERSION:
            raise DidNotEnable("Integration only supports anthropic 0.16 or newer.")
        if getattr(Messages.create, "_sentry_lite", False):
            return
        patches: Any = (
            (Messages, "create", _wrap_create),
            (AsyncMessages, "create", _wrap_async_create),
            (Messages, "stream", _wrap_stream),
            (AsyncMessages, "stream", _wrap_stream),
            (MessageStreamManager, "__enter__", _wrap_enter),
            (AsyncMessageStreamManager, "__aenter__", _wrap_aenter),
            (Stream, "close", _wrap_close),
            (MessageStream, "close", _wrap_close),
            (AsyncStream, "close", _wrap_async_close),
            (AsyncMessageStream, "close", _wrap_async_close),
        )
        for cls, name, wrap in patches:
            setattr(cls, name, wrap(getattr(cls, name)))
        _watch_lazy_iterator(Stream, _watched)
        _watch_lazy_iterator(AsyncStream, _watched_async)


MIN_VERSION = (0, 16)
"""The oldest anthropic sentry_sdk 2.75 supports."""


def _version() -> tuple[int, ...]:
    import anthropic

    parts = []
    for part in str(getattr(anthropic, "__version__", "0")).split(".")[:3]:
        digits = "".join(c for c in part if c.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


# -- one call's span -----------------------------------------------------------------------


class _Watch:
    """The span of one call whose answer streams, and what the stream added up to."""

    __slots__ = ("include_prompts", "span", "totals")

    def __init__(self, span: Any, include_prompts: bool) -> None:
        self.span = span
        self.include_prompts = include_prompts
        self.totals = StreamTotals()

    def see(self, event: Any) -> None:
        if getattr(event, "type", None) in _EVENT_TYPES:
            try:
                self.totals.add(event)
            except Exception:  # noqa: BLE001
                logger.debug("sentry_lite: could not read an Anthropic event", exc_info=True)


def _end(stream: Any, error: Optional[BaseException] = None) -> None:
    """End the span of ``stream`` with what it added up to (once: the stream's end and
    its ``close`` may both come)."""
    watch = stream.__dict__.pop(_STATE, None)
    if watch is None:
        return
    try:
        watch.totals.put_on(watch.span, watch.include_prompts)
    except Exception:  # noqa: BLE001
        logger.debug("sentry_lite: could not read an Anthropic stream", exc_info=True)
    try:
        if error is None:
            watch.span.__exit__(None, None, None)
        else:
            watch.span.__exit__(type(error), error, error.__traceback__)
    except Exception:  # noqa: BLE001
        logger.debug("sentry_lite: could not end an Anthropic span", exc_info=True)


def _start(request: Dict[str, Any], streaming: Any) -> Optional[Any]:
    """The call's span (None: not instrumented, the call goes out as it is)."""
    integration = active_integration(AnthropicIntegration.identifier)
    if integration is None:
        return None
    try:
        iter(request["messages"])
    except (KeyError, TypeError):
        return None
    try:
        model = request.get("model")
        name = "chat" if model is None else f"chat {model}".strip()
        span = ai_span(
            OP.GEN_AI_CHAT,
            name,
            AnthropicIntegration.origin,
            {SPANDATA.GEN_AI_RESPONSE_STREAMING: streaming},
        )
    except Exception:  # noqa: BLE001
        logger.debug("sentry_lite: could not start an Anthropic span", exc_info=True)
        return None
    if span.sampled is not False:
        try:
            request_data(span, request, integration.include_prompts)
        except Exception:  # noqa: BLE001
            logger.debug("sentry_lite: could not read an Anthropic request", exc_info=True)
    return (span, integration)


def _failed(span: Any, error: BaseException) -> None:
    capture_ai_error(error, AnthropicIntegration.identifier)
    try:
        span.__exit__(type(error), error, error.__traceback__)
    except Exception:  # noqa: BLE001
        logger.debug("sentry_lite: could not end an Anthropic span", exc_info=True)


def _answered(span: Any, integration: Any, result: Any, stream_class: Any) -> Any:
    """A stream gets watched (its span ends with it); a message ends the span now."""
    if isinstance(result, stream_class):
        result.__dict__[_STATE] = _Watch(span, integration.include_prompts)
        eager = result.__dict__.get("_iterator")  # anthropic < 1.14 made it in __init__
        if eager is not None:
            wrap = _watched if stream_class is Stream else _watched_async
            result._iterator = wrap(result, eager)
        return result
    try:
        if span.sampled is not False and hasattr(result, "content"):
            complete_message_data(span, integration.include_prompts, result)
        elif span.sampled is not False:
            span.set_data("unknown_response", True)
    except Exception:  # noqa: BLE001
        logger.debug("sentry_lite: could not read an Anthropic message", exc_info=True)
    try:
        span.__exit__(None, None, None)
    except Exception:  # noqa: BLE001
        logger.debug("sentry_lite: could not end an Anthropic span", exc_info=True)
    return result


# -- patches -------------------------------------------------------------------------------


def _wrap_create(real: Any) -> Any:
    @functools.wraps(real)
    def create(*args: Any, **kwargs: Any) -> Any:
        started = _start(kwargs, kwargs.get("stream", False))
        if started is None:
            return real(*args, **kwargs)
        span, integration = started
        try:
            result = real(*args, **kwargs)
        except Exception as error:
            _failed(span, error)
            raise
        return _answered(span, integration, result, Stream)

    create._sentry_lite = True  # type: ignore[attr-defined]
    return create


def _wrap_async_create(real: Any) -> Any:
    @functools.wraps(real)
    async def create(*args: Any, **kwargs: Any) -> Any:
        started = _start(kwargs, kwargs.get("stream", False))
        if started is None:
            return await real(*args, **kwargs)
        span, integration = started
        try:
            result = await real(*args, **kwargs)
        except Exception as error:
            _failed(span, error)
            raise
        return _answered(span, integration, result, AsyncStream)

    return create


def _wrap_stream(real: Any) -> Any:
    """``messages.stream(...)`` only builds a manager: keep the request on it for the
    span that starts when the manager is entered."""

    @functools.wraps(real)
    def stream(*args: Any, **kwargs: Any) -> Any:
        manager = real(*args, **kwargs)
        try:
            manager.__dict__[_STATE] = dict(kwargs)
        except Exception:  # noqa: BLE001
            pass
        return manager

    return stream


def _wrap_enter(real: Any) -> Any:
    @functools.wraps(real)
    def enter(self: Any) -> Any:
        request = self.__dict__.get(_STATE)
        started = _start(request, True) if request is not None else None
        if started is None:
            return real(self)
        span, integration = started
        try:
            stream = real(self)
        except Exception as error:
            _failed(span, error)
            raise
        _attach(stream, span, integration)
        stream._iterator = _watched(stream, stream._iterator)
        return stream

    return enter


def _wrap_aenter(real: Any) -> Any:
    @functools.wraps(real)
    async def aenter(self: Any) -> Any:
        request = self.__dict__.get(_STATE)
        started = _start(request, True) if request is not None else None
        if started is None:
            return await real(self)
        span, integration = started
        try:
            stream = await real(self)
        except Exception as error:
            _failed(span, error)
            raise
        _attach(stream, span, integration)
        stream._iterator = _watched_async(stream, stream._iterator)
        return stream

    return aenter


def _attach(stream: Any, span: Any, integration: Any) -> None:
    stream.__dict__[_STATE] = _Watch(span, integration.include_prompts)


def _watched(stream: Any, iterator: Iterator[Any]) -> Iterator[Any]:
    try:
        for event in iterator:
            watch = stream.__dict__.get(_STATE)
            if watch is not None:
                watch.see(event)
            yield event
    except BaseException as error:
        _end(stream, error)
        raise
    _end(stream)


async def _watched_async(stream: Any, iterator: AsyncIterator[Any]) -> AsyncIterator[Any]:
    try:
        async for event in iterator:
            watch = stream.__dict__.get(_STATE)
            if watch is not None:
                watch.see(event)
            yield event
    except BaseException as error:
        _end(stream, error)
        raise
    _end(stream)


def _watch_lazy_iterator(cls: Any, wrap: Any) -> None:
    """The client makes a stream's ``_iterator`` on first use (a cached property):
    watch it there when a span is attached, so unwatched streams pay nothing."""
    original = cls.__dict__.get("_iterator")
    if not isinstance(original, functools.cached_property):
        return
    make = original.func

    def _iterator(self: Any) -> Any:
        iterator = make(self)
        if _STATE not in self.__dict__:
            return iterator
        return wrap(self, iterator)

    patched = functools.cached_property(_iterator)
    patched.__set_name__(cls, "_iterator")
    cls._iterator = patched


def _wrap_close(real: Any) -> Any:
    @functools.wraps(real)
    def close(self: Any) -> Any:
        try:
            return real(self)
        finally:
            _end(self)

    return close


def _wrap_async_close(real: Any) -> Any:
    @functools.wraps(real)
    async def close(self: Any) -> Any:
        try:
            return await real(self)
        finally:
            _end(self)

    return close
