# ruff: noqa: E501 - the child script keeps long lines readable as one block
"""Side by side: core behaviours sentry_sdk defines (breadcrumb ``_meta`` after
``max_breadcrumbs`` cut, the deprecated Hub's ``scope`` inside ``push_scope``,
``stream_gen_ai_spans``), same app code under both SDKs.

Each SDK runs in a fresh interpreter against its own real receiver; the child prints
what it can read locally as JSON, the receiver holds what went on the wire.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Tuple

import pytest

from tests.receiver import Receiver
from tests.sdk_child import run_child

pytest.importorskip("sentry_sdk")

CHILD = r"""
import json, os, sys, warnings, logging
warnings.simplefilter("ignore")
sdk_name, dsn, scenario = sys.argv[1:4]
sentry_sdk = __import__(sdk_name)
base = dict(dsn=dsn, release="r@1", environment="test", server_name="host")
out = {}

if scenario == "breadcrumbs":
    sentry_sdk.init(max_breadcrumbs=2, **base)
    for n in range(3):
        sentry_sdk.add_breadcrumb(message="crumb %d" % n, data={"n": n, "password": "secret"})
    sentry_sdk.capture_message("after three crumbs")
elif scenario in ("gen_ai", "gen_ai_off"):
    sentry_sdk.init(traces_sample_rate=1.0, stream_gen_ai_spans=scenario == "gen_ai", **base)
    sentry_sdk.set_user({"id": "u1"})
    with sentry_sdk.start_transaction(name="agent-run"):
        with sentry_sdk.start_span(op="gen_ai.invoke_agent", name="invoke_agent a") as agent:
            agent.set_data("gen_ai.agent.name", "a")
            agent.set_data("gen_ai.request.messages", [{"role": "user", "content": "hi"}])
            agent.set_tag("team", "ml")
            with sentry_sdk.start_span(op="db", name="select 1"):
                pass
            with sentry_sdk.start_span(op="gen_ai.chat", name="chat m") as chat:
                chat.set_data("gen_ai.usage.input_tokens", 11)
                chat.set_data("gen_ai.request.temperature", 0.5)
                chat.set_data("flags", [1, 2])
                chat.set_status("internal_error")
sentry_sdk.flush(10)
print(json.dumps(out))
"""

HUB_SCENARIO = r"""
import json, sys, warnings
warnings.simplefilter("ignore")
sdk_name, dsn = sys.argv[1:3]
sentry_sdk = __import__(sdk_name)
sentry_sdk.init(dsn=dsn, release="r@1", environment="test", server_name="host")
Hub = sentry_sdk.Hub
with Hub(Hub.current) as hub:
    sentry_sdk.set_tag("B1", 1)
    with hub.push_scope() as scope:
        hub.scope.set_tag("B3", 1)
        scope.set_tag("B4", 1)
        sentry_sdk.capture_message("in push_scope")
    sentry_sdk.set_tag("B5", 1)
    sentry_sdk.capture_message("after push_scope")
sentry_sdk.flush(10)
print("{}")
"""


def run(module: str, scenario: str) -> Tuple[Dict[str, Any], Receiver]:
    receiver = Receiver()
    code = HUB_SCENARIO if scenario == "hub_push_scope" else CHILD
    try:
        out = run_child(["-c", code, module, receiver.dsn(), scenario])
    finally:
        receiver.close()
    return json.loads(out.strip().splitlines()[-1]), receiver


def both(scenario: str) -> List[Tuple[Dict[str, Any], Receiver]]:
    return [run("sentry_sdk", scenario), run("sentry_lite", scenario)]


def test_breadcrumbs_cut_by_max_breadcrumbs_leave_meta_len() -> None:
    results = []
    for _, receiver in both("breadcrumbs"):
        event = receiver.events[0]
        results.append(
            {
                "meta": event["_meta"]["breadcrumbs"],
                "crumbs": [(c["message"], c["data"]) for c in event["breadcrumbs"]["values"]],
            }
        )
    want, got = results
    assert got == want
    assert got["meta"][""] == {"len": 3}
    assert [message for message, _ in got["crumbs"]] == ["crumb 1", "crumb 2"]


def test_hub_scope_inside_push_scope_is_the_pushed_scope() -> None:
    tags = []
    for _, receiver in both("hub_push_scope"):
        events = sorted(receiver.events, key=lambda e: e["message"])
        tags.append([e["tags"] for e in events])
    want, got = tags
    assert got == want
    assert got[1] == {"B1": 1, "B3": 1, "B4": 1}


VARIABLE_ATTRIBUTES = ("sentry.sdk.name", "sentry.sdk.version", "thread.id", "thread.name")


def _gen_ai_items(receiver: Receiver) -> Dict[str, Any]:
    (envelope,) = receiver.envelopes
    (transaction,) = receiver.transactions
    spans = []
    for item in envelope.items:
        if item.type != "span":
            continue
        assert item.headers["content_type"] == "application/vnd.sentry.items.span.v2+json"
        payload = item.get_json()
        assert payload["version"] == 2 and item.headers["item_count"] == len(payload["items"])
        for span in payload["items"]:
            assert span["start_timestamp"] <= span["end_timestamp"]
            assert (
                span["attributes"].pop("sentry.segment.id")["value"]
                == (transaction["contexts"]["trace"]["span_id"])
            )
            for key in (
                "trace_id",
                "span_id",
                "parent_span_id",
                "start_timestamp",
                "end_timestamp",
            ):
                assert span.pop(key)
            for key in VARIABLE_ATTRIBUTES:
                span["attributes"].pop(key, None)
            spans.append(span)
    return {"ops": sorted(s["op"] for s in transaction["spans"]), "spans": spans}


@pytest.mark.parametrize("scenario", ["gen_ai", "gen_ai_off"])
def test_stream_gen_ai_spans_as_sentry_sdk(scenario: str) -> None:
    (_, sdk), (_, lite) = both(scenario)
    want, got = _gen_ai_items(sdk), _gen_ai_items(lite)
    assert got == want
    if scenario == "gen_ai":
        assert got["ops"] == ["db"] and len(got["spans"]) == 2
    else:
        assert got["spans"] == [] and len(got["ops"]) == 3
