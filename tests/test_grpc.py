"""gRPC side by side with sentry_sdk: a real grpcio server and channel (sync and
``grpc.aio``) in each SDK's own interpreter, against its own receiver.

Compared: the server's transactions (or segments) and the client's spans, with the
trace each belongs to and the span each continues; error events; and the trace headers
the server received. Ids, timestamps, thread ids and SDK identity differ by nature and
are replaced by what they point at.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List

import pytest

from tests.receiver import Receiver
from tests.sdk_child import run_child
from tests.test_side_by_side import diff

pytest.importorskip("grpc")
pytest.importorskip("sentry_sdk")

VOLATILE = {
    "thread.id",
    "thread.name",
    "sentry.sdk.name",
    "sentry.sdk.version",
    "sentry.sdk.integrations",
    "process.command_args",
    "sentry.segment.id",
}


class Labels:
    """Stable names for ids: a trace is named after the first transaction or segment in
    it, a span after its description."""

    def __init__(self) -> None:
        self.traces: Dict[str, str] = {}
        self.spans: Dict[str, str] = {}

    def trace(self, trace_id: Any, name: str) -> str:
        return self.traces.setdefault(str(trace_id), f"trace of {name}")


def _data(values: Dict[str, Any]) -> Dict[str, Any]:
    return {k: v for k, v in values.items() if k not in VOLATILE}


def reduced(receiver: Receiver, seen: List[Dict[str, str]]) -> Dict[str, Any]:
    labels = Labels()
    out: Dict[str, Any] = {"transactions": [], "events": [], "spans": [], "headers": []}
    transactions = [item.get_json() for item in receiver.items("transaction")]
    streamed = [span for item in receiver.items("span") for span in item.get_json()["items"]]
    streamed = [s for s in streamed if "/envelope/" not in s["name"]]
    for txn in transactions:
        trace = txn["contexts"]["trace"]
        labels.spans[trace["span_id"]] = f"transaction {txn['transaction']}"
        for span in txn.get("spans") or []:
            labels.spans[span["span_id"]] = str(span.get("description"))
    for span in streamed:
        labels.spans[span["span_id"]] = span["name"]
    for txn in sorted(transactions, key=lambda t: t["start_timestamp"]):
        trace = txn["contexts"]["trace"]
        out["transactions"].append(
            {
                "transaction": txn["transaction"],
                "source": (txn.get("transaction_info") or {}).get("source"),
                "op": trace.get("op"),
                "origin": trace.get("origin"),
                "status": trace.get("status"),
                "trace": labels.trace(trace["trace_id"], txn["transaction"]),
                "parent": labels.spans.get(
                    trace.get("parent_span_id"),
                    "unrecorded" if trace.get("parent_span_id") else None,
                ),
                "tags": txn.get("tags"),
                "spans": [
                    {
                        "op": s.get("op"),
                        "description": s.get("description"),
                        "origin": s.get("origin"),
                        "status": s.get("status"),
                        "data": _data(s.get("data") or {}),
                    }
                    for s in txn.get("spans") or []
                ],
            }
        )
    for span in sorted(streamed, key=lambda s: s["start_timestamp"]):
        attributes = {k: v["value"] for k, v in (span.get("attributes") or {}).items()}
        out["spans"].append(
            {
                "name": span["name"],
                "status": span["status"],
                "is_segment": span.get("is_segment"),
                "trace": labels.trace(span["trace_id"], span["name"]),
                "parent": labels.spans.get(
                    span.get("parent_span_id"), "unrecorded" if span.get("parent_span_id") else None
                ),
                "attributes": _data(attributes),
            }
        )
    for i, headers in enumerate(seen):
        trace = headers.get("sentry-trace", "")
        parts = trace.split("-")
        out["headers"].append(
            {
                "trace": labels.trace(parts[0], f"unary call {i}") if trace else None,
                "parent": labels.spans.get(parts[1], "?") if len(parts) > 1 else None,
                "sampled": parts[2] if len(parts) > 2 else None,
                "baggage": sorted(
                    e.split("=")[0] for e in headers.get("baggage", "").split(",") if e
                ),
            }
        )
    for event in receiver.events:
        trace = (event.get("contexts") or {}).get("trace") or {}
        values = (event.get("exception") or {}).get("values") or []
        out["events"].append(
            {
                "level": event.get("level"),
                "logger": event.get("logger"),
                "transaction": event.get("transaction"),
                "tags": event.get("tags"),
                "trace": labels.traces.get(trace.get("trace_id"), "a trace of its own"),
                "exception": [(v.get("type"), v.get("value"), v.get("mechanism")) for v in values],
            }
        )
    out["events"].sort(key=lambda e: json.dumps(e, sort_keys=True))
    return out


def run(module: str, scenario: str) -> Dict[str, Any]:
    receiver = Receiver()
    try:
        out = run_child(["-m", "tests.grpc_scenarios", module, receiver.dsn(), scenario])
        seen = json.loads(out.strip().splitlines()[-1])
        return reduced(receiver, seen)
    finally:
        receiver.close()


SCENARIOS = [
    "sync_traced",
    "sync_untraced",
    "sync_streamed",
    "aio_traced",
    "aio_untraced",
    "aio_streamed",
]


def improve_sync_server_errors(sdk: Dict[str, Any]) -> None:
    """A sync handler's exception is reported within its call (mechanism ``grpc``,
    unhandled, the call's transaction, tags and trace), as sentry_sdk does for
    ``grpc.aio``; for sync servers sentry_sdk sends only grpc's log line, outside the
    call, and the dedupe integration drops that one here."""
    logged = [e for e in sdk["events"] if e["logger"] == "grpc._server"]
    assert logged, "sentry_sdk reports sync handler errors itself now: drop this rule"
    for event in logged:
        (error,) = event["exception"]
        assert error[2] == {"type": "logging", "handled": True}
        event.update(
            logger=None,
            transaction="/scenario.Echo/Unary",
            tags={"handler": "unary"},
            trace=sdk["headers"][1]["trace"],  # the failing call's trace
            exception=[(error[0], error[1], {"type": "grpc", "handled": False})],
        )


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_same_as_sentry_sdk(scenario: str) -> None:
    lite = run("sentry_lite", scenario)
    sdk = run("sentry_sdk", scenario)
    if scenario.startswith("sync"):
        improve_sync_server_errors(sdk)
    assert len(lite["events"]) == 1, "one event per failed call (the abort is none)"
    problems = diff(lite, sdk)
    assert not problems, "\n".join(problems)


# -- in process: options and arguments sentry_sdk handles differently or not at all -----


def _echo_server(*interceptors: Any, positional: bool = False) -> Any:
    from concurrent import futures

    import grpc

    def unary(request: bytes, context: Any) -> bytes:
        return request

    handler = grpc.method_handlers_generic_handler(
        "t.Echo", {"Unary": grpc.unary_unary_rpc_method_handler(unary)}
    )
    pool = futures.ThreadPoolExecutor(max_workers=1)
    if positional:
        server = grpc.server(pool, None, list(interceptors))
    else:
        server = grpc.server(pool, interceptors=list(interceptors))
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    return server, port


def _call_echo(receiver: Receiver, server: Any, port: int, wait: bool = True) -> None:
    """One call through an instrumented channel; then the server stops."""
    import grpc

    import sentry_lite

    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            assert channel.unary_unary("/t.Echo/Unary")(b"x") == b"x"
    finally:
        server.stop(None).wait()
    if wait:
        sentry_lite.flush(5)
        receiver.wait_for(1, item_type="transaction")


def test_not_enabled_unless_asked() -> None:
    """Opt-in, as with sentry_sdk: importing grpc does not enable it."""
    code = (
        "import sentry_lite\n"
        "sentry_lite.init(dsn='http://public@127.0.0.1:9/1')\n"
        "import grpc\n"
        "print('grpc' in sentry_lite.get_client().integrations)\n"
    )
    assert run_child(["-c", code]).strip() == "False"


@pytest.mark.parametrize("positional", [False, True])
def test_the_apps_own_server_interceptor_keeps_its_find_name(
    sentry_init: Any, receiver: Receiver, positional: bool
) -> None:
    """An app that passes ``ServerInterceptor(find_name=...)`` itself keeps it (sentry_sdk
    replaces it with a plain one), by keyword or by position."""

    from sentry_lite.integrations.grpc import GRPCIntegration
    from sentry_lite.integrations.grpc.server import ServerInterceptor

    sentry_init(integrations=[GRPCIntegration()], traces_sample_rate=1.0)
    mine = ServerInterceptor(find_name=lambda context: "named by the app")
    _call_echo(receiver, *_echo_server(mine, positional=positional))
    assert [t["transaction"] for t in receiver.transactions] == ["named by the app"]


def test_nothing_recorded_when_the_client_does_not_enable_it(
    sentry_init: Any, receiver: Receiver
) -> None:
    import grpc

    import sentry_lite
    from sentry_lite.integrations.grpc import GRPCIntegration

    sentry_init(integrations=[GRPCIntegration()], traces_sample_rate=1.0)
    sentry_init(traces_sample_rate=1.0, default_integrations=False)
    seen: List[Any] = []

    class Spy(grpc.ServerInterceptor):  # type: ignore[misc]
        def intercept_service(self, continuation: Any, details: Any) -> Any:
            seen.append(dict(details.invocation_metadata))
            return continuation(details)

    with sentry_lite.start_transaction(name="client"):
        _call_echo(receiver, *_echo_server(Spy()), wait=False)
    sentry_lite.flush(5)
    receiver.wait_for(1, item_type="transaction")
    assert [t["transaction"] for t in receiver.transactions] == ["client"]
    assert receiver.transactions[0]["spans"] == []
    assert "sentry-trace" not in seen[0]


def test_a_future_call_does_not_wait_for_the_server(sentry_init: Any, receiver: Receiver) -> None:
    """``.future()`` returns before the call ends (sentry_sdk waits for the status code)."""
    import threading
    from concurrent import futures

    import grpc

    import sentry_lite
    from sentry_lite.integrations.grpc import GRPCIntegration

    sentry_init(integrations=[GRPCIntegration()], traces_sample_rate=1.0)
    release = threading.Event()

    def unary(request: bytes, context: Any) -> bytes:
        release.wait(10)
        return request

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=1))
    server.add_generic_rpc_handlers(
        (
            grpc.method_handlers_generic_handler(
                "t.Slow", {"U": grpc.unary_unary_rpc_method_handler(unary)}
            ),
        )
    )
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        with (
            sentry_lite.start_transaction(name="client"),
            grpc.insecure_channel(f"127.0.0.1:{port}") as channel,
        ):
            call = channel.unary_unary("/t.Slow/U").future(b"x")
            assert not call.done()
            release.set()
            assert call.result(timeout=10) == b"x"
    finally:
        release.set()
        server.stop(None).wait()
    sentry_lite.flush(5)
    receiver.wait_for(2, item_type="transaction")
    (client,) = [t for t in receiver.transactions if t["transaction"] == "client"]
    (span,) = client["spans"]
    assert span["description"] == "unary unary call to /t.Slow/U"
    assert "code" not in span["data"]
