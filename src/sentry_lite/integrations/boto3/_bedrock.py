"""Bedrock Runtime: ``Converse`` and ``ConverseStream`` calls as ``gen_ai.chat`` spans.

The call's span (see ``_client``) gets op ``gen_ai.chat``, origin ``auto.ai.boto3`` and
the request's ``gen_ai.*`` data (model, inference settings, and as ``data_collection``
or ``send_default_pii`` allow, system instructions and messages; tool definitions). The
answer adds token usage, finish reasons and the output messages. A ``ConverseStream``
answer's event stream carries the span: it ends when the stream is read to its end or
closed. Other Bedrock operations (``InvokeModel``...) keep the generic span.
"""

from __future__ import annotations

import json
import time
from typing import Any, Dict, List, Optional

from sentry_lite.integration_api import (
    Scope,
    StreamedSpan,
    data_collection_configured,
)
from sentry_lite.integrations.boto3 import _bedrock_messages as convert
from sentry_lite.integrations.boto3._call import AwsCall
from sentry_lite.integrations.boto3._spans import finish_span, set_span_attributes

__all__ = ["BEDROCK_SERVICE", "BedrockCall", "patch_event_stream"]

BEDROCK_SERVICE = "bedrock-runtime"
CHAT_OPERATIONS = ("Converse", "ConverseStream")
AI_ORIGIN = "auto.ai.boto3"
STREAM_SPAN = "_sentry_lite_span"
STREAM_START = "_sentry_lite_request_start"


def _collects(kind: str) -> bool:
    """May gen_ai ``inputs``/``outputs`` be sent? (``data_collection``, else pii.)"""
    options = Scope.get_client().options
    gen_ai = (options.get("data_collection") or {}).get("gen_ai") or {}
    if data_collection_configured(options):
        return bool(gen_ai.get(kind))
    return bool(options.send_default_pii)


def usage_attributes(usage: Dict[str, Any]) -> Dict[str, Any]:
    """Token counts; input tokens include the cached ones read and written."""
    attributes: Dict[str, Any] = {
        "gen_ai.usage.output_tokens": usage["outputTokens"],
        "gen_ai.usage.total_tokens": usage["totalTokens"],
    }
    input_tokens = usage["inputTokens"]
    for source, key in (
        ("cacheReadInputTokens", "gen_ai.usage.input_tokens.cached"),
        ("cacheWriteInputTokens", "gen_ai.usage.input_tokens.cache_write"),
    ):
        count = usage.get(source)
        if count is not None:
            input_tokens += count
            attributes[key] = count
    attributes["gen_ai.usage.input_tokens"] = input_tokens
    return attributes


class BedrockCall:
    """What a Bedrock Runtime call adds to the generic span."""

    __slots__ = ("call", "chat", "params", "request_start")

    skip_if_no_active_span = False
    """An AI call is recorded even outside any span (as its own segment when streaming)."""

    def __init__(self, call: AwsCall, params: Dict[str, Any]) -> None:
        self.call = call
        self.params = params
        self.chat = call.operation_name in CHAT_OPERATIONS
        self.request_start: Optional[float] = None

    @property
    def op(self) -> Optional[str]:
        return "gen_ai.chat" if self.chat else None

    @property
    def origin(self) -> Optional[str]:
        return AI_ORIGIN if self.chat else None

    def request_attributes(self) -> Dict[str, Any]:
        if not self.chat:
            return {}
        params = self.params
        attributes: Dict[str, Any] = {
            "gen_ai.provider.name": "aws.bedrock",
            "gen_ai.operation.name": "chat",
            "gen_ai.response.streaming": self.call.operation_name == "ConverseStream",
        }
        if params.get("modelId") is not None:
            attributes["gen_ai.request.model"] = params["modelId"]
        config = params.get("inferenceConfig")
        if isinstance(config, dict):
            for source, key in (
                ("maxTokens", "gen_ai.request.max_tokens"),
                ("temperature", "gen_ai.request.temperature"),
                ("topP", "gen_ai.request.top_p"),
            ):
                if config.get(source) is not None:
                    attributes[key] = config[source]
        configured = data_collection_configured()
        if configured and not _collects("inputs"):
            return attributes
        if configured or Scope.get_client().options.send_default_pii:
            system = params.get("system")
            if isinstance(system, (list, tuple)):
                instructions = convert.system_instructions(system)
                attributes["gen_ai.system_instructions"] = json.dumps(instructions)
            messages = params.get("messages")
            if isinstance(messages, (list, tuple)):
                attributes["gen_ai.input.messages"] = json.dumps(convert.messages(messages))
        tool_config = params.get("toolConfig")
        tools = tool_config.get("tools") if isinstance(tool_config, dict) else None
        if isinstance(tools, list):
            attributes["gen_ai.tool.definitions"] = json.dumps(convert.tool_definitions(tools))
        return attributes

    def started(self) -> None:
        self.request_start = time.perf_counter()

    def answered(self, response: Any, span: Any) -> None:
        """Record the answer; end the span, or hand it to a ConverseStream's stream."""
        operation = self.call.operation_name
        if operation == "ConverseStream":
            stream = response["stream"]
            setattr(stream, STREAM_SPAN, span)
            setattr(stream, STREAM_START, self.request_start)
            return
        if operation == "Converse":
            attributes = usage_attributes(response["usage"])
            attributes["gen_ai.response.finish_reasons"] = [response["stopReason"]]
            if "message" in response["output"] and _collects("outputs"):
                output = convert.messages([response["output"]["message"]])
                attributes["gen_ai.output.messages"] = json.dumps(output)
            set_span_attributes(span, attributes)
        finish_span(span)


class _StreamRecorder:
    """Reads a ConverseStream's events as they pass: usage, time to first chunk,
    finish reasons and (when outputs may be sent) the answer's message."""

    __slots__ = ("outputs", "parts", "role", "span", "start")

    def __init__(self, span: Any, start: Optional[float]) -> None:
        self.span = span
        self.start = start
        self.role: Optional[str] = None
        self.parts: Dict[int, Dict[str, Any]] = {}
        self.outputs = _collects("outputs")

    def set(self, attributes: Dict[str, Any]) -> None:
        set_span_attributes(self.span, attributes)

    def see(self, event: Dict[str, Any]) -> None:
        if "metadata" in event:
            self.set(usage_attributes(event["metadata"]["usage"]))
            return
        if self.start is not None and "contentBlockDelta" in event:
            self.set({"gen_ai.response.time_to_first_chunk": time.perf_counter() - self.start})
            self.start = None
        if "messageStop" in event:
            self.set({"gen_ai.response.finish_reasons": [event["messageStop"]["stopReason"]]})
        if not self.outputs:
            return
        if "messageStart" in event:
            self.role = event["messageStart"]["role"]
        elif "messageStop" in event:
            if self.role is not None:
                parts = [self.parts[index] for index in sorted(self.parts)]
                message = [{"role": self.role, "parts": parts}]
                self.set({"gen_ai.output.messages": json.dumps(message)})
        elif "contentBlockStart" in event:
            self.block_start(event["contentBlockStart"])
        elif "contentBlockDelta" in event:
            delta = event["contentBlockDelta"]
            self.delta(delta["contentBlockIndex"], delta["delta"])

    def block_start(self, block: Dict[str, Any]) -> None:
        start = block["start"]
        if "toolUse" in start:
            self.parts[block["contentBlockIndex"]] = {
                "type": "tool_call",
                "name": start["toolUse"]["name"],
            }
        elif "toolResult" in start:
            self.parts[block["contentBlockIndex"]] = {"type": "tool_call_response"}

    def delta(self, index: int, delta: Dict[str, Any]) -> None:
        part = self.parts.get(index)
        if "text" in delta:
            if part is None:
                self.parts[index] = {"type": "text", "content": delta["text"]}
            else:
                part["content"] += delta["text"]
        elif "toolUse" in delta:
            chunk = delta["toolUse"]["input"]
            if part is None:
                self.parts[index] = {"type": "tool_call", "arguments": chunk}
            else:
                part["arguments"] = part.get("arguments", "") + chunk
        elif "toolResult" in delta:
            items: List[Any] = convert.result_items(delta["toolResult"])
            if part is None:
                self.parts[index] = {"type": "tool_call_response", "response": items}
            else:
                part["response"] = part.get("response", []) + items
        elif "reasoningContent" in delta:
            reasoning = delta["reasoningContent"]
            if part is None:
                part = self.parts[index] = {"type": "reasoning"}
                if "text" in reasoning:
                    part["content"] = reasoning["text"]
            elif "text" in reasoning:
                part["content"] = part.get("content", "") + reasoning["text"]
        elif "image" in delta and "source" in delta["image"]:
            source = delta["image"]["source"]
            if "s3Location" in source:
                uri = source["s3Location"]["uri"]
                self.parts[index] = {"type": "uri", "modality": "image", "uri": uri}
            elif "bytes" in source:
                self.parts[index] = {"type": "blob", "modality": "image"}


def _end_stream_span(stream: Any, error: Optional[BaseException]) -> None:
    """End the span a stream carries, once (iteration and ``close`` both end it)."""
    span = getattr(stream, STREAM_SPAN, None)
    if span is None:
        return
    setattr(stream, STREAM_SPAN, None)
    if error is not None and not _is_clean_exit(error):
        if isinstance(span, StreamedSpan):
            span.status = "error"
        else:
            span.set_status("internal_error")
    finish_span(span)


def _is_clean_exit(error: BaseException) -> bool:
    return isinstance(error, SystemExit) and error.code in (0, None)


def patch_event_stream() -> None:
    """``EventStream.__iter__`` and ``close`` end the span of a ConverseStream."""
    from botocore.eventstream import EventStream

    real_iter = EventStream.__iter__
    real_close = EventStream.close
    if getattr(real_close, "_sentry_lite", False):
        return

    def __iter__(self: Any) -> Any:  # noqa: N807
        span = getattr(self, STREAM_SPAN, None)
        if span is None:
            yield from real_iter(self)
            return
        recorder = _StreamRecorder(span, getattr(self, STREAM_START, None))
        try:
            for event in real_iter(self):
                try:
                    recorder.see(event)
                except Exception:  # noqa: BLE001 - the app gets its events regardless
                    pass
                yield event
        except GeneratorExit:
            raise  # the app stopped early; the stream may still be closed: close ends it
        except BaseException as error:
            _end_stream_span(self, error)
            raise
        _end_stream_span(self, None)

    def close(self: Any) -> Any:
        if getattr(self, STREAM_SPAN, None) is None:
            return real_close(self)
        try:
            rv = real_close(self)
        except BaseException as error:
            _end_stream_span(self, error)
            raise
        _end_stream_span(self, None)
        return rv

    close._sentry_lite = True  # type: ignore[attr-defined]
    EventStream.__iter__ = __iter__
    EventStream.close = close
