"""What an Anthropic ``messages`` call puts on its ``gen_ai`` span: request parameters,
the prompt (images and documents described, not copied), the answer and token usage,
with sentry_sdk 2.75's keys and encodings; and the running totals of a streamed answer.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Iterable, List, Optional

from sentry_lite.consts import SPANDATA
from sentry_lite.integration_api import safe_serialize
from sentry_lite.integrations.gen_ai import (
    is_given,
    may_record,
    normalize_roles,
    set_normalized,
    tools_allowed,
    truncated_messages,
)

__all__ = ["StreamTotals", "complete_message_data", "message_data", "request_data"]


def request_data(span: Any, request: Dict[str, Any], include_prompts: bool) -> None:
    """``messages.create``/``messages.stream`` arguments on the span."""
    span.set_data(SPANDATA.GEN_AI_SYSTEM, "anthropic")
    span.set_data(SPANDATA.GEN_AI_OPERATION_NAME, "chat")
    for argument, key in (
        ("max_tokens", SPANDATA.GEN_AI_REQUEST_MAX_TOKENS),
        ("model", SPANDATA.GEN_AI_REQUEST_MODEL),
        ("temperature", SPANDATA.GEN_AI_REQUEST_TEMPERATURE),
        ("top_k", SPANDATA.GEN_AI_REQUEST_TOP_K),
        ("top_p", SPANDATA.GEN_AI_REQUEST_TOP_P),
    ):
        value = request.get(argument)
        if is_given(value):
            span.set_data(key, value)
    tools = request.get("tools")
    if is_given(tools) and _length(tools) and tools_allowed():
        span.set_data(SPANDATA.GEN_AI_REQUEST_AVAILABLE_TOOLS, safe_serialize(tools))
    messages = request.get("messages")
    if messages is None or not _length(messages) or not may_record("inputs", include_prompts):
        return
    system = request.get("system")
    if isinstance(system, str):
        parts = [{"type": "text", "content": system}]
        span.set_data(SPANDATA.GEN_AI_SYSTEM_INSTRUCTIONS, json.dumps(parts))
    elif isinstance(system, Iterable):
        parts = [
            {"type": "text", "content": block["text"]}
            for block in system
            if isinstance(block, dict) and "text" in block
        ]
        span.set_data(SPANDATA.GEN_AI_SYSTEM_INSTRUCTIONS, json.dumps(parts))
    kept = truncated_messages(span, normalize_roles(_described(messages)))
    if kept is not None:
        set_normalized(span, SPANDATA.GEN_AI_REQUEST_MESSAGES, kept, unpack=False)


def _length(value: Any) -> int:
    """0 for an iterator too: reading it here would take the messages from the client."""
    try:
        return len(value)
    except TypeError:
        return 0


def _described(messages: Iterable[Any]) -> List[Any]:
    """The messages with images and documents as descriptions (``blob``/``uri``/``file``)
    and a user's tool results left out (they may nest images that cannot be redacted)."""
    out: List[Any] = []
    for message in messages:
        content = message.get("content")
        if message.get("role") == "user" and isinstance(content, (list, tuple)):
            blocks = [
                _block(item) if isinstance(item, dict) else item
                for item in content
                if not (isinstance(item, dict) and item.get("type") == "tool_result")
            ]
            if blocks:
                out.append({"role": message.get("role"), "content": blocks})
            continue
        copy = dict(message)
        if isinstance(content, (list, tuple)):
            copy["content"] = [_block(item) if isinstance(item, dict) else item for item in content]
        out.append(copy)
    return out


def _modality(mime_type: str) -> str:
    for prefix, modality in (("image/", "image"), ("audio/", "audio"), ("video/", "video")):
        if mime_type.lower().startswith(prefix):
            return modality
    if mime_type.lower().startswith(("application/", "text/")):
        return "document"
    return "image"


def _block(block: Dict[str, Any]) -> Dict[str, Any]:
    """An image or document block as sentry_sdk describes it; other blocks unchanged."""
    kind = block.get("type")
    source = block.get("source")
    if kind not in ("image", "document") or not isinstance(source, dict):
        return block
    if kind == "document" and source.get("type") == "text":
        return {"type": "text", "text": source.get("data", "")}
    mime_type = source.get("media_type", "")
    modality = "document" if kind == "document" else _modality(mime_type)
    described = {"modality": modality, "mime_type": mime_type}
    if source.get("type") == "base64":
        return {"type": "blob", **described, "content": source.get("data", "")}
    if source.get("type") == "url":
        return {"type": "uri", **described, "uri": source.get("url", "")}
    if source.get("type") == "file":
        return {"type": "file", **described, "file_id": source.get("file_id", "")}
    return block


# -- the answer ------------------------------------------------------------------------------


def message_data(
    span: Any,
    include_prompts: bool,
    model: Optional[str],
    usage: Dict[str, Optional[int]],
    blocks: List[Dict[str, Any]],
    response_id: Optional[str],
    finish_reason: Optional[str],
) -> None:
    """The answer on the span: model, id, finish reason, text (when allowed) and usage
    (``input_tokens`` counts cached and cache-writing tokens too, as sentry_sdk does)."""
    if model is not None:
        span.set_data(SPANDATA.GEN_AI_RESPONSE_MODEL, model)
    if response_id is not None:
        span.set_data(SPANDATA.GEN_AI_RESPONSE_ID, response_id)
    if finish_reason is not None:
        span.set_data(SPANDATA.GEN_AI_RESPONSE_FINISH_REASONS, [finish_reason])
    if may_record("outputs", include_prompts):
        parts: List[Dict[str, Any]] = []
        tool_calls = [block for block in blocks if block["type"] == "tool_use"]
        for block in blocks:
            if block["type"] == "text":
                parts.append({"type": "text", "content": block["text"]})
            elif block["type"] == "thinking":
                parts.append({"type": "reasoning", "content": block["thinking"]})
        if tool_calls:
            set_normalized(span, SPANDATA.GEN_AI_RESPONSE_TOOL_CALLS, tool_calls, unpack=False)
        if parts:
            answer = [{"role": "assistant", "parts": parts}]
            set_normalized(span, SPANDATA.GEN_AI_OUTPUT_MESSAGES, answer, unpack=False)
    input_tokens, output = usage.get("input"), usage.get("output")
    for key, value in (
        (SPANDATA.GEN_AI_USAGE_INPUT_TOKENS, input_tokens),
        (SPANDATA.GEN_AI_USAGE_INPUT_TOKENS_CACHED, usage.get("cache_read")),
        (SPANDATA.GEN_AI_USAGE_INPUT_TOKENS_CACHE_WRITE, usage.get("cache_write")),
        (SPANDATA.GEN_AI_USAGE_OUTPUT_TOKENS, output),
    ):
        if value is not None:
            span.set_data(key, value)
    if input_tokens is not None and output is not None:
        span.set_data(SPANDATA.GEN_AI_USAGE_TOTAL_TOKENS, input_tokens + output)


def complete_message_data(span: Any, include_prompts: bool, message: Any) -> None:
    """``message_data`` of a complete (not streamed) ``Message``."""
    usage = getattr(message, "usage", None)

    def count(name: str) -> int:
        value = getattr(usage, name, None)
        return value if isinstance(value, int) else 0

    cache_read, cache_write = count("cache_read_input_tokens"), count("cache_creation_input_tokens")
    totals = {
        "input": count("input_tokens") + cache_read + cache_write,
        "output": count("output_tokens"),
        "cache_read": cache_read,
        "cache_write": cache_write,
    }
    blocks = []
    for block in message.content:
        if hasattr(block, "to_dict"):
            blocks.append(block.to_dict())
        elif hasattr(block, "model_dump"):
            blocks.append(block.model_dump())
        elif hasattr(block, "text"):
            blocks.append({"type": "text", "text": block.text})
    message_data(
        span,
        include_prompts,
        getattr(message, "model", None),
        totals,  # type: ignore[arg-type]
        blocks,
        getattr(message, "id", None),
        getattr(message, "stop_reason", None),
    )


class StreamTotals:
    """What a streamed answer's events add up to (the client's own accounting: the
    ``message_delta`` usage is cumulative)."""

    def __init__(self) -> None:
        self.model: Optional[str] = None
        self.response_id: Optional[str] = None
        self.finish_reason: Optional[str] = None
        self.input = 0
        self.output = 0
        self.cache_read: Optional[int] = 0
        self.cache_write: Optional[int] = 0
        self.blocks: List[Dict[str, Any]] = []

    def add(self, event: Any) -> None:
        kind = getattr(event, "type", None)
        if kind == "content_block_start":
            block_type = getattr(event.content_block, "type", None)
            if block_type == "thinking":
                self.blocks.append({"type": "thinking", "thinking": ""})
            elif block_type in ("text", "tool_use"):
                self.blocks.append({"type": "text", "text": ""})
            else:
                self.blocks.append({"type": block_type})
        elif kind == "content_block_delta":
            block, delta = self.blocks[event.index], event.delta
            if getattr(delta, "type", None) == "thinking_delta":
                block["thinking"] += delta.thinking
            elif hasattr(delta, "text"):
                block["text"] += delta.text
            elif hasattr(delta, "partial_json"):
                block["text"] += delta.partial_json
        elif kind == "message_start":
            message = event.message
            self.model = message.model or self.model
            self.response_id = message.id
            self.output = message.usage.output_tokens
            self.input = message.usage.input_tokens
            self.cache_write = getattr(message.usage, "cache_creation_input_tokens", None)
            self.cache_read = getattr(message.usage, "cache_read_input_tokens", None)
        elif kind == "message_delta":
            usage = event.usage
            self.output = usage.output_tokens
            for name, attribute in (
                ("input", "input_tokens"),
                ("cache_write", "cache_creation_input_tokens"),
                ("cache_read", "cache_read_input_tokens"),
            ):
                value = getattr(usage, attribute, None)
                if value is not None:
                    setattr(self, name, value)
            if event.delta.stop_reason is not None:
                self.finish_reason = event.delta.stop_reason

    def put_on(self, span: Any, include_prompts: bool) -> None:
        totals = {
            "input": self.input + (self.cache_read or 0) + (self.cache_write or 0),
            "output": self.output,
            "cache_read": self.cache_read,
            "cache_write": self.cache_write,
        }
        message_data(
            span,
            include_prompts,
            self.model,
            totals,
            self.blocks,
            self.response_id,
            self.finish_reason,
        )
