"""OpenAI and Anthropic side by side with sentry_sdk: the same gen_ai spans (in the
transaction, as span items, or streamed), the same data (models, token usage, prompts
and responses as the privacy settings allow) and the same error events, for sync and
async, streamed and complete responses. Real clients against a real local stand-in of
their APIs (tests/ai_upstream.py), a real receiver, both SDKs in fresh interpreters.
Ids, timestamps, ports and durations differ by nature and are normalised."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List

import pytest

from tests.receiver import Receiver
from tests.sdk_child import run_child

pytest.importorskip("sentry_sdk")
pytest.importorskip("openai")
pytest.importorskip("anthropic")

VOLATILE = {
    "thread.id",
    "thread.name",
    "sentry.sdk.name",
    "sentry.sdk.version",
    "sentry.sdk.integrations",
    "process.command_args",
    "sentry.segment.id",
    "server.address",
}
TIMED = {"gen_ai.response.time_to_first_token"}
"""Durations: only their presence is compared."""
OWN_INGEST = re.compile(r"/api/\d+/envelope/")
"""sentry_sdk in streaming mode also makes spans of its own envelope uploads."""
NOT_AI = ("subprocess",)
"""Spans of the client's platform probing at start-up (the stdlib integration's)."""


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", value)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _data(data: Dict[str, Any]) -> Dict[str, Any]:
    out = {k: v for k, v in data.items() if k not in VOLATILE}
    for key in TIMED & set(out):
        value = out[key]
        if isinstance(value, dict) and isinstance(value.get("value"), float):
            out[key] = {**value, "value": "<duration>"}  # a span item's attribute
        elif isinstance(value, float):
            out[key] = "<duration>"
    return out


def _transaction(event: Dict[str, Any]) -> Dict[str, Any]:
    ops = {event["contexts"]["trace"]["span_id"]: event["contexts"]["trace"].get("op")}
    ops.update({span["span_id"]: span.get("op") for span in event.get("spans", [])})
    spans = [
        {
            "op": span.get("op"),
            "description": span.get("description"),
            "origin": span.get("origin"),
            "status": span.get("status"),
            "parent": ops.get(span.get("parent_span_id"), "<elsewhere>"),
            "data": _data(span.get("data", {})),
        }
        for span in event.get("spans", [])
        if not OWN_INGEST.search(str(span.get("description")))
        and not str(span.get("op")).startswith(NOT_AI)
    ]
    trace = event["contexts"]["trace"]
    return {
        "transaction": event["transaction"],
        "op": trace.get("op"),
        "origin": trace.get("origin"),
        "status": trace.get("status"),
        "data": _data(trace.get("data", {})),
        "spans": sorted(spans, key=lambda s: json.dumps(s, sort_keys=True)),
        "meta": _span_meta(event),
    }


def _span_meta(event: Dict[str, Any]) -> List[Any]:
    """``_meta`` notes on span data, by span op instead of position (the note on the
    list itself is left out: sentry_sdk counts its own unfinished envelope uploads)."""
    spans = event.get("spans", [])
    notes = dict((event.get("_meta") or {}).get("spans") or {})
    notes.pop("", None)
    return sorted(
        [
            [spans[int(index)].get("op"), note.get("data")]
            if index.isdigit() and int(index) < len(spans)
            else [index, note]
            for index, note in notes.items()
        ],
        key=json.dumps,
    )


def _span_items(envelopes: List[Any]) -> List[Dict[str, Any]]:
    items = [span for item in _items(envelopes, "span") for span in item.get_json()["items"]]
    names = {span["span_id"]: span["name"] for span in items}
    out = []
    for span in items:
        op = str(span.get("attributes", {}).get("sentry.op", {}).get("value"))
        if OWN_INGEST.search(span["name"]) or op.startswith(NOT_AI):
            continue
        attributes = {k: v for k, v in span.get("attributes", {}).items() if k not in VOLATILE}
        out.append(
            {
                "name": span["name"],
                "status": span["status"],
                "parent": names.get(span.get("parent_span_id"), "<transaction or none>"),
                "attributes": _data(attributes),
            }
        )
    return sorted(out, key=lambda s: json.dumps(s, sort_keys=True))


def _errors(envelopes: List[Any]) -> List[Dict[str, Any]]:
    out = []
    for event in (item.get_json() for item in _items(envelopes, "event")):
        exception = event["exception"]["values"][-1]
        out.append(
            {
                "type": exception["type"],
                "value": exception["value"],
                "mechanism": exception.get("mechanism"),
                "level": event.get("level"),
                "traced": "trace" in event.get("contexts", {}),
            }
        )
    return sorted(out, key=lambda e: json.dumps(e, sort_keys=True))


def _items(envelopes: List[Any], item_type: str) -> List[Any]:
    return [item for envelope in envelopes for item in envelope.items if item.type == item_type]


FIRST_PROJECT = 100


def run(module: str) -> Dict[str, Dict[str, Any]]:
    """Every scenario under one SDK (one interpreter): scenario -> what arrived."""
    receiver = Receiver()
    try:
        dsn = receiver.dsn(project=str(FIRST_PROJECT))
        run_child(["-m", "tests.ai_scenarios", module, dsn, *SCENARIOS], timeout=120)
        out = {}
        for position, scenario in enumerate(SCENARIOS):
            path = f"/api/{FIRST_PROJECT + position}/"
            envelopes = [
                r.envelope
                for r in receiver.requests
                if r.envelope is not None and r.status < 300 and path in r.path
            ]
            transactions = [
                _transaction(item.get_json()) for item in _items(envelopes, "transaction")
            ]
            out[scenario] = _clean(
                {
                    "transactions": sorted(
                        transactions, key=lambda t: json.dumps(t, sort_keys=True)
                    ),
                    "span_items": _span_items(envelopes),
                    "errors": _errors(envelopes),
                }
            )
        return out
    finally:
        receiver.close()


SCENARIOS = [
    "pii",
    "default",
    "no_prompts",
    "inline",
    "no_transaction",
    "no_tracing",
    "streaming",
    "data_collection",
]


@pytest.fixture(scope="module")
def both() -> Dict[str, Dict[str, Dict[str, Any]]]:
    with ThreadPoolExecutor(2) as pool:  # the two interpreters run side by side
        lite = pool.submit(run, "sentry_lite")
        return {"sentry_sdk": run("sentry_sdk"), "sentry_lite": lite.result()}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_same_gen_ai_spans_and_errors_as_sentry_sdk(both: Any, scenario: str) -> None:
    lite = both["sentry_lite"][scenario]
    assert lite == both["sentry_sdk"][scenario]
    assert lite["errors"], "the failing calls are reported"
    if scenario != "no_tracing":
        assert lite["transactions"] or lite["span_items"]


AUTO_ENABLE = """
import sentry_lite
sentry_lite.init(dsn="http://key@127.0.0.1:9/1")
import openai, anthropic  # after init: the integrations turn on at the import
print(sorted(i for i in sentry_lite.get_client().integrations if i in ("openai", "anthropic")))
"""


def test_both_turn_on_when_their_client_is_imported() -> None:
    assert run_child(["-c", AUTO_ENABLE]).split() == ["['anthropic',", "'openai']"]


def test_a_stream_that_breaks_ends_its_span_with_an_error(
    sentry_init: Any, receiver: Receiver
) -> None:
    """A deliberate difference: sentry_sdk leaves the span of a stream that raises
    half-way unfinished, so it is never sent; here it ends with ``internal_error``."""
    import openai

    import sentry_lite
    from sentry_lite.integrations.openai import OpenAIIntegration
    from tests.ai_upstream import start_ai_upstream

    sentry_init(traces_sample_rate=1.0, integrations=[OpenAIIntegration()])
    server = start_ai_upstream([])
    try:
        base = f"http://127.0.0.1:{server.server_port}/v1"
        client = openai.OpenAI(api_key="test", base_url=base, max_retries=0)
        with sentry_lite.start_transaction(name="cut"):
            stream = client.chat.completions.create(model="cut", messages=[], stream=True)
            with pytest.raises(openai.APIError):
                for _ in stream:
                    pass
        sentry_lite.flush(5)
        receiver.wait_for(1, item_type="span")
    finally:
        server.shutdown()
    (span,) = [s for item in receiver.items("span") for s in item.get_json()["items"]]
    assert span["name"] == "chat cut"
    assert span["status"] == "error"
    assert span["attributes"]["gen_ai.response.model"]["value"] == "cut-2024"


if __name__ == "__main__":  # print both sides, for a diff by eye
    for module in ("sentry_lite", "sentry_sdk"):
        print(module, json.dumps(run(module), indent=1, sort_keys=True))
