"""The request's transaction is named after its route before the view runs, side by side
with sentry_sdk: the view sees the route's name, and the baggage of its outgoing call
(what a downstream service samples by) carries it, sampled or not. Before, sentry_lite
named it only when the response started: the view saw "generic WSGI request" and sent
it downstream. Real apps, a real upstream server, both SDKs in fresh interpreters."""

from __future__ import annotations

import json
from typing import Any, Dict

import pytest

from tests.receiver import Receiver
from tests.sdk_child import run_child

ROUTES = {
    "flask": "user",  # transaction_style "endpoint"
    "starlette": "/users/{user_id}",  # "url"
    "fastapi": "/users/{user_id}",
    "django": "/users/{user_id}",
}


def run(module: str, framework: str, rate: str) -> Dict[str, Any]:
    receiver = Receiver()
    try:
        out = run_child(
            ["-m", "tests.route_naming_scenarios", module, receiver.dsn(), framework, rate]
        )
        result: Dict[str, Any] = json.loads(out.strip().splitlines()[-1])
        transactions = receiver.items("transaction")
        result["sent"] = [item.get_json()["transaction"] for item in transactions]
        result["dsc"] = [
            env.headers.get("trace", {}).get("transaction")
            for env in receiver.envelopes
            if any(item.type == "transaction" for item in env.items)
        ]
        result["error_dsc"] = [
            {
                k: v
                for k, v in env.headers.get("trace", {}).items()
                if k not in ("trace_id", "sample_rand")
            }
            for env in receiver.envelopes
            if any(item.type == "event" for item in env.items)
        ]
        events = receiver.items("event")
        result["error_transaction"] = [
            (item.get_json().get("transaction"), item.get_json().get("transaction_info"))
            for item in events
        ]
        return result
    finally:
        receiver.close()


@pytest.mark.parametrize("rate", ["1.0", "0.0"])
@pytest.mark.parametrize("framework", sorted(ROUTES))
def test_route_name_reaches_the_view_and_downstream(framework: str, rate: str) -> None:
    pytest.importorskip(framework)
    pytest.importorskip("sentry_sdk")
    lite = run("sentry_lite", framework, rate)
    sdk = run("sentry_sdk", framework, rate)
    quoted = ROUTES[framework].replace("{", "%7B").replace("}", "%7D")
    assert lite["name_in_view"] == sdk["name_in_view"] == ROUTES[framework]
    assert lite["baggage_transaction"] == sdk["baggage_transaction"] == quoted
    assert lite["baggage_sampled"] == sdk["baggage_sampled"]
    assert lite["sent"] == sdk["sent"]
    assert lite["dsc"] == sdk["dsc"]
    assert lite["error_transaction"] == sdk["error_transaction"]
    assert lite["error_dsc"] == sdk["error_dsc"]
    if rate == "1.0":
        assert lite["sent"] == [ROUTES[framework]]
        assert lite["dsc"] == [ROUTES[framework]]
