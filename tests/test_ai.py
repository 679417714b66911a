"""OpenAI and Anthropic side by side with sentry_sdk: the same gen_ai spans (in the
transaction, as span items, or streamed), the same data (models, token usage, prompts
and responses as the privacy settings allow) and the same error events, for sync and
async, streamed and complete responses. Real clients against a real local stand-in of
their APIs (tests/ai_upstream.py), a real receiver, both SDKs in fresh interpreters.
Ids, timestamps, ports and durations differ by nature and are normalised."""

from __future__ import annotations

import json
import re
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
OWN_INGEST = "/api/42/envelope/"


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
        if OWN_INGEST not in str(span.get("description"))
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
    """``_meta`` notes on span data, by span op instead of position."""
    spans = event.get("spans", [])
    notes = (event.get("_meta") or {}).get("spans") or {}
    return sorted(
        [
            [spans[int(index)].get("op"), note.get("data")]
            if index.isdigit() and int(index) < len(spans)
            else [index, note]
            for index, note in notes.items()
        ],
        key=json.dumps,
    )


def _span_items(receiver: Receiver) -> List[Dict[str, Any]]:
    items = [span for item in receiver.items("span") for span in item.get_json()["items"]]
    names = {span["span_id"]: span["name"] for span in items}
    out = []
    for span in items:
        if OWN_INGEST in span["name"]:
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


def _errors(receiver: Receiver) -> List[Dict[str, Any]]:
    out = []
    for event in receiver.events:
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


def run(module: str, scenario: str) -> Dict[str, Any]:
    receiver = Receiver()
    try:
        run_child(["-m", "tests.ai_scenarios", module, receiver.dsn(), scenario])
        transactions = [_transaction(item.get_json()) for item in receiver.items("transaction")]
        return _clean(
            {
                "transactions": sorted(transactions, key=lambda t: json.dumps(t, sort_keys=True)),
                "span_items": _span_items(receiver),
                "errors": _errors(receiver),
            }
        )
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


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_same_gen_ai_spans_and_errors_as_sentry_sdk(scenario: str) -> None:
    lite = run("sentry_lite", scenario)
    reference = run("sentry_sdk", scenario)
    assert lite == reference
    assert lite["errors"], "the failing calls are reported"
    if scenario != "no_tracing":
        assert lite["transactions"] or lite["span_items"]


if __name__ == "__main__":  # print both sides of one scenario, for a diff by eye
    import sys

    for module in ("sentry_lite", "sentry_sdk"):
        print(module, json.dumps(run(module, sys.argv[1]), indent=1, sort_keys=True))
