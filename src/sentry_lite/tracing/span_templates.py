"""``@trace(template=...)``: what an AI agent, tool or chat function's span says about it.

The op and name follow the template (``gen_ai.invoke_agent`` / ``invoke_agent <name>``,
``gen_ai.execute_tool`` / ``execute_tool <name>``, ``gen_ai.chat`` / ``chat <model>``);
well-known keyword arguments become ``gen_ai.request.*`` data and the result's usage and
model ``gen_ai.usage.*``/``gen_ai.response.model``. Prompts, tool inputs and tool outputs
are personal data: sent only as ``data_collection``'s ``gen_ai`` setting (or, without
it, ``send_default_pii``) allows. The rules are sentry_sdk 2.75's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable, Dict, Optional, Tuple

from sentry_lite.consts import SPANTEMPLATE
from sentry_lite.conventions import OpConventions as OP
from sentry_lite.conventions import SpanDataConventions as SPANDATA
from sentry_lite.data_collection import provided_by_user, resolve

__all__ = ["collects_gen_ai", "input_data", "output_data", "span_name", "span_op"]

_OPS = {
    SPANTEMPLATE.AI_CHAT: OP.GEN_AI_CHAT,
    SPANTEMPLATE.AI_AGENT: OP.GEN_AI_INVOKE_AGENT,
    SPANTEMPLATE.AI_TOOL: OP.GEN_AI_EXECUTE_TOOL,
}
_AI = frozenset(_OPS)
_REQUEST_KEYS: Dict[str, Tuple[str, type]] = {
    "model": (SPANDATA.GEN_AI_REQUEST_MODEL, str),
    "model_name": (SPANDATA.GEN_AI_REQUEST_MODEL, str),
    "agent": (SPANDATA.GEN_AI_AGENT_NAME, str),
    "agent_name": (SPANDATA.GEN_AI_AGENT_NAME, str),
    "max_tokens": (SPANDATA.GEN_AI_REQUEST_MAX_TOKENS, int),
    "frequency_penalty": (SPANDATA.GEN_AI_REQUEST_FREQUENCY_PENALTY, float),
    "presence_penalty": (SPANDATA.GEN_AI_REQUEST_PRESENCE_PENALTY, float),
    "temperature": (SPANDATA.GEN_AI_REQUEST_TEMPERATURE, float),
    "top_p": (SPANDATA.GEN_AI_REQUEST_TOP_P, float),
    "top_k": (SPANDATA.GEN_AI_REQUEST_TOP_K, int),
}
"""Keyword arguments of an AI function that describe the request (name -> data, type)."""
_ROLES = {"prompt": "user", "system_prompt": "system"}
_USAGE = (
    (SPANDATA.GEN_AI_USAGE_INPUT_TOKENS, ("prompt_tokens", "input_tokens")),
    (SPANDATA.GEN_AI_USAGE_OUTPUT_TOKENS, ("completion_tokens", "output_tokens")),
    (SPANDATA.GEN_AI_USAGE_TOTAL_TOKENS, ("total_tokens",)),
)


def _repr(value: Any) -> str:
    try:
        return repr(value)
    except Exception:
        return "<broken repr>"


def _field(obj: Any, key: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(key)
    return getattr(obj, key, None)


def span_op(template: Any) -> str:
    return str(_OPS.get(template, OP.FUNCTION))


def span_name(template: Any, name: str, kwargs: Optional[Mapping[str, Any]]) -> str:
    if template == SPANTEMPLATE.AI_CHAT:
        for key in ("model", "model_name"):
            model = (kwargs or {}).get(key)
            if model and isinstance(model, str):
                return f"chat {model}"
        return "chat"
    if template == SPANTEMPLATE.AI_AGENT:
        return f"invoke_agent {name}"
    if template == SPANTEMPLATE.AI_TOOL:
        return f"execute_tool {name}"
    return name


def collects_gen_ai(options: Mapping[str, Any], kind: str) -> bool:
    """May ``kind`` (``inputs``/``outputs``) of AI functions be sent?"""
    if provided_by_user(options):
        resolved = options.get("data_collection")
        if not isinstance(resolved, Mapping):
            resolved = resolve(options)
        return bool((resolved.get("gen_ai") or {}).get(kind))
    return bool(options.get("send_default_pii"))


def input_data(
    template: Any,
    options: Mapping[str, Any],
    name: str,
    func: Callable[..., Any],
    args: Tuple[Any, ...],
    kwargs: Mapping[str, Any],
) -> Dict[str, Any]:
    """Span data known when the call starts."""
    data: Dict[str, Any] = {}
    if template == SPANTEMPLATE.AI_AGENT:
        data = {SPANDATA.GEN_AI_OPERATION_NAME: "invoke_agent", SPANDATA.GEN_AI_AGENT_NAME: name}
    elif template == SPANTEMPLATE.AI_CHAT:
        data = {SPANDATA.GEN_AI_OPERATION_NAME: "chat"}
    elif template == SPANTEMPLATE.AI_TOOL:
        data = {SPANDATA.GEN_AI_OPERATION_NAME: "execute_tool", SPANDATA.GEN_AI_TOOL_NAME: name}
        if func.__doc__ is not None:
            data[SPANDATA.GEN_AI_TOOL_DESCRIPTION] = func.__doc__
    if template not in _AI:
        return data
    inputs = collects_gen_ai(options, "inputs")
    # Prompts were always sent before data_collection existed; it alone can withhold them.
    messages_allowed = inputs if provided_by_user(options) else True
    messages = []
    for key, value in kwargs.items():
        if key in _ROLES:
            if messages_allowed and isinstance(value, str):
                messages.append({"role": _ROLES[key], "content": value})
            continue
        known = _REQUEST_KEYS.get(key)
        if known is not None and value is not None and isinstance(value, known[1]):
            data[known[0]] = value
    if template == SPANTEMPLATE.AI_TOOL and inputs:
        data[SPANDATA.GEN_AI_TOOL_INPUT] = _repr({"args": args, "kwargs": kwargs})
    if messages:
        data[SPANDATA.GEN_AI_REQUEST_MESSAGES] = _repr(messages)
    return data


def output_data(template: Any, options: Mapping[str, Any], result: Any) -> Dict[str, Any]:
    """Span data known once the call returned."""
    data: Dict[str, Any] = {}
    if template in _AI:
        try:
            metadata = _field(result, "metadata")
            for candidate in (result, _field(result, "usage"), _field(metadata, "usage")):
                if candidate is None:
                    continue
                for attribute, keys in _USAGE:
                    for key in keys:
                        value = _field(candidate, key)
                        if isinstance(value, int):
                            data[attribute] = value
            for key in ("model", "model_name"):
                model = _field(result, key)
                if isinstance(model, str):
                    data[SPANDATA.GEN_AI_RESPONSE_MODEL] = model
        except Exception:  # an odd result object costs its usage data, not the call
            pass
    if template == SPANTEMPLATE.AI_TOOL and collects_gen_ai(options, "outputs"):
        data[SPANDATA.GEN_AI_TOOL_OUTPUT] = _repr(result)
    return data
