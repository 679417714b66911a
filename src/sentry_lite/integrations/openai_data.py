"""What an OpenAI call puts on its ``gen_ai`` span: request parameters, prompts,
responses and token usage, for the Chat Completions, Responses and Embeddings APIs,
with sentry_sdk 2.75's keys and encodings. Reads plain values only; never raises into
the call (the caller guards each step).
"""

from __future__ import annotations

import json
from typing import Any, Callable, Dict, Iterable, List, Optional

from sentry_lite.consts import SPANDATA
from sentry_lite.integrations.gen_ai import (
    is_given,
    may_record,
    normalize_roles,
    set_normalized,
    tools_allowed,
    truncated_embedding_inputs,
    truncated_messages,
)

__all__ = [
    "chat_request",
    "completions_usage",
    "embeddings_request",
    "response_data",
    "responses_request",
    "responses_usage",
]

Counter = Callable[[str], int]


# -- requests --------------------------------------------------------------------------------


def _set_given(span: Any, kwargs: Dict[str, Any], pairs: Iterable[Any]) -> None:
    for argument, key in pairs:
        value = kwargs.get(argument)
        if is_given(value):
            span.set_data(key, value)


def chat_request(span: Any, kwargs: Dict[str, Any], include_prompts: bool) -> None:
    """``chat.completions.create``'s parameters and (when allowed) its messages."""
    span.set_data(SPANDATA.GEN_AI_OPERATION_NAME, "chat")
    if kwargs.get("model") is not None:
        span.set_data(SPANDATA.GEN_AI_REQUEST_MODEL, kwargs["model"])
    _set_given(
        span,
        kwargs,
        (
            ("max_tokens", SPANDATA.GEN_AI_REQUEST_MAX_TOKENS),
            ("presence_penalty", SPANDATA.GEN_AI_REQUEST_PRESENCE_PENALTY),
            ("frequency_penalty", SPANDATA.GEN_AI_REQUEST_FREQUENCY_PENALTY),
            ("temperature", SPANDATA.GEN_AI_REQUEST_TEMPERATURE),
            ("top_p", SPANDATA.GEN_AI_REQUEST_TOP_P),
            ("reasoning_effort", SPANDATA.GEN_AI_REQUEST_REASONING_LEVEL),
        ),
    )
    tools = kwargs.get("tools")
    if is_given(tools) and tools_allowed():
        span.set_data(SPANDATA.GEN_AI_TOOL_DEFINITIONS, json.dumps(_chat_tools(tools)))
    if not may_record("inputs", include_prompts):
        return
    messages = kwargs.get("messages")
    if messages is None:
        return
    if isinstance(messages, str):
        _set_messages(span, [messages])
        return
    if not isinstance(messages, Iterable) or isinstance(messages, dict):
        return
    messages = list(messages)
    kwargs["messages"] = messages  # an iterator is read here: the client gets the list
    system = [m for m in messages if isinstance(m, dict) and m.get("role") == "system"]
    if system:
        parts = [
            {"type": "text", "content": text}
            for m in system
            if m.get("content") is not None
            for text in text_items(m["content"])
        ]
        span.set_data(SPANDATA.GEN_AI_SYSTEM_INSTRUCTIONS, json.dumps(parts))
    rest = [m for m in messages if not (isinstance(m, dict) and m.get("role") == "system")]
    if rest:
        _set_messages(span, rest)


def responses_request(span: Any, kwargs: Dict[str, Any], include_prompts: bool) -> None:
    """``responses.create``'s parameters and (when allowed) instructions and input."""
    span.set_data(SPANDATA.GEN_AI_OPERATION_NAME, "responses")
    if kwargs.get("model") is not None:
        span.set_data(SPANDATA.GEN_AI_REQUEST_MODEL, kwargs["model"])
    _set_given(
        span,
        kwargs,
        (
            ("max_output_tokens", SPANDATA.GEN_AI_REQUEST_MAX_TOKENS),
            ("temperature", SPANDATA.GEN_AI_REQUEST_TEMPERATURE),
            ("top_p", SPANDATA.GEN_AI_REQUEST_TOP_P),
        ),
    )
    conversation = kwargs.get("conversation")
    if is_given(conversation):
        if isinstance(conversation, dict):
            conversation = conversation.get("id")
        if isinstance(conversation, str):
            span.set_data(SPANDATA.GEN_AI_CONVERSATION_ID, conversation)
    reasoning = kwargs.get("reasoning")
    if isinstance(reasoning, dict) and "effort" in reasoning:
        span.set_data(SPANDATA.GEN_AI_REQUEST_REASONING_LEVEL, reasoning["effort"])
    tools = kwargs.get("tools")
    if is_given(tools) and tools_allowed():
        span.set_data(SPANDATA.GEN_AI_TOOL_DEFINITIONS, json.dumps(_responses_tools(tools)))
    if not may_record("inputs", include_prompts):
        return
    instructions = kwargs.get("instructions")
    parts: List[Dict[str, Any]] = []
    if is_given(instructions):
        parts.append({"type": "text", "content": instructions})
    messages = kwargs.get("input")
    if messages is None:
        if parts:
            span.set_data(SPANDATA.GEN_AI_SYSTEM_INSTRUCTIONS, json.dumps(parts))
        return
    if isinstance(messages, list):
        parts += _responses_instructions([m for m in messages if _is_responses_system(m)])
    if parts:
        span.set_data(SPANDATA.GEN_AI_SYSTEM_INSTRUCTIONS, json.dumps(parts))
    if isinstance(messages, str):
        _set_messages(span, [messages])
        return
    rest = [m for m in messages if not _is_responses_system(m)]
    if rest:
        _set_messages(span, rest)


def embeddings_request(span: Any, kwargs: Dict[str, Any], include_prompts: bool) -> None:
    """``embeddings.create``'s model and (when allowed) its input."""
    span.set_data(SPANDATA.GEN_AI_OPERATION_NAME, "embeddings")
    if kwargs.get("model") is not None:
        span.set_data(SPANDATA.GEN_AI_REQUEST_MODEL, kwargs["model"])
    if not may_record("inputs", include_prompts):
        return
    inputs = kwargs.get("input")
    if inputs is None:
        return
    if isinstance(inputs, str):
        inputs = [inputs]
    elif not isinstance(inputs, Iterable) or isinstance(inputs, dict):
        return
    else:
        inputs = list(inputs)
        kwargs["input"] = inputs  # an iterator is read here: the client gets the list
    inputs = normalize_roles(inputs)
    if not inputs:
        return
    kept = truncated_embedding_inputs(span, inputs)
    if kept is not None:
        set_normalized(span, SPANDATA.GEN_AI_EMBEDDINGS_INPUT, kept, unpack=False)


def _set_messages(span: Any, messages: List[Any]) -> None:
    kept = truncated_messages(span, normalize_roles(messages))
    if kept is not None:
        set_normalized(span, SPANDATA.GEN_AI_REQUEST_MESSAGES, kept, unpack=False)


def text_items(content: Any) -> List[str]:
    """The texts of a message's content (a string, or parts of type ``text``)."""
    if isinstance(content, str):
        return [content]
    if not isinstance(content, Iterable):
        return []
    return [
        part["text"]
        for part in content
        if isinstance(part, dict) and part.get("type") == "text" and part.get("text") is not None
    ]


def _is_responses_system(message: Any) -> bool:
    return (
        isinstance(message, dict)
        and message.get("role") == "system"
        and message.get("type", "message") == "message"
    )


def _responses_instructions(messages: List[Any]) -> List[Dict[str, Any]]:
    parts: List[Dict[str, Any]] = []
    for message in messages:
        content = message.get("content")
        if isinstance(content, str):
            parts.append({"type": "text", "content": content})
        elif isinstance(content, Iterable):
            parts += [
                {"type": "text", "content": part["text"]}
                for part in content
                if isinstance(part, dict)
                and part.get("type") == "input_text"
                and part.get("text") is not None
            ]
    return parts


def _chat_tools(tools: Any) -> List[Dict[str, Any]]:
    """Chat Completions tools as ``gen_ai.tool.definitions`` entries."""
    out: List[Dict[str, Any]] = []
    if not isinstance(tools, Iterable):
        return out
    for tool in tools:
        kind = tool.get("type") if isinstance(tool, dict) else None
        if kind not in ("function", "custom"):
            continue
        entry: Dict[str, Any] = {"type": kind}
        spec = tool.get(kind)
        if isinstance(spec, dict):
            keys = (
                ("name", "description", "parameters")
                if kind == "function"
                else ("name", "description")
            )
            entry.update((key, spec[key]) for key in keys if key in spec)
        out.append(entry)
    return out


def _responses_tools(tools: Any) -> List[Dict[str, Any]]:
    """Responses API tools (name and schema on the tool itself; built-in tools by type)."""
    out: List[Dict[str, Any]] = []
    if not isinstance(tools, Iterable):
        return out
    for tool in tools:
        if not isinstance(tool, dict) or "type" not in tool:
            continue
        kind = tool["type"]
        entry: Dict[str, Any] = {"type": kind}
        if kind == "function":
            if "name" in tool:
                entry["name"] = tool["name"]
            for key in ("description", "parameters"):
                if tool.get(key) is not None:
                    entry[key] = tool[key]
        elif kind == "custom":
            entry.update((key, tool[key]) for key in ("name", "description") if key in tool)
        out.append(entry)
    return out


# -- responses -------------------------------------------------------------------------------


def response_data(
    span: Any, response: Any, inputs: Any, include_prompts: bool, count: Counter
) -> None:
    """The model, the response text (when allowed) and the token usage of a complete
    (non-streamed) response of any of the three APIs."""
    if hasattr(response, "model"):
        set_normalized(span, SPANDATA.GEN_AI_RESPONSE_MODEL, response.model)
    if getattr(response, "choices", None) is not None:  # Chat Completions
        if may_record("outputs", include_prompts):
            answers = [c.message.model_dump() for c in response.choices if c.message is not None]
            if answers:
                set_normalized(span, SPANDATA.GEN_AI_RESPONSE_TEXT, answers)
        completions_usage(span, inputs, response, None, None, count)
    elif hasattr(response, "output"):  # Responses
        if isinstance(response.output, list) and may_record("outputs", include_prompts):
            texts: List[Any] = []
            tool_calls: List[Any] = []
            for output in response.output:
                if output.type == "function_call":
                    tool_calls.append(output.dict())
                elif output.type == "message":
                    for part in output.content:
                        text = getattr(part, "text", _MISSING)
                        texts.append(part.dict() if text is _MISSING else text)
            if tool_calls:
                set_normalized(span, SPANDATA.GEN_AI_RESPONSE_TOOL_CALLS, tool_calls, unpack=False)
            if texts:
                set_normalized(span, SPANDATA.GEN_AI_RESPONSE_TEXT, texts)
        responses_usage(span, inputs, response, None, count)
    else:  # Embeddings
        completions_usage(span, inputs, response, None, None, count)


_MISSING = object()


def _int(obj: Any, name: str) -> int:
    value = getattr(obj, name, None)
    return value if isinstance(value, int) else 0


def _counted_input(inputs: Any, count: Counter) -> int:
    total = 0
    for message in inputs or ():
        if isinstance(message, str):
            total += count(message)
        elif isinstance(message, dict) and message.get("content") is not None:
            total += sum(count(text) for text in text_items(message["content"]))
    return total


def _set_usage(
    span: Any, input_tokens: int, cached: int, output: int, reasoning: int, total: int
) -> None:
    """Token counts as sentry_sdk sets them: zeros left out, a missing total summed."""
    if input_tokens:
        span.set_data(SPANDATA.GEN_AI_USAGE_INPUT_TOKENS, input_tokens)
    if cached:
        span.set_data(SPANDATA.GEN_AI_USAGE_INPUT_TOKENS_CACHED, cached)
    if output:
        span.set_data(SPANDATA.GEN_AI_USAGE_OUTPUT_TOKENS, output)
    if reasoning:
        span.set_data(SPANDATA.GEN_AI_USAGE_OUTPUT_TOKENS_REASONING, reasoning)
    if not total and input_tokens and output:
        total = input_tokens + output
    if total:
        span.set_data(SPANDATA.GEN_AI_USAGE_TOTAL_TOKENS, total)


def completions_usage(
    span: Any,
    inputs: Any,
    response: Any,
    streamed_texts: Optional[List[str]],
    streamed_usage: Any,
    count: Counter,
) -> None:
    """Chat Completions (and Embeddings) token usage; counted with tiktoken when the
    response has none and an encoding was configured."""
    usage = streamed_usage if streamed_usage is not None else getattr(response, "usage", None)
    input_tokens = cached = output = reasoning = total = 0
    if usage is not None:
        input_tokens = _int(usage, "prompt_tokens")
        output = _int(usage, "completion_tokens")
        total = _int(usage, "total_tokens")
        cached = _int(getattr(usage, "prompt_tokens_details", None), "cached_tokens")
        reasoning = _int(getattr(usage, "completion_tokens_details", None), "reasoning_tokens")
    if not input_tokens:
        input_tokens = _counted_input(inputs, count)
    if not output:
        if streamed_texts is not None:
            output = sum(count(text) for text in streamed_texts)
        elif getattr(response, "choices", None) is not None:
            for choice in response.choices:
                message: Any = getattr(choice, "message", None)
                if hasattr(message, "content"):
                    output += count(message.content)
    _set_usage(span, input_tokens, cached, output, reasoning, total)


def responses_usage(
    span: Any, inputs: Any, response: Any, streamed_texts: Optional[List[str]], count: Counter
) -> None:
    """Responses API token usage (``input_tokens``/``output_tokens`` names)."""
    input_tokens = cached = output = reasoning = total = 0
    usage = getattr(response, "usage", None)
    if hasattr(response, "usage"):
        input_tokens = _int(usage, "input_tokens")
        output = _int(usage, "output_tokens")
        total = _int(usage, "total_tokens")
        cached = _int(getattr(usage, "input_tokens_details", None), "cached_tokens")
        reasoning = _int(getattr(usage, "output_tokens_details", None), "reasoning_tokens")
    if not input_tokens:
        input_tokens = _counted_input(inputs, count)
    if not output:
        if streamed_texts is not None:
            output = sum(count(text) for text in streamed_texts)
        elif isinstance(getattr(response, "output", None), list):
            for item in response.output:
                for part in getattr(item, "content", None) or ():
                    if hasattr(part, "text"):
                        output += count(part.text)
    _set_usage(span, input_tokens, cached, output, reasoning, total)
