"""What the WSGI framework tests (Bottle, Falcon, Pyramid) compare side by side with
sentry_sdk: a scenario module (``tests/<framework>_scenarios.py``) run under each SDK
against a real receiver, its events and transactions reduced to the fields both SDKs
define, and the streamed segments it sends in streaming mode."""

from __future__ import annotations

import json
from typing import Any, Callable, Dict, List, Optional

from tests.receiver import Receiver
from tests.sdk_child import run_child

EventView = Callable[[Dict[str, Any], Dict[str, Any]], Dict[str, Any]]


def event_view(event: Dict[str, Any]) -> Dict[str, Any]:
    request = event.get("request", {})
    view: Dict[str, Any] = {
        "type": event.get("type", "event"),
        "transaction": event.get("transaction"),
        "transaction_info": event.get("transaction_info"),
        "level": event.get("level"),
        "message": event.get("message") or (event.get("logentry") or {}).get("message"),
        "url": request.get("url"),
        "method": request.get("method"),
        "query_string": request.get("query_string"),
        "data": request.get("data"),
        "cookies": request.get("cookies"),
    }
    for value in event.get("exception", {}).get("values", []):
        view.setdefault("exceptions", []).append(
            (value.get("type"), value.get("value"), value.get("mechanism"))
        )
    trace = event.get("contexts", {}).get("trace", {})
    if event.get("type") == "transaction":
        view["status"] = trace.get("status")
        view["op"] = trace.get("op")
        view["origin"] = trace.get("origin")
    return view


def run_events(
    scenarios: str, module: str, adjust: Optional[EventView] = None, *extra: str
) -> Dict[str, Any]:
    """The scenario's response statuses, and its events and transactions as views
    (``adjust(view, event)`` edits a view, for a framework's own fields; ``extra``:
    more arguments for the scenario)."""
    receiver = Receiver()
    try:
        out = run_child(["-m", scenarios, module, receiver.dsn(), *extra])
        statuses = json.loads(out.strip().splitlines()[-1])
        events = list(receiver.events)
        events += [item.get_json() for item in receiver.items("transaction")]
        views = [event_view(e) if adjust is None else adjust(event_view(e), e) for e in events]
        return {"statuses": statuses, "events": sorted(views, key=json.dumps)}
    finally:
        receiver.close()


def run_segments(scenarios: str, module: str, *attributes: str) -> List[Dict[str, Any]]:
    """The streamed segments of the scenario in streaming mode: name, status, source,
    ``http.route`` and the values of ``attributes``."""
    receiver = Receiver()
    try:
        run_child(["-m", scenarios, module, receiver.dsn(), "stream"])
        out = []
        for item in receiver.items("span"):
            for span in item.get_json()["items"]:
                if not span.get("is_segment"):
                    continue
                values = span["attributes"]
                segment = {
                    "name": span["name"],
                    "status": span["status"],
                    "source": values["sentry.segment.name.source"]["value"],
                    "route": values.get("http.route", {}).get("value"),
                }
                for name in attributes:
                    segment[name] = values.get(name, {}).get("value")
                out.append(segment)
        return sorted(out, key=json.dumps)
    finally:
        receiver.close()
