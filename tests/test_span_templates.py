"""``@trace(template=...)`` for AI agents, tools and chats: ops, names and ``gen_ai.*``
data as sentry_sdk 2.75 sends them, prompts and tool I/O only where privacy allows."""

from __future__ import annotations

from typing import Any, Callable, Dict

import pytest

import sentry_lite
from sentry_lite.consts import SPANTEMPLATE
from tests.receiver import Receiver


@sentry_lite.trace(template=SPANTEMPLATE.AI_TOOL)
def lookup(city: str) -> Dict[str, Any]:
    """Weather for a city."""
    return {"sky": "clear", "usage": {"prompt_tokens": 3, "completion_tokens": 4}}


@sentry_lite.trace(template=SPANTEMPLATE.AI_CHAT)
def chat(model: str = "", **kwargs: Any) -> Dict[str, Any]:
    return {"model": model + "-v1", "usage": {"input_tokens": 5, "total_tokens": 9}}


@sentry_lite.trace(template=SPANTEMPLATE.AI_AGENT)
def agent() -> None:
    lookup("Tokyo")
    chat(model="small", prompt="Weather?", temperature=0.5, max_tokens=10)


@pytest.mark.parametrize("pii", [False, True])
def test_ai_templates(sentry_init: Callable[..., Any], receiver: Receiver, pii: bool) -> None:
    sentry_init(traces_sample_rate=1.0, send_default_pii=pii, stream_gen_ai_spans=False)
    with sentry_lite.start_transaction(name="t"):
        agent()
    sentry_lite.flush(5)
    spans = {span["op"]: span for span in receiver.transactions[0]["spans"]}
    agent_span = spans["gen_ai.invoke_agent"]
    assert agent_span["description"] == "invoke_agent tests.test_span_templates.agent"
    assert agent_span["data"]["gen_ai.operation.name"] == "invoke_agent"
    tool = spans["gen_ai.execute_tool"]
    assert tool["description"] == "execute_tool tests.test_span_templates.lookup"
    assert tool["data"]["gen_ai.tool.description"] == "Weather for a city."
    assert tool["data"]["gen_ai.usage.input_tokens"] == 3
    assert tool["data"]["gen_ai.usage.output_tokens"] == 4
    chat_span = spans["gen_ai.chat"]
    assert chat_span["description"] == "chat small"
    data = chat_span["data"]
    assert data["gen_ai.request.model"] == "small"
    assert data["gen_ai.request.temperature"] == 0.5
    assert data["gen_ai.request.max_tokens"] == 10
    assert data["gen_ai.response.model"] == "small-v1"
    assert data["gen_ai.usage.total_tokens"] == 9
    # Without data_collection, prompts are sent (as before it existed); tool I/O needs PII.
    assert "Weather?" in data["gen_ai.request.messages"]
    assert ("gen_ai.tool.input" in tool["data"]) is pii
    assert ("gen_ai.tool.output" in tool["data"]) is pii
