"""Tracing API, sampling and the transaction wire format, through the real receiver."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime
from typing import Any, Callable, Dict, List, Tuple

import pytest

import sentry_lite
from sentry_lite.scope import Scope
from sentry_lite.tracing import (
    TRANSACTION_SOURCE_ROUTE,
    NoOpSpan,
    Span,
    Transaction,
    TransactionSource,
    UnsampledSpan,
)
from tests.receiver import Receiver

HEX32 = re.compile(r"^[0-9a-f]{32}$")
HEX16 = re.compile(r"^[0-9a-f]{16}$")
Init = Callable[..., Any]


def _ts(value: str) -> float:
    assert value.endswith("Z")
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()


def assert_relay_valid(txn: Dict[str, Any]) -> None:
    """What Relay's normaliser insists on for a transaction and its spans."""
    assert txn["type"] == "transaction"
    assert isinstance(txn["transaction"], str) and txn["transaction"]
    assert txn["transaction_info"]["source"] in {
        "custom",
        "url",
        "route",
        "view",
        "component",
        "task",
    }
    trace = txn["contexts"]["trace"]
    assert HEX32.match(trace["trace_id"]) and HEX16.match(trace["span_id"])
    assert "dynamic_sampling_context" not in trace
    start, end = _ts(txn["start_timestamp"]), _ts(txn["timestamp"])
    assert start <= end
    ids = {trace["span_id"]}
    for span in txn["spans"]:
        assert span["trace_id"] == trace["trace_id"]
        assert HEX16.match(span["span_id"]) and HEX16.match(span["parent_span_id"])
        s, e = _ts(span["start_timestamp"]), _ts(span["timestamp"])
        assert start <= s <= e <= end + 1e-6
        ids.add(span["span_id"])
    assert len(ids) == len(txn["spans"]) + 1, "span ids are unique"
    for span in txn["spans"]:
        assert span["parent_span_id"] in ids, "every parent is in the tree"


class Losses(Dict[Tuple[str, str], int]):
    """``on_drop`` hook: ``{(category, reason): quantity}`` as client reports would say."""

    def __call__(self, envelope: Any, reason: str, category: str, quantity: int) -> None:
        self[category, reason] = self.get((category, reason), 0) + quantity


def close(receiver: Receiver) -> None:
    """Deliver everything, client reports included."""
    sentry_lite.flush(timeout=5)
    sentry_lite.get_client().close(timeout=5)


def test_transaction_with_children_wire_format(sentry_init: Init, receiver: Receiver) -> None:
    sentry_init(traces_sample_rate=1.0, release="r@1", environment="test")
    with sentry_lite.start_transaction(op="task", name="nightly", source="task") as txn:
        txn.set_tag("team", "core")
        txn.set_data("job.id", 7)
        with sentry_lite.start_span(op="db.query", name="SELECT 1") as span:
            span.set_data("db.system", "sqlite")
            span.set_tag("shard", "a")
            with span.start_child(op="db.fetch", description="rows") as inner:
                inner.set_status("ok")
        manual = txn.start_child(op="cache.get", name="k")
        manual.set_http_status(404)
        manual.finish()
        sentry_lite.set_measurement("rows", 3, "none")
    close(receiver)
    (event,) = receiver.transactions
    assert_relay_valid(event)
    assert event["transaction"] == "nightly"
    assert event["transaction_info"] == {"source": "task"}
    assert event["tags"]["team"] == "core"
    assert event["measurements"] == {"rows": {"value": 3, "unit": "none"}}
    assert event["release"] == "r@1" and event["environment"] == "test"
    trace = event["contexts"]["trace"]
    assert trace["op"] == "task" and trace["origin"] == "manual"
    assert trace["data"]["job.id"] == 7 and "thread.id" in trace["data"]
    spans = {s["op"]: s for s in event["spans"]}
    assert spans["db.query"]["parent_span_id"] == trace["span_id"]
    assert spans["db.fetch"]["parent_span_id"] == spans["db.query"]["span_id"]
    assert spans["db.query"]["data"]["db.system"] == "sqlite"
    assert spans["db.query"]["tags"] == {"shard": "a"}
    assert spans["db.fetch"]["status"] == "ok" and spans["db.fetch"]["tags"] == {"status": "ok"}
    cache = spans["cache.get"]
    assert cache["status"] == "not_found"
    assert cache["data"]["http.response.status_code"] == 404
    assert cache["tags"]["http.status_code"] == "404"
    assert cache["same_process_as_parent"] is True
    (envelope,) = [e for e in receiver.envelopes if e.items[0].type == "transaction"]
    dsc = envelope.headers["trace"]
    assert dsc["trace_id"] == trace["trace_id"]
    assert dsc["transaction"] == "nightly" and dsc["sampled"] == "true"
    assert dsc["sample_rate"] == "1.0" and dsc["public_key"] == "public"
    assert 0 <= float(dsc["sample_rand"]) < 1


def test_context_manager_sets_and_restores_current_span(sentry_init: Init) -> None:
    sentry_init(traces_sample_rate=1.0)
    assert sentry_lite.get_current_span() is None
    with sentry_lite.start_transaction(name="t") as txn:
        assert isinstance(txn, Transaction)
        assert sentry_lite.get_current_span() is txn
        assert Scope.get_current_scope().transaction is txn
        with sentry_lite.start_span(op="a") as a:
            assert isinstance(a, Span) and sentry_lite.get_current_span() is a
            with sentry_lite.start_span(op="b") as b:
                assert b.parent_span_id == a.span_id
            assert sentry_lite.get_current_span() is a
        assert sentry_lite.get_current_span() is txn
    assert sentry_lite.get_current_span() is None


def test_start_span_without_transaction_is_not_sent(sentry_init: Init, receiver: Receiver) -> None:
    sentry_init(traces_sample_rate=1.0)
    with sentry_lite.start_span(op="lonely") as span:
        assert span.containing_transaction is None
        ctx = Scope.get_isolation_scope().get_propagation_context()
        assert span.trace_id == ctx.trace_id
    close(receiver)
    assert receiver.transactions == []


def test_error_in_span_marks_status_and_links_the_error(
    sentry_init: Init, receiver: Receiver
) -> None:
    sentry_init(traces_sample_rate=1.0)
    with (
        pytest.raises(ZeroDivisionError),
        sentry_lite.start_transaction(name="t"),
        sentry_lite.start_span(op="math") as span,
    ):
        try:
            1 / 0  # noqa: B018
        except ZeroDivisionError:
            sentry_lite.capture_exception()
            raise
    close(receiver)
    (txn,) = receiver.transactions
    (error,) = receiver.events
    assert txn["contexts"]["trace"]["status"] == "internal_error"
    assert txn["spans"][0]["status"] == "internal_error"
    assert error["contexts"]["trace"]["span_id"] == span.span_id
    assert error["contexts"]["trace"]["trace_id"] == txn["contexts"]["trace"]["trace_id"]
    assert "dynamic_sampling_context" not in error["contexts"]["trace"]
    headers = [e.headers for e in receiver.envelopes if e.items[0].type == "event"]
    assert headers[0]["trace"]["transaction"] == "t"


def test_errors_link_to_a_trace_when_tracing_is_off(sentry_init: Init, receiver: Receiver) -> None:
    sentry_init(release="r")
    incoming = {
        "sentry-trace": "a" * 32 + "-" + "b" * 16 + "-1",
        "baggage": "sentry-trace_id="
        + "a" * 32
        + ",sentry-environment=prod,sentry-sample_rate=0.25,vendor=x",
    }
    with sentry_lite.isolation_scope():
        txn = sentry_lite.continue_trace(incoming, op="http.server", name="/x")
        assert txn.trace_id == "a" * 32 and txn.parent_span_id == "b" * 16
        assert sentry_lite.get_traceparent().startswith("a" * 32 + "-")
        sentry_lite.capture_message("linked")
    sentry_lite.capture_message("own trace")
    close(receiver)
    events = {e["message"]: e for e in receiver.events}
    assert events["linked"]["contexts"]["trace"]["trace_id"] == "a" * 32
    assert events["linked"]["contexts"]["trace"]["parent_span_id"] == "b" * 16
    assert HEX32.match(events["own trace"]["contexts"]["trace"]["trace_id"])
    assert events["own trace"]["contexts"]["trace"]["trace_id"] != "a" * 32
    headers = {
        e.items[0].get_json()["message"]: e.headers
        for e in receiver.envelopes
        if e.items[0].type == "event"
    }
    dsc = headers["linked"]["trace"]
    assert dsc["trace_id"] == "a" * 32 and dsc["sample_rate"] == "0.25"
    assert dsc["environment"] == "prod", "incoming DSC is passed on unchanged"
    own = headers["own trace"]["trace"]
    assert own["public_key"] == "public" and own["release"] == "r"


# -- sampling ------------------------------------------------------------------------------


def test_unsampled_transaction_builds_nothing_and_is_counted(
    sentry_init: Init, receiver: Receiver
) -> None:
    lost = Losses()
    sentry_init(on_drop=lost, traces_sample_rate=0.0)
    with sentry_lite.start_transaction(name="t") as txn:
        assert txn.sampled is False
        with sentry_lite.start_span(op="x") as span:
            assert isinstance(span, UnsampledSpan)
            assert span.start_child(op="y") is span
            span.set_data("k", "v")
            # Headers still carry the trace and the negative decision downstream.
            assert sentry_lite.get_traceparent() == f"{txn.trace_id}-{txn.span_id}-0"
            assert "sentry-sampled=false" in (sentry_lite.get_baggage() or "")
    close(receiver)
    assert receiver.transactions == []
    assert lost[("transaction", "sample_rate")] == 1
    assert lost[("span", "sample_rate")] == 1


def test_traces_sampler_gets_the_sampling_context(sentry_init: Init, receiver: Receiver) -> None:
    seen: List[Dict[str, Any]] = []

    def sampler(ctx: Dict[str, Any]) -> float:
        seen.append(ctx)
        return 1.0 if ctx["transaction_context"]["name"] == "keep" else 0.0

    sentry_init(traces_sampler=sampler)
    for name in ("keep", "drop"):
        with sentry_lite.start_transaction(
            name=name, op="job", custom_sampling_context={"queue": "q1"}
        ):
            pass
    close(receiver)
    assert [t["transaction"] for t in receiver.transactions] == ["keep"]
    assert seen[0]["transaction_context"]["op"] == "job"
    assert seen[0]["parent_sampled"] is None and seen[0]["queue"] == "q1"


def test_broken_sampler_and_invalid_rates_do_not_sample(
    sentry_init: Init, receiver: Receiver
) -> None:
    def sampler(ctx: Dict[str, Any]) -> Any:
        raise RuntimeError("boom")

    sentry_init(traces_sampler=sampler)
    assert sentry_lite.start_transaction(name="a").sampled is False
    Scope.get_client().options["traces_sampler"] = lambda ctx: "half"
    assert sentry_lite.start_transaction(name="b").sampled is False
    Scope.get_client().options["traces_sampler"] = lambda ctx: True
    assert sentry_lite.start_transaction(name="c").sampled is True


@pytest.mark.parametrize(
    ("flag", "rate", "expected"),
    [("-1", 0.0, True), ("-0", 1.0, False), ("", 1.0, True), ("", 0.0, False)],
)
def test_parent_decision_wins_over_the_rate(
    sentry_init: Init, flag: str, rate: float, expected: bool
) -> None:
    sentry_init(traces_sample_rate=rate)
    txn = sentry_lite.continue_trace({"sentry-trace": "c" * 32 + "-" + "d" * 16 + flag})
    assert sentry_lite.start_transaction(txn).sampled is expected


@pytest.mark.parametrize(("rand", "expected"), [("0.3", True), ("0.7", False)])
def test_sample_rand_from_baggage_decides(sentry_init: Init, rand: str, expected: bool) -> None:
    sentry_init(traces_sample_rate=0.5)
    txn = sentry_lite.continue_trace(
        {"sentry-trace": "c" * 32 + "-" + "d" * 16, "baggage": f"sentry-sample_rand={rand}"}
    )
    started = sentry_lite.start_transaction(txn)
    assert started.sampled is expected
    assert started.get_baggage().sentry_items["sample_rand"] == rand


def test_sample_rand_is_backfilled_consistently_with_the_parent(sentry_init: Init) -> None:
    sentry_init(traces_sample_rate=1.0)
    baggage = "sentry-trace_id=" + "c" * 32 + ",sentry-sample_rate=0.1"
    txn = sentry_lite.continue_trace(
        {"sentry-trace": "c" * 32 + "-" + "d" * 16 + "-1", "baggage": baggage}
    )
    rand = float(txn._baggage.sentry_items["sample_rand"])  # type: ignore[union-attr]
    assert 0 <= rand < 0.1, "a sampled parent at 10% means sample_rand < 0.1"


def test_enable_tracing_and_forced_decisions(sentry_init: Init) -> None:
    sentry_init(enable_tracing=True)
    assert sentry_lite.start_transaction(name="t").sampled is True
    forced = sentry_lite.start_transaction(name="t", sampled=False)
    assert forced.sampled is False and forced.sample_rate == 0.0


def test_tracing_disabled_never_samples(sentry_init: Init, receiver: Receiver) -> None:
    lost = Losses()
    sentry_init(on_drop=lost)
    with sentry_lite.start_transaction(name="t") as txn:
        assert txn.sampled is False
    close(receiver)
    assert receiver.transactions == [] and lost == {}


def test_before_send_transaction_edits_and_drops(sentry_init: Init, receiver: Receiver) -> None:
    def hook(event: Dict[str, Any], hint: Dict[str, Any]) -> Any:
        if event["transaction"] == "drop":
            return None
        event["tags"]["edited"] = "yes"
        return event

    lost = Losses()
    sentry_init(on_drop=lost, traces_sample_rate=1.0, before_send_transaction=hook)
    for name in ("keep", "drop"):
        with sentry_lite.start_transaction(name=name), sentry_lite.start_span(op="s"):
            pass
    close(receiver)
    (kept,) = receiver.transactions
    assert kept["tags"]["edited"] == "yes"
    assert lost[("transaction", "before_send")] == 1


def test_before_send_transaction_drop_counts_spans_once(
    sentry_init: Init, receiver: Receiver
) -> None:
    lost = Losses()
    sentry_init(on_drop=lost, traces_sample_rate=1.0, before_send_transaction=lambda e, h: None)
    with sentry_lite.start_transaction(name="drop"), sentry_lite.start_span(op="s"):
        pass
    close(receiver)
    assert lost[("span", "before_send")] == 2, "the span and the transaction itself"


def test_spans_beyond_the_limit_are_dropped_and_counted(
    sentry_init: Init, receiver: Receiver
) -> None:
    lost = Losses()
    sentry_init(on_drop=lost, traces_sample_rate=1.0, _experiments={"max_spans": 5})
    with sentry_lite.start_transaction(name="big"):
        for i in range(8):
            with sentry_lite.start_span(op="s", name=str(i)):
                pass
        sentry_lite.start_span(op="never finished")
    close(receiver)
    (txn,) = receiver.transactions
    assert [s["description"] for s in txn["spans"]] == ["0", "1", "2", "3", "4"]
    assert lost[("span", "buffer_overflow")] == 4, "three finished and one unfinished"


def test_unfinished_spans_are_left_out_and_counted(sentry_init: Init, receiver: Receiver) -> None:
    lost = Losses()
    sentry_init(on_drop=lost, traces_sample_rate=1.0)
    with sentry_lite.start_transaction(name="t") as txn:
        txn.start_child(op="finished").finish()
        txn.start_child(op="open")
    close(receiver)
    assert [s["op"] for s in receiver.transactions[0]["spans"]] == ["finished"]
    assert lost[("span", "buffer_overflow")] == 1


def test_default_span_limit_is_sentry_sdks(sentry_init: Init, receiver: Receiver) -> None:
    lost = Losses()
    sentry_init(on_drop=lost, traces_sample_rate=1.0)
    with sentry_lite.start_transaction(name="big") as txn:
        for _ in range(1005):
            txn.start_child(op="s").finish()
    close(receiver)
    assert len(receiver.transactions[0]["spans"]) == 1000
    assert lost[("span", "buffer_overflow")] == 5


def test_trace_ignore_status_codes(sentry_init: Init, receiver: Receiver) -> None:
    lost = Losses()
    sentry_init(on_drop=lost, traces_sample_rate=1.0, trace_ignore_status_codes={404})
    with sentry_lite.start_transaction(name="missing") as txn:
        txn.set_http_status(404)
    with sentry_lite.start_transaction(name="found") as txn:
        txn.set_http_status(200)
    close(receiver)
    (found,) = receiver.transactions
    assert found["contexts"]["response"] == {"status_code": 200}
    assert found["contexts"]["trace"]["status"] == "ok"
    assert lost[("transaction", "event_processor")] == 1


# -- decorator, async, API surface ------------------------------------------------------


def test_trace_decorator_sync_and_async(sentry_init: Init, receiver: Receiver) -> None:
    sentry_init(traces_sample_rate=1.0)

    @sentry_lite.trace
    def plain() -> int:
        return 1

    @sentry_lite.trace(op="calc", name="compute it", attributes={"k": "v"})
    def with_args() -> int:
        return 2

    @sentry_lite.trace
    async def coro() -> int:
        await asyncio.sleep(0)
        return 3

    assert plain() == 1, "outside a transaction the function just runs"
    with sentry_lite.start_transaction(name="t"):
        assert plain() + with_args() + asyncio.run(coro()) == 6
    close(receiver)
    spans = receiver.transactions[0]["spans"]
    by_name = {s["description"]: s for s in spans}
    assert by_name[f"{__name__}.test_trace_decorator_sync_and_async.<locals>.plain"]["op"] == (
        "function"
    )
    assert by_name["compute it"]["op"] == "calc" and by_name["compute it"]["data"]["k"] == "v"
    assert any(d.endswith("<locals>.coro") for d in by_name)


def test_async_spans_nest_across_awaits(sentry_init: Init, receiver: Receiver) -> None:
    sentry_init(traces_sample_rate=1.0)

    async def step(name: str) -> None:
        with sentry_lite.start_span(op="step", name=name):
            await asyncio.sleep(0)
            with sentry_lite.start_span(op="inner", name=name + ".inner"):
                await asyncio.sleep(0)

    async def main() -> None:
        with sentry_lite.start_transaction(op="task", name="async"):
            await step("one")
            await step("two")

    asyncio.run(main())
    close(receiver)
    (txn,) = receiver.transactions
    assert_relay_valid(txn)
    spans = {s["description"]: s for s in txn["spans"]}
    root = txn["contexts"]["trace"]["span_id"]
    for name in ("one", "two"):
        assert spans[name]["parent_span_id"] == root
        assert spans[name + ".inner"]["parent_span_id"] == spans[name]["span_id"]


def test_instrumenter_mismatch_gives_noop(sentry_init: Init, receiver: Receiver) -> None:
    sentry_init(traces_sample_rate=1.0, instrumenter="otel")
    txn = sentry_lite.start_transaction(name="t")
    assert isinstance(txn, NoOpSpan)
    with txn:
        assert isinstance(sentry_lite.start_span(op="x"), NoOpSpan)
        assert txn.to_traceparent() == "" and list(txn.iter_headers()) == []
    close(receiver)
    assert receiver.transactions == []


def test_scope_methods_match_module_functions(sentry_init: Init, receiver: Receiver) -> None:
    sentry_init(traces_sample_rate=1.0)
    scope = Scope.get_current_scope()
    txn = scope.continue_trace(
        {"HTTP_SENTRY_TRACE": "e" * 32 + "-" + "f" * 16 + "-1"},
        op="http.server",
        name="/r",
        source=TRANSACTION_SOURCE_ROUTE,
    )
    assert txn.source == TransactionSource.ROUTE == "route"
    with scope.start_transaction(txn), scope.start_span(op="x") as span:
        assert (
            scope.get_traceparent()
            == sentry_lite.get_traceparent()
            == (f"{'e' * 32}-{span.span_id}-1")
        )
        assert scope.get_baggage().serialize() == sentry_lite.get_baggage()
        headers = dict(scope.iter_trace_propagation_headers())
        assert set(headers) == {"sentry-trace", "baggage"}
        meta = scope.trace_propagation_meta()
        assert meta.startswith('<meta name="sentry-trace" content="' + "e" * 32)
        assert scope.get_trace_context()["span_id"] == span.span_id
    close(receiver)
    (event,) = receiver.transactions
    assert event["transaction_info"] == {"source": "route"}
    assert event["contexts"]["trace"]["parent_span_id"] == "f" * 16


def test_hub_shim_starts_transactions(sentry_init: Init, receiver: Receiver) -> None:
    sentry_init(traces_sample_rate=1.0)
    hub = sentry_lite.Hub.current
    with hub.start_transaction(name="hub") as txn, hub.start_span(op="child"):
        assert hub.get_traceparent() is not None
        assert txn.sampled
    close(receiver)
    assert receiver.transactions[0]["spans"][0]["op"] == "child"


def test_span_api_odds_and_ends(sentry_init: Init) -> None:
    sentry_init(traces_sample_rate=1.0)
    txn = sentry_lite.start_transaction(name="t", start_timestamp=1_700_000_000.25)
    assert txn.start_timestamp.timestamp() == 1_700_000_000.25
    child = txn.start_child(op="o", name="n", sampled=True)
    child.finish(end_timestamp=datetime.fromtimestamp(1_700_000_001))
    assert child.timestamp is not None and child.name == "n"
    assert child.to_json()["timestamp"].endswith("Z")
    assert "Transaction(name='t'" in repr(txn) and "Span(op='o'" in repr(child)
    child.set_flag("f", True)
    assert child.to_json()["data"]["f"] is True
    assert not child.is_success()
    child.set_status("ok")
    assert child.is_success()


class _Traced:
    def method(self) -> int:
        return 1

    @staticmethod
    def static() -> int:
        return 2

    @classmethod
    def klass(cls) -> int:
        return 3


def _traced_function() -> int:
    return 4


def test_instrument_functions_to_trace(sentry_init: Init, receiver: Receiver) -> None:
    from sentry_lite.tracing.decorator import instrument_functions

    sentry_init(traces_sample_rate=1.0)
    saved = dict(_Traced.__dict__), _traced_function
    try:
        instrument_functions(
            [
                {"qualified_name": f"{__name__}.{name}"}
                for name in (
                    "_Traced.method",
                    "_Traced.static",
                    "_Traced.klass",
                    "_traced_function",
                    "no_such_function",
                    "nodots",
                )
            ]
        )
        with sentry_lite.start_transaction(name="t"):
            total = _Traced().method() + _Traced.static() + _Traced.klass()
            total += globals()["_traced_function"]()
        assert total == 10
    finally:
        for name in ("method", "static", "klass"):
            setattr(_Traced, name, saved[0][name])
        globals()["_traced_function"] = saved[1]
    close(receiver)
    names = sorted(s["description"].rsplit(".", 1)[-1] for s in receiver.transactions[0]["spans"])
    assert names == ["_traced_function", "klass", "method", "static"]
