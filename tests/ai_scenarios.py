"""OpenAI and Anthropic client calls under sentry_sdk or sentry_lite, in a fresh interpreter.

Usage: python -m tests.ai_scenarios <sdk module> <dsn> <scenario>...

The real ``openai`` and ``anthropic`` clients call a local stand-in of their APIs
(``tests.ai_upstream``): chat completions, responses and embeddings, Anthropic messages,
each sync and async, streamed and not, and one failing call per client. Only the SDK
import and the scenario's options differ between runs.
"""

from __future__ import annotations

import asyncio
import importlib
import sys
from typing import Any, Dict, List

from tests.ai_upstream import start_ai_upstream

SYSTEM = {"role": "system", "content": "You are terse."}
CHAT = [
    SYSTEM,
    {"role": "user", "content": "hello"},
    {"role": "assistant", "content": "hi"},
    {"role": "user", "content": [{"type": "text", "text": "what is 2+2?"}]},
]
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "add",
            "description": "Adds numbers",
            "parameters": {"type": "object", "properties": {"a": {"type": "number"}}},
        },
    }
]
CLAUDE = [{"role": "user", "content": "hello"}, {"role": "assistant", "content": "hi"}]
CLAUDE.append({"role": "user", "content": [{"type": "text", "text": "and now?"}]})


def openai_calls(base: str) -> None:
    import openai

    client = openai.OpenAI(api_key="test", base_url=f"{base}/v1", max_retries=0)
    client.chat.completions.create(
        model="gpt-mini", messages=CHAT, max_tokens=50, temperature=0.2, top_p=0.9, tools=TOOLS
    )
    stream = client.chat.completions.create(
        model="gpt-mini", messages=CHAT, stream=True, stream_options={"include_usage": True}
    )
    for _ in stream:
        pass
    client.responses.create(model="gpt-big", input="What is up?", instructions="Be brief")
    for _ in client.responses.create(
        model="gpt-big", input=[SYSTEM, {"role": "user", "content": "hi"}], stream=True
    ):
        pass
    client.embeddings.create(model="embed-small", input=["first text", "second text"])
    try:
        client.chat.completions.create(model="broken", messages=CHAT[1:2])
    except openai.BadRequestError:
        pass

    async def async_calls() -> None:
        aclient = openai.AsyncOpenAI(api_key="test", base_url=f"{base}/v1", max_retries=0)
        await aclient.chat.completions.create(model="gpt-async", messages=CHAT[1:2])
        astream = await aclient.chat.completions.create(
            model="gpt-async", messages=CHAT[1:2], stream=True
        )
        async for _ in astream:
            pass
        await aclient.embeddings.create(model="embed-async", input="one text")
        try:
            await aclient.responses.create(model="broken", input="x")
        except openai.BadRequestError:
            pass

    asyncio.run(async_calls())


def anthropic_calls(base: str) -> None:
    import anthropic

    client = anthropic.Anthropic(api_key="test", base_url=base, max_retries=0)
    client.messages.create(model="claude-x", max_tokens=100, system="Be kind", messages=CLAUDE)
    for _ in client.messages.create(
        model="claude-x", max_tokens=10, messages=CLAUDE[:1], stream=True
    ):
        pass
    with client.messages.stream(model="claude-y", max_tokens=10, messages=CLAUDE[:1]) as stream:
        for _ in stream.text_stream:
            pass
    try:
        client.messages.create(model="broken", max_tokens=10, messages=CLAUDE[:1])
    except anthropic.BadRequestError:
        pass

    async def async_calls() -> None:
        aclient = anthropic.AsyncAnthropic(api_key="test", base_url=base, max_retries=0)
        await aclient.messages.create(model="claude-async", max_tokens=10, messages=CLAUDE[:1])
        astream = await aclient.messages.create(
            model="claude-async", max_tokens=10, messages=CLAUDE[:1], stream=True
        )
        async for _ in astream:
            pass
        async with aclient.messages.stream(
            model="claude-async", max_tokens=10, messages=CLAUDE[:1]
        ) as managed:
            async for _ in managed:
                pass

    asyncio.run(async_calls())


def _integrations(sdk_name: str, **kwargs: Any) -> List[Any]:
    """The two AI integrations and httpx2 (the clients' transport), named explicitly:
    sentry_sdk's auto-enabling would import every library of the venv (seconds)."""
    openai_module = importlib.import_module(f"{sdk_name}.integrations.openai")
    anthropic_module = importlib.import_module(f"{sdk_name}.integrations.anthropic")
    integrations = [
        openai_module.OpenAIIntegration(**kwargs),
        anthropic_module.AnthropicIntegration(**kwargs),
    ]
    did_not_enable = importlib.import_module(f"{sdk_name}.integrations").DidNotEnable
    try:  # httpx2 needs Python 3.11 (pyproject's test extra): before, the clients use httpx
        httpx2_module = importlib.import_module(f"{sdk_name}.integrations.httpx2")
    except (ImportError, did_not_enable):
        return integrations
    return [*integrations, httpx2_module.Httpx2Integration()]


TRACED = {"traces_sample_rate": 1.0}
PII = {"traces_sample_rate": 1.0, "send_default_pii": True}
SCENARIOS: Dict[str, Dict[str, Any]] = {
    "pii": PII,
    "default": TRACED,
    "no_prompts": {**PII, "include_prompts": False},
    "inline": {**PII, "stream_gen_ai_spans": False},
    "no_transaction": PII,
    "no_tracing": {"send_default_pii": True},
    "streaming": {**PII, "trace_lifecycle": "stream"},
    "data_collection": {
        **TRACED,
        "data_collection": {"gen_ai": {"inputs": True, "outputs": False}},
    },
}


def run_scenario(sdk: Any, module: str, dsn: str, name: str, base: str) -> None:
    options = dict(SCENARIOS[name])
    integrations = _integrations(module, include_prompts=options.pop("include_prompts", True))
    sdk.init(
        dsn=dsn,
        release="ai@1",
        integrations=integrations,
        auto_enabling_integrations=False,
        _experiments={"transport_compression_algo": "gzip"},  # the receiver reads gzip
        **options,
    )
    for calls in (openai_calls, anthropic_calls):
        if name in ("no_transaction", "no_tracing"):
            calls(base)
        elif options.get("trace_lifecycle") == "stream":
            with sdk.traces.start_span(name=calls.__name__):
                calls(base)
        else:
            with sdk.start_transaction(name=calls.__name__, op="task"):
                calls(base)
    sdk.flush(5)


def main() -> None:
    """Every scenario named, one after the other, each with its own ``init`` and its own
    DSN: the first DSN's project id + the scenario's position (one interpreter start
    and one import of the clients for them all)."""
    module, dsn, *names = sys.argv[1:]
    sdk = importlib.import_module(module)
    server = start_ai_upstream([])
    base = f"http://127.0.0.1:{server.server_port}"
    prefix, _, project = dsn.rpartition("/")
    for position, name in enumerate(names):
        run_scenario(sdk, module, f"{prefix}/{int(project) + position}", name, base)
    server.shutdown()


if __name__ == "__main__":
    main()
