"""Bedrock Converse content in the gen_ai message schema (``gen_ai.input.messages``,
``gen_ai.output.messages``, ``gen_ai.system_instructions``, ``gen_ai.tool.definitions``).

Bedrock uses one message type for what the user sends and what the model answers, so one
conversion serves both. A block of a kind not listed here is left out.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

__all__ = ["message_parts", "messages", "system_instructions", "tool_definitions"]

_MEDIA = ("image", "video", "audio", "document")


def _is_dict(value: Any) -> bool:
    return isinstance(value, dict)


def _tool_call(tool_use: Any) -> Dict[str, Any]:
    part: Dict[str, Any] = {"type": "tool_call"}
    if _is_dict(tool_use):
        if "name" in tool_use:
            part["name"] = tool_use["name"]
        if "input" in tool_use:
            part["arguments"] = tool_use["input"]
    return part


def result_items(items: Any) -> List[Any]:
    """The JSON and text items of a tool result (others, such as images, left out)."""
    return [item for item in items if _is_dict(item) and ("json" in item or "text" in item)]


def _tool_response(result: Any) -> Dict[str, Any]:
    part: Dict[str, Any] = {"type": "tool_call_response"}
    if _is_dict(result) and isinstance(result.get("content"), (list, tuple)):
        part["response"] = result_items(result["content"])
    return part


def _reasoning(content: Any) -> Dict[str, Any]:
    part: Dict[str, Any] = {"type": "reasoning"}
    text: Any = content.get("reasoningText") if _is_dict(content) else None
    if _is_dict(text) and "text" in text:
        part["content"] = text["text"]
    return part


def _media(kind: str, media: Any) -> Optional[Dict[str, Any]]:
    """A URI part for media in S3, a blob part for inline bytes, None otherwise."""
    source: Any = media.get("source") if _is_dict(media) else None
    if not _is_dict(source):
        return None
    if "s3Location" in source:
        part: Dict[str, Any] = {"type": "uri", "modality": kind}
        location = source["s3Location"]
        if _is_dict(location) and "uri" in location:
            part["uri"] = location["uri"]
        return part
    if "bytes" in source:
        return {"type": "blob", "modality": kind}
    return None


def _part(block: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    if "text" in block:
        return {"type": "text", "content": block["text"]}
    if block.get("toolUse") is not None:
        return _tool_call(block["toolUse"])
    if block.get("toolResult") is not None:
        return _tool_response(block["toolResult"])
    if block.get("reasoningContent") is not None:
        return _reasoning(block["reasoningContent"])
    for kind in _MEDIA:
        part = _media(kind, block.get(kind))
        if part is not None:
            return part
    return None


def message_parts(content: Any) -> List[Dict[str, Any]]:
    parts = []
    for block in content:
        if _is_dict(block):
            part = _part(block)
            if part is not None:
                parts.append(part)
    return parts


def messages(items: Any) -> List[Dict[str, Any]]:
    """``[{"role", "parts"}]`` for each well-formed message."""
    out = []
    for message in items:
        if not _is_dict(message) or "role" not in message:
            continue
        content = message.get("content")
        if isinstance(content, (list, tuple)):
            out.append({"role": message["role"], "parts": message_parts(content)})
    return out


def system_instructions(blocks: Any) -> List[Dict[str, Any]]:
    return [
        {"type": "text", "content": block["text"]}
        for block in blocks
        if _is_dict(block) and "text" in block
    ]


def tool_definitions(tools: Any) -> List[Dict[str, Any]]:
    out: List[Dict[str, Any]] = []
    for tool in tools:
        if not _is_dict(tool):
            continue
        if "toolSpec" in tool:
            definition: Dict[str, Any] = {"type": "function"}
            spec = tool["toolSpec"]
            if _is_dict(spec):
                for key in ("name", "description"):
                    if key in spec:
                        definition[key] = spec[key]
                schema = spec.get("inputSchema")
                if _is_dict(schema) and "json" in schema:
                    definition["parameters"] = schema["json"]
            out.append(definition)
        elif _is_dict(tool.get("systemTool")) and "name" in tool["systemTool"]:
            out.append({"type": tool["systemTool"]["name"]})
    return out
