"""What the GraphQL side-by-side tests compare: a scenario module run under each SDK
against a real receiver, its error events, transactions (with their GraphQL spans) and
streamed spans reduced to the fields both SDKs define."""

from __future__ import annotations

import json
from typing import Any, Dict, List

from tests.receiver import Receiver
from tests.sdk_child import run_child

_SPAN_ATTRIBUTES = ("sentry.op", "sentry.origin", "sentry.segment.name.source")


def error_view(event: Dict[str, Any]) -> Dict[str, Any]:
    request = event.get("request", {})
    crumbs = (event.get("breadcrumbs") or {}).get("values", [])
    return {
        "transaction": event.get("transaction"),
        "transaction_info": event.get("transaction_info"),
        "exceptions": [
            (v.get("type"), v.get("value"), v.get("mechanism"))
            for v in event.get("exception", {}).get("values", [])
        ],
        "message": (event.get("logentry") or {}).get("message") or event.get("message"),
        "url": request.get("url"),
        "method": request.get("method"),
        "query_string": request.get("query_string"),
        "request_data": request.get("data"),
        "api_target": request.get("api_target"),
        "response": event.get("contexts", {}).get("response"),
        "graphql_crumbs": [
            c.get("data") for c in crumbs if c.get("category") == "graphql.operation"
        ],
    }


def span_view(span: Dict[str, Any]) -> Dict[str, Any]:
    return {
        "op": span.get("op"),
        "description": span.get("description"),
        "origin": span.get("origin"),
        "status": span.get("status"),
        "data": {k: v for k, v in (span.get("data") or {}).items() if k.startswith("graphql.")},
    }


def transaction_view(event: Dict[str, Any]) -> Dict[str, Any]:
    trace = event.get("contexts", {}).get("trace", {})
    spans = [span_view(s) for s in event.get("spans", []) if "graphql" in (s.get("op") or "")]
    return {
        "transaction": event.get("transaction"),
        "source": event.get("transaction_info", {}).get("source"),
        "op": trace.get("op"),
        "status": trace.get("status"),
        "spans": sorted(spans, key=json.dumps),
    }


def streamed_view(span: Dict[str, Any]) -> Dict[str, Any]:
    attributes = span.get("attributes", {})
    kept = {
        k: v.get("value")
        for k, v in attributes.items()
        if k.startswith("graphql.") or k in _SPAN_ATTRIBUTES
    }
    return {
        "name": span["name"],
        "segment": span.get("is_segment"),
        "status": span.get("status"),
        "attributes": kept,
    }


def run(scenarios: str, module: str, mode: str) -> Dict[str, Any]:
    """The scenario's statuses, error events, transactions and streamed spans, reduced."""
    receiver = Receiver()
    try:
        out = run_child(["-m", scenarios, module, receiver.dsn(), mode])
        statuses = json.loads(out.strip().splitlines()[-1])
        errors = [error_view(e) for e in receiver.events]
        transactions = [transaction_view(i.get_json()) for i in receiver.items("transaction")]
        streamed: List[Dict[str, Any]] = []
        for item in receiver.items("span"):
            # sentry_sdk's stdlib integration records its own envelope POSTs: not ours
            own = [s for s in item.get_json()["items"] if "/envelope/" not in s["name"]]
            streamed += [streamed_view(s) for s in own]
        return {
            "statuses": statuses,
            "errors": sorted(errors, key=json.dumps),
            "transactions": sorted(transactions, key=json.dumps),
            "streamed": sorted(streamed, key=json.dumps),
        }
    finally:
        receiver.close()
