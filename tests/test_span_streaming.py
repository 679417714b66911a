"""Span streaming (``trace_lifecycle="stream"``) side by side with sentry_sdk: the same
scenarios (tests/stream_scenarios.py) send the same span items, envelope headers and
client reports to a real receiver. Ids, timestamps and SDK identity differ by nature
and are normalised; parent links are compared by span name."""

from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Tuple

import pytest

from tests.receiver import Receiver
from tests.sdk_child import run_child
from tests.stream_scenarios import SCENARIOS

VOLATILE = {
    "thread.id",
    "thread.name",
    "sentry.sdk.version",
    "process.command_args",
    "sentry.sdk.integrations",
}

PIDS = {"process.pid", "subprocess.pid"}
"""Attributes whose value is a process id: compared by name only."""

Run = Tuple[List[Dict[str, Any]], List[Dict[str, Any]], Dict[Tuple[str, str], int]]


def run_scenario(module: str, name: str) -> Run:
    receiver = Receiver()
    try:
        run_child(["-m", "tests.stream_scenarios", module, receiver.dsn(), name])
        headers = [
            env.headers
            for env in receiver.envelopes
            if any(item.type == "span" for item in env.items)
        ]
        spans = [span for item in receiver.items("span") for span in item.get_json()["items"]]
        return spans, headers, receiver.discarded()
    finally:
        receiver.close()


def _without_port(attribute: Dict[str, Any]) -> Dict[str, Any]:
    value = attribute.get("value")
    if isinstance(value, str):
        return dict(attribute, value=re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", value))
    return attribute


def normalise_spans(spans: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    names = {span["span_id"]: span["name"] for span in spans}
    trace_ids = {span["trace_id"] for span in spans}
    assert len(trace_ids) <= 1
    out = []
    for span in spans:
        assert span["end_timestamp"] >= span["start_timestamp"] > 0
        attributes = {
            k: _without_port(v) for k, v in span.get("attributes", {}).items() if k not in VOLATILE
        }
        for key in PIDS.intersection(attributes):
            attributes[key] = "<pid>"
        segment_id = attributes.pop("sentry.segment.id", None)
        if segment_id is not None:
            attributes["sentry.segment.id"] = names.get(segment_id["value"], "?")
        parent = span.get("parent_span_id")
        out.append(
            {
                "name": re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", span["name"]),
                "status": span["status"],
                "is_segment": span["is_segment"],
                "parent": re.sub(
                    r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", names.get(parent, parent or "")
                )
                if parent in names
                else parent and "<remote>",
                "attributes": attributes,
            }
        )
    return sorted(out, key=lambda s: s["name"])


def normalise_headers(headers: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The distinct trace headers: how a trace's spans split into envelopes is timing
    (both SDKs also send an unfinished trace's spans every 5 s; a loaded machine can
    reach that mid-scenario), the header each envelope carries is not."""
    out: List[Dict[str, Any]] = []
    for header in headers:
        trace = dict(header.get("trace") or {})
        if trace.get("trace_id") != "771a43a4192642f0b136d5159a501700":  # a new trace
            assert len(trace.pop("trace_id", "")) == 32
            if "sample_rand" in trace:  # absent when the scope's trace went out first
                assert 0 <= float(trace["sample_rand"]) < 1
                trace["sample_rand"] = "<random>"
        assert header.get("sent_at")
        if trace not in out:
            out.append(trace)
    return sorted(out, key=lambda trace: json.dumps(trace, sort_keys=True))


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_same_spans_as_sentry_sdk(name: str) -> None:
    want_spans, want_headers, want_lost = run_scenario("sentry_sdk", name)
    got_spans, got_headers, got_lost = run_scenario("sentry_lite", name)
    assert want_spans, "the scenario sends spans"
    assert normalise_spans(got_spans) == normalise_spans(want_spans)
    assert normalise_headers(got_headers) == normalise_headers(want_headers)
    assert got_lost == want_lost


def _traced_helper() -> int:
    return 2


def test_functions_to_trace_and_legacy_decorator_in_streaming_mode(
    sentry_init: Any, receiver: Receiver
) -> None:
    """As sentry_sdk 2.75: ``functions_to_trace`` wraps with ``traces.trace`` in streaming
    mode (a child span per call); the legacy ``@trace`` warns and runs without a span."""
    import sentry_lite
    from tests import test_span_streaming as this_module

    original = this_module._traced_helper
    try:
        sentry_init(
            traces_sample_rate=1.0,
            trace_lifecycle="stream",
            functions_to_trace=[{"qualified_name": "tests.test_span_streaming._traced_helper"}],
        )

        @sentry_lite.trace
        def legacy() -> int:
            return 1

        with sentry_lite.traces.start_span(name="segment"):
            assert this_module._traced_helper() == 2
            with pytest.warns(DeprecationWarning, match="traces.trace"):
                assert legacy() == 1
        sentry_lite.flush(5)
    finally:
        this_module._traced_helper = original
    spans = [span for item in receiver.items("span") for span in item.get_json()["items"]]
    assert sorted(span["name"] for span in spans) == [
        "segment",
        "tests.test_span_streaming._traced_helper",
    ]


@pytest.mark.parametrize(
    ("options", "sent"),
    [
        ({}, False),
        ({"send_default_pii": True}, True),
        ({"data_collection": {"user_info": True}}, True),
        ({"send_default_pii": True, "data_collection": {"user_info": False}}, False),
    ],
)
def test_user_attributes_follow_the_privacy_predicate(
    sentry_init: Any, receiver: Receiver, options: Dict[str, Any], sent: bool
) -> None:
    """The user goes on streamed spans as ``user.*`` where ``data_collection``'s
    ``user_info`` (else ``send_default_pii``) allows it, as sentry_sdk 2.75."""
    import sentry_lite

    sentry_init(traces_sample_rate=1.0, trace_lifecycle="stream", **options)
    sentry_lite.set_user({"id": "42", "email": "a@example.com"})
    with sentry_lite.traces.start_span(name="segment"):
        pass
    sentry_lite.flush(5)
    (span,) = [s for item in receiver.items("span") for s in item.get_json()["items"]]
    attributes = {k: v["value"] for k, v in span["attributes"].items()}
    expected = {"user.id": "42", "user.email": "a@example.com"} if sent else {}
    assert {k: v for k, v in attributes.items() if k.startswith("user.")} == expected


def test_unsampled_segment_propagates_the_trace_ids_sample_rand(sentry_init: Any) -> None:
    """An unsampled segment (rate 0) works its ``sample_rand`` out only when a header
    needs it, and it is the value sampling would have used: derived from the trace id."""
    import sentry_lite
    from sentry_lite.tracing.propagation import sample_rand_from_trace_id

    sentry_init(traces_sample_rate=0.0, trace_lifecycle="stream")
    with (
        sentry_lite.traces.start_span(name="segment") as span,
        sentry_lite.traces.start_span(name="child"),
    ):
        baggage = sentry_lite.get_baggage() or ""
    items = dict(part.split("=", 1) for part in baggage.split(","))
    assert items["sentry-trace_id"] == span.trace_id
    assert items["sentry-sampled"] == "false"
    assert items["sentry-sample_rand"] == f"{sample_rand_from_trace_id(span.trace_id):.6f}"


def test_global_scope_attributes_reach_every_streamed_span(
    sentry_init: Any, receiver: Receiver
) -> None:
    """The global scope's attributes are added by the batcher, below each span's own
    and the isolation/current scopes' (the span's value wins)."""
    import sentry_lite

    sentry_init(traces_sample_rate=1.0, trace_lifecycle="stream", release="r@1")
    sentry_lite.get_global_scope().set_attribute("deploy", "blue")
    sentry_lite.get_global_scope().set_attribute("region", "global")
    sentry_lite.get_isolation_scope().set_attribute("region", "isolation")
    start_span = sentry_lite.traces.start_span
    with start_span(name="segment"), start_span(name="child", attributes={"deploy": "green"}):
        pass
    sentry_lite.flush(5)
    spans = [s for item in receiver.items("span") for s in item.get_json()["items"]]
    values = {s["name"]: {k: v["value"] for k, v in s["attributes"].items()} for s in spans}
    assert values["segment"]["deploy"] == "blue"
    assert values["child"]["deploy"] == "green"
    assert values["segment"]["region"] == values["child"]["region"] == "isolation"
    assert values["segment"]["sentry.release"] == "r@1"


def test_unsampled_streamed_request_still_gives_its_logs_the_request_attributes(
    sentry_init: Any, receiver: Receiver
) -> None:
    """An unsampled segment builds no span attributes (nothing would send them), but
    the request's scope attributes are still set: a log inside the request carries them,
    as with sentry_sdk. A sampled request's segment still gets its own."""
    import sentry_lite
    from sentry_lite.integrations.wsgi import SentryWsgiMiddleware

    def app(environ: Dict[str, Any], start_response: Any) -> List[bytes]:
        sentry_lite.logger.info("inside the request")
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": "/x", "QUERY_STRING": "", "SERVER_NAME": "h",
        "SERVER_PORT": "80", "HTTP_HOST": "localhost", "HTTP_USER_AGENT": "probe/1",
        "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http",
    }  # fmt: skip
    for rate in (0.0, 1.0):
        receiver.clear()
        sentry_init(traces_sample_rate=rate, trace_lifecycle="stream", enable_logs=True)
        for _ in SentryWsgiMiddleware(app)(dict(environ), lambda *a: None):
            pass
        sentry_lite.flush(5)
        (log,) = [r for item in receiver.items("log") for r in item.get_json()["items"]]
        assert log["attributes"]["user_agent.original"]["value"] == "probe/1"
        assert log["attributes"]["sentry.is_localhost"]["value"] is True
        segments = [s for item in receiver.items("span") for s in item.get_json()["items"]]
        if rate:
            (segment,) = segments
            assert segment["attributes"]["http.request.method"]["value"] == "GET"
        else:
            assert segments == []


def test_the_view_of_an_unrecorded_span_changes_what_the_span_would_keep() -> None:
    """Integrations set a request's status, route and name through a view; the one of
    an unrecorded span skips what the span ignores. Differential: the same calls through
    the general view leave both spans alike."""
    from sentry_lite.tracing.streamed_noop import NoOpStreamedSpan
    from sentry_lite.tracing.streamed_view import StreamedSpanView, view_of

    def calls(view: Any) -> None:
        view.set_http_status(503)
        view.set_status("internal_error")
        view.set_data("http.route", "/a/<b>")
        view.set_tag("sentry.segment.name.source", None)
        view.update_data({"db.system": "x", "sentry.segment.name.source": "url"})
        view.name = "GET /a"
        view.source = "route"
        view.description = "renamed"

    general, unrecorded = NoOpStreamedSpan(name="x"), NoOpStreamedSpan(name="x")
    calls(StreamedSpanView(general))
    fast = view_of(unrecorded)
    assert type(fast) is not StreamedSpanView
    calls(fast)
    for span in (general, unrecorded):
        assert span.status == "ok"
    assert unrecorded.name == general.name == "renamed"
    assert unrecorded._attributes == general._attributes == {"sentry.segment.name.source": "route"}
    assert fast.op is None and fast.source is None  # as the general view reads them
