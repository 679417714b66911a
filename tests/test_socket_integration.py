"""SocketIntegration side by side with sentry_sdk: the same ``socket.connection`` and
``socket.dns`` spans (names, data or attributes, and which one is whose parent), in
transaction and streaming mode, for a real connection to a local socket."""

from __future__ import annotations

import re
from typing import Any, Dict, List

import pytest

from tests.receiver import Receiver
from tests.sdk_child import run_child

pytest.importorskip("sentry_sdk")


def _without_port(value: Any) -> Any:
    return re.sub(r":\d+$", ":PORT", value) if isinstance(value, str) else value


def _spans(receiver: Receiver) -> List[Dict[str, Any]]:
    """The app's socket spans (sentry_sdk also records its own uploads to the ingest when
    its threads start inside a span; see tests/test_own_threads.py)."""
    ingest = "127.0.0.1:" + receiver.dsn().rsplit(":", 1)[1].split("/", 1)[0]
    out: List[Dict[str, Any]] = []
    for item in receiver.items("transaction"):
        spans = item.get_json().get("spans", [])
        ops = {span["span_id"]: span.get("op") for span in spans}
        for span in spans:
            if ingest in str(span.get("description")):
                continue
            data = dict(span.get("data", {}))
            for key in ("thread.id", "thread.name", "timeout"):  # timeout: an object's repr
                data.pop(key, None)
            if "address" in data:
                data["address"] = [data["address"][0], "PORT"]
            if "port" in data:
                data["port"] = "PORT"
            out.append(
                {
                    "op": span.get("op"),
                    "name": _without_port(span.get("description")),
                    "origin": span.get("origin"),
                    "parent": ops.get(span.get("parent_span_id"), "<transaction>"),
                    "data": data,
                }
            )
    for item in receiver.items("span"):
        items = item.get_json()["items"]
        names = {span["span_id"]: span["name"] for span in items}
        for span in items:
            attributes = span.get("attributes", {})
            if ingest in span["name"]:
                continue
            if "sentry.op" not in attributes:
                continue  # the segment
            out.append(
                {
                    "op": attributes["sentry.op"]["value"],
                    "name": _without_port(span["name"]),
                    "origin": attributes["sentry.origin"]["value"],
                    "parent": _without_port(names.get(span.get("parent_span_id"), "?")),
                    "server.address": attributes.get("server.address", {}).get("value"),
                    "has server.port": "server.port" in attributes,
                }
            )
    return sorted(out, key=lambda s: (s["op"], s["name"], s["parent"]))


def run(module: str, mode: str) -> List[Dict[str, Any]]:
    receiver = Receiver()
    try:
        run_child(["-m", "tests.socket_scenarios", module, receiver.dsn(), mode])
        return _spans(receiver)
    finally:
        receiver.close()


@pytest.mark.parametrize("mode", ["transaction", "stream"])
def test_same_socket_spans_as_sentry_sdk(mode: str) -> None:
    lite = run("sentry_lite", mode)
    sdk = run("sentry_sdk", mode)
    assert lite == sdk
    ops = [span["op"] for span in lite]
    assert ops.count("socket.connection") == 1
    assert ops.count("socket.dns") >= 2  # the connection's own lookup and the direct one
