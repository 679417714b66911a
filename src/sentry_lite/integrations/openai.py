"""OpenAI: a ``gen_ai`` span for every Chat Completions, Responses and Embeddings call
of the ``openai`` client (sync and async), and its errors reported.

``create`` of the six resource classes is wrapped. A streamed response (``stream=True``)
keeps its span open until the app has read the stream to the end: the chunks are
watched on the way through for the model, the text and the token usage. What goes on
the span is in ``openai_data``; the span itself and the privacy rule in ``gen_ai``.
See docs/ai.md.
"""

from __future__ import annotations

import functools
import logging
import time
from typing import Any, AsyncIterator, Callable, Dict, Iterator, List, Optional

from sentry_lite.consts import OP, SPANDATA
from sentry_lite.integration_api import active_integration
from sentry_lite.integrations import DidNotEnable, Integration
from sentry_lite.integrations.gen_ai import ai_span, capture_ai_error, may_record, set_normalized
from sentry_lite.integrations.openai_data import (
    chat_request,
    completions_usage,
    embeddings_request,
    response_data,
    responses_request,
    responses_usage,
)

try:
    from openai import AsyncStream, Stream
    from openai.resources import AsyncEmbeddings, Embeddings
    from openai.resources.chat.completions import AsyncCompletions, Completions
except ImportError as exc:
    raise DidNotEnable("OpenAI not installed") from exc

try:  # the Responses API came with openai 1.66
    from openai.resources.responses import AsyncResponses, Responses
    from openai.types.responses import ResponseTextDeltaEvent
    from openai.types.responses.response_completed_event import ResponseCompletedEvent
except ImportError:
    Responses = AsyncResponses = None  # type: ignore[assignment,misc]
    ResponseTextDeltaEvent = ResponseCompletedEvent = None  # type: ignore[assignment,misc]

__all__ = ["OpenAIIntegration"]

logger = logging.getLogger("sentry_lite")


class OpenAIIntegration(Integration):
    identifier = "openai"
    origin = f"auto.ai.{identifier}"

    def __init__(
        self, include_prompts: bool = True, tiktoken_encoding_name: Optional[str] = None
    ) -> None:
        self.include_prompts = include_prompts
        self.tiktoken_encoding: Any = None
        if tiktoken_encoding_name is not None:
            try:
                import tiktoken  # type: ignore[import-not-found]

                self.tiktoken_encoding = tiktoken.get_encoding(tiktoken_encoding_name)
            except Exception:  # noqa: BLE001 - sentry_sdk raises here; we count nothing
                logger.warning(
                    "sentry_lite: OpenAIIntegration cannot load tiktoken encoding %r; "
                    "token counts come from the API only",
                    tiktoken_encoding_name,
                )

    def count_tokens(self, text: Any) -> int:
        """Tokens of ``text`` with the configured tiktoken encoding (0 without one)."""
        if self.tiktoken_encoding is None:
            return 0
        try:
            return len(self.tiktoken_encoding.encode_ordinary(text))
        except Exception:  # noqa: BLE001
            return 0

    @staticmethod
    def setup_once() -> None:
        _patch(Completions, AsyncCompletions, _CHAT)
        _patch(Embeddings, AsyncEmbeddings, _EMBEDDINGS)
        if Responses is not None:
            _patch(Responses, AsyncResponses, _RESPONSES)


# -- the three APIs ----------------------------------------------------------------------


class _Api:
    """How one API's call becomes a span: its op, name, request reader, input key."""

    __slots__ = ("input_key", "op", "operation", "read_request", "streams")

    def __init__(
        self,
        op: str,
        operation: str,
        read_request: Callable[[Any, Dict[str, Any], bool], None],
        input_key: str,
        streams: bool,
    ) -> None:
        self.op = op
        self.operation = operation
        self.read_request = read_request
        self.input_key = input_key
        self.streams = streams


_CHAT = _Api(OP.GEN_AI_CHAT, "chat", chat_request, "messages", True)
_RESPONSES = _Api(OP.GEN_AI_RESPONSES, "responses", responses_request, "input", True)
_EMBEDDINGS = _Api(OP.GEN_AI_EMBEDDINGS, "embeddings", embeddings_request, "input", False)


class _Call:
    """One call's span, from before the request to the end of the response (or stream)."""

    __slots__ = ("api", "integration", "kwargs", "recording", "span", "started")

    def __init__(self, api: _Api, integration: OpenAIIntegration, kwargs: Dict[str, Any]) -> None:
        self.api = api
        self.integration = integration
        self.kwargs = kwargs
        data: Dict[str, Any] = {SPANDATA.GEN_AI_SYSTEM: "openai"}
        if api.streams:
            data[SPANDATA.GEN_AI_RESPONSE_STREAMING] = kwargs.get("stream", False) or False
        name = f"{api.operation} {kwargs.get('model')}"
        self.span: Any = ai_span(api.op, name, OpenAIIntegration.origin, data)
        self.recording = self.span.sampled is not False
        if self.recording:
            try:
                api.read_request(self.span, kwargs, integration.include_prompts)
            except Exception:  # noqa: BLE001
                logger.debug("sentry_lite: could not read an OpenAI request", exc_info=True)
        self.started = time.perf_counter()

    def inputs(self) -> Any:
        value = self.kwargs.get(self.api.input_key)
        return [value] if isinstance(value, str) else value

    def failed(self, error: BaseException) -> None:
        capture_ai_error(error, "openai")
        try:
            self.span.__exit__(type(error), error, error.__traceback__)
        except Exception:  # noqa: BLE001
            logger.debug("sentry_lite: could not end an OpenAI span", exc_info=True)

    def answered(self, response: Any) -> Any:
        """The response arrived: a stream gets its chunks watched (the span ends with
        it), anything else ends the span now."""
        try:
            if self._watch_stream(response):
                return response
        except Exception:  # noqa: BLE001 - the span ends now, the stream goes unwatched
            logger.debug("sentry_lite: could not watch an OpenAI stream", exc_info=True)
        try:
            if self.recording:
                response_data(
                    self.span,
                    response,
                    self.inputs(),
                    self.integration.include_prompts,
                    self.integration.count_tokens,
                )
        except Exception:  # noqa: BLE001
            logger.debug("sentry_lite: could not read an OpenAI response", exc_info=True)
        try:
            self.span.__exit__(None, None, None)
        except Exception:  # noqa: BLE001
            logger.debug("sentry_lite: could not end an OpenAI span", exc_info=True)
        return response

    def _watch_stream(self, response: Any) -> bool:
        if not (self.api.streams and self.recording):
            return False
        if not isinstance(response, (Stream, AsyncStream)):
            return False
        iterator = getattr(response, "_iterator", None)
        if iterator is None:
            return False
        watcher = _ChunkWatcher(self, response)
        if isinstance(response, Stream):
            response._iterator = watcher.wrap(iterator)
        else:
            response._iterator = watcher.wrap_async(iterator)
        return True


class _ChunkWatcher:
    """Reads a streamed response's chunks as the app iterates over them."""

    def __init__(self, call: _Call, stream: Any) -> None:
        self.call = call
        self.stream = stream
        self.first_token: Optional[float] = None
        self.texts: List[List[str]] = []  # one list per choice
        self.usage: Any = None
        self.usage_seen = False  # Responses: the completed event carried the usage

    def see(self, chunk: Any) -> None:
        try:
            if self.call.api is _CHAT:
                self._see_chat(chunk)
            else:
                self._see_responses(chunk)
        except Exception:  # noqa: BLE001
            logger.debug("sentry_lite: could not read an OpenAI chunk", exc_info=True)

    def _token(self) -> None:
        if self.first_token is None:
            self.first_token = time.perf_counter() - self.call.started

    def _see_chat(self, chunk: Any) -> None:
        self.call.span.set_data(SPANDATA.GEN_AI_RESPONSE_MODEL, chunk.model)
        for index, choice in enumerate(getattr(chunk, "choices", None) or ()):
            delta: Any = getattr(choice, "delta", None)
            if hasattr(delta, "content"):
                self._token()
                while len(self.texts) <= index:
                    self.texts.append([])
                self.texts[index].append(delta.content or "")
        if hasattr(chunk, "usage"):
            self.usage = chunk.usage

    def _see_responses(self, chunk: Any) -> None:
        if ResponseTextDeltaEvent is not None and isinstance(chunk, ResponseTextDeltaEvent):
            self._token()
            if not self.texts:
                self.texts.append([])
            self.texts[0].append(chunk.delta or "")
        elif ResponseCompletedEvent is not None and isinstance(chunk, ResponseCompletedEvent):
            span = self.call.span
            span.set_data(SPANDATA.GEN_AI_RESPONSE_MODEL, chunk.response.model)
            integration = self.call.integration
            responses_usage(
                span, self.call.inputs(), chunk.response, None, integration.count_tokens
            )
            self.usage_seen = True

    def done(self) -> None:
        call = self.call
        span = call.span
        try:
            if self.first_token is not None:
                set_normalized(span, SPANDATA.GEN_AI_RESPONSE_TIME_TO_FIRST_TOKEN, self.first_token)
            texts = ["".join(parts) for parts in self.texts] if self.texts else None
            if texts and may_record("outputs", call.integration.include_prompts):
                set_normalized(span, SPANDATA.GEN_AI_RESPONSE_TEXT, texts)
            count = call.integration.count_tokens
            if call.api is _CHAT:
                completions_usage(span, call.inputs(), self.stream, texts, self.usage, count)
            elif texts and not self.usage_seen:
                responses_usage(span, call.inputs(), self.stream, texts, count)
        except Exception:  # noqa: BLE001
            logger.debug("sentry_lite: could not read an OpenAI stream", exc_info=True)
        span.__exit__(None, None, None)

    def broke(self, error: Exception) -> None:
        """The stream failed half-way (a dropped connection): the span ends with an
        error status. (sentry_sdk leaves it unfinished, so it is never sent.)"""
        try:
            self.call.span.__exit__(type(error), error, error.__traceback__)
        except Exception:  # noqa: BLE001
            logger.debug("sentry_lite: could not end an OpenAI span", exc_info=True)

    def wrap(self, iterator: Iterator[Any]) -> Iterator[Any]:
        try:
            for chunk in iterator:
                self.see(chunk)
                yield chunk
        except Exception as error:
            self.broke(error)
            raise
        self.done()

    async def wrap_async(self, iterator: AsyncIterator[Any]) -> AsyncIterator[Any]:
        try:
            async for chunk in iterator:
                self.see(chunk)
                yield chunk
        except Exception as error:
            self.broke(error)
            raise
        self.done()


# -- patching ------------------------------------------------------------------------------


def _begin(api: _Api, kwargs: Dict[str, Any]) -> Optional[_Call]:
    integration = active_integration(OpenAIIntegration.identifier)
    if integration is None:
        return None
    if api is _CHAT:  # a call without iterable messages fails in the client: no span
        try:
            iter(kwargs["messages"])
        except (KeyError, TypeError):
            return None
    try:
        return _Call(api, integration, kwargs)
    except Exception:  # noqa: BLE001 - the call goes out regardless
        logger.debug("sentry_lite: could not start an OpenAI span", exc_info=True)
        return None


def _patch(sync_class: Any, async_class: Any, api: _Api) -> None:
    real_create = sync_class.create
    if not getattr(real_create, "_sentry_lite", False):

        @functools.wraps(real_create)
        def create(*args: Any, **kwargs: Any) -> Any:
            call = _begin(api, kwargs)
            if call is None:
                return real_create(*args, **kwargs)
            try:
                response = real_create(*args, **kwargs)
            except Exception as error:
                call.failed(error)
                raise
            return call.answered(response)

        create._sentry_lite = True  # type: ignore[attr-defined]
        sync_class.create = create

    real_async_create = async_class.create
    if not getattr(real_async_create, "_sentry_lite", False):

        @functools.wraps(real_async_create)
        async def async_create(*args: Any, **kwargs: Any) -> Any:
            call = _begin(api, kwargs)
            if call is None:
                return await real_async_create(*args, **kwargs)
            try:
                response = await real_async_create(*args, **kwargs)
            except Exception as error:
                call.failed(error)
                raise
            return call.answered(response)

        async_create._sentry_lite = True  # type: ignore[attr-defined]
        async_class.create = async_create
