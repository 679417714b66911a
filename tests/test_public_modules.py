"""sentry_sdk's public modules and calls under sentry_lite (issue 11): the facades do
what sentry_sdk's do, side by side where the reference defines the answer, and the
behaviour fixed for the conformance suite is pinned here (each failed before)."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
import textwrap
import warnings
from typing import Any, Callable, Dict, List

import pytest

import sentry_lite
from tests.receiver import Receiver

sentry_sdk = pytest.importorskip("sentry_sdk")


def _flushed(receiver: Receiver, count: int = 1, item_type: str = "event") -> None:
    sentry_lite.flush(5)
    receiver.wait_for(count, item_type=item_type)


# -- utils, scrubber, tracing_utils: the same answers as sentry_sdk's ----------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://user:secret@example.com/path?token=abc&x=1#frag",
        "http://example.com/?a=1&a=2&b",
        "https://example.com/plain",
    ],
)
def test_sanitize_and_parse_url_match_sentry_sdk(url: str) -> None:
    from sentry_sdk import utils as ref

    from sentry_lite import utils

    assert utils.sanitize_url(url) == ref.sanitize_url(url)
    assert tuple(utils.sanitize_url(url, split=True)) == tuple(ref.sanitize_url(url, split=True))
    assert tuple(utils.parse_url(url)) == tuple(ref.parse_url(url))
    assert tuple(utils.parse_url(url, sanitize=False)) == tuple(ref.parse_url(url, sanitize=False))


def test_value_checks_match_sentry_sdk() -> None:
    from sentry_sdk import utils as ref

    from sentry_lite import utils

    for value in ("yes", "off", "maybe", None, "1", "0", ""):
        assert utils.env_to_bool(value) == ref.env_to_bool(value)
        assert utils.env_to_bool(value, strict=True) == ref.env_to_bool(value, strict=True)
    from decimal import Decimal
    from fractions import Fraction

    class Rate(float):
        pass

    rates = (0, 1, 0.5, True, -1, 2, "x", float("nan"), Decimal("0.25"), Decimal("NaN"))
    for rate in (*rates, Fraction(1, 3), Fraction(3, 2), Rate(0.5), Decimal("1.5"), None):
        assert utils.is_valid_sample_rate(rate, "t") == ref.is_valid_sample_rate(rate, "t")
    for item, patterns in (("abc", ["a"]), ("abc", ["abc"]), ("abc", [".*c"]), ("x", None)):
        assert utils.match_regex_list(item, patterns) == ref.match_regex_list(item, patterns)
    header = "771a43a4192642f0b136d5159a501700-1234567890abcdef-1"
    from sentry_sdk import tracing_utils as ref_tu

    from sentry_lite import tracing_utils

    assert tracing_utils.extract_sentrytrace_data(header) == ref_tu.extract_sentrytrace_data(header)


def test_capture_internal_exceptions_swallows_and_logs(caplog: Any) -> None:
    from sentry_lite.utils import capture_internal_exceptions

    with caplog.at_level(logging.ERROR, logger="sentry_lite"), capture_internal_exceptions():
        raise ValueError("sdk bug")
    assert "Internal error" in caplog.text


def test_scrubber_module_and_consts() -> None:
    from sentry_sdk import consts as ref_consts
    from sentry_sdk import scrubber as ref

    from sentry_lite import consts, scrubber

    assert scrubber.DEFAULT_DENYLIST == ref.DEFAULT_DENYLIST
    assert isinstance(scrubber.EventScrubber(), scrubber.EventScrubber)
    assert consts.SPANSTATUS.INTERNAL_ERROR == ref_consts.SPANSTATUS.INTERNAL_ERROR
    assert str(consts.SPANTEMPLATE.AI_AGENT) == str(ref_consts.SPANTEMPLATE.AI_AGENT)
    assert consts.SPANDATA.HTTP_METHOD == ref_consts.SPANDATA.HTTP_METHOD
    assert consts.OP.QUEUE_PROCESS == ref_consts.OP.QUEUE_PROCESS  # issue 12's names kept


# -- integrations sentry-lite does not build: importable, one warning at init -------------


def test_not_built_integration_warns_once_and_captures(
    sentry_init: Callable[..., Any], receiver: Receiver, caplog: Any
) -> None:
    from sentry_lite.integrations.beam import BeamIntegration
    from sentry_lite.integrations.spark import SparkIntegration

    with caplog.at_level(logging.WARNING, logger="sentry_lite"):
        sentry_init(integrations=[BeamIntegration(), SparkIntegration(client=None)])
    warned = [r.getMessage() for r in caplog.records if "not built yet" in r.getMessage()]
    assert len(warned) == 2
    assert any("BeamIntegration" in w for w in warned)
    sentry_lite.capture_message("still works")
    _flushed(receiver)
    assert receiver.events[0]["message"] == "still works"


def test_not_built_integration_rejects_unknown_arguments() -> None:
    from sentry_lite.integrations.aiohttp import AioHttpIntegration

    with pytest.raises(TypeError):
        AioHttpIntegration(no_such_argument=1)  # type: ignore[call-arg]


def test_default_integration_names() -> None:
    from sentry_sdk.integrations import _DEFAULT_INTEGRATIONS as ref

    from sentry_lite.integrations import _DEFAULT_INTEGRATIONS

    assert [p.rsplit(".", 1)[1] for p in _DEFAULT_INTEGRATIONS] == [
        p.rsplit(".", 1)[1] for p in ref
    ]


# -- executing, sys_exit: built ------------------------------------------------------------


def test_executing_integration_qualifies_function_names(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    pytest.importorskip("executing")
    from sentry_lite.integrations.executing import ExecutingIntegration

    sentry_init(integrations=[ExecutingIntegration()])

    def outer() -> None:
        def inner() -> None:
            raise ValueError("x")

        try:
            inner()
        except ValueError:
            sentry_lite.capture_exception()

    outer()
    _flushed(receiver)
    functions = [
        f["function"] for f in receiver.events[0]["exception"]["values"][0]["stacktrace"]["frames"]
    ]
    assert functions[-1].endswith("outer.<locals>.inner")


SYS_EXIT_APP = """
import sys, sentry_lite
from sentry_lite.integrations.sys_exit import SysExitIntegration
sentry_lite.init(dsn={dsn!r}, integrations=[SysExitIntegration({args})])
try:
    sys.exit({code})
finally:
    sentry_lite.flush(5)
"""


@pytest.mark.parametrize(
    ("code", "args", "reported"),
    [(1, "", True), (0, "", False), (None, "", False), (0, "capture_successful_exits=True", True)],
)
def test_sys_exit_integration(receiver: Receiver, code: Any, args: str, reported: bool) -> None:
    script = SYS_EXIT_APP.format(dsn=receiver.dsn(), args=args, code=code)
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], timeout=30)
    assert proc.returncode == (code or 0)
    if reported:
        receiver.wait_for(1)
        (event,) = receiver.events
        value = event["exception"]["values"][-1]
        assert value["type"] == "SystemExit"
        assert value["mechanism"] == {"type": "sys_exit", "handled": False}
    else:
        assert receiver.events == []


# -- capture from inside event building -----------------------------------------------------


def test_capture_inside_a_repr_does_not_recurse(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    sentry_init()

    class Reporting:
        def __repr__(self) -> str:
            try:
                1 / 0  # noqa: B018
            except ZeroDivisionError:
                sentry_lite.capture_exception()
            return "hi, i am a repr"

    try:
        a = Reporting()  # noqa: F841
        1 / 0  # noqa: B018
    except ZeroDivisionError:
        sentry_lite.capture_exception()
    _flushed(receiver)
    assert len(receiver.events) == 1
    frame = receiver.events[0]["exception"]["values"][0]["stacktrace"]["frames"][0]
    assert frame["vars"]["a"] == "hi, i am a repr"


def test_capture_inside_before_send_is_ignored_and_a_nested_capture_elsewhere_is_not(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    seen: List[str] = []

    def before_send(event: Dict[str, Any], hint: Dict[str, Any]) -> Dict[str, Any]:
        seen.append(str(event.get("message")))
        sentry_lite.capture_message("from before_send")  # would run before_send again
        return event

    def processor(event: Dict[str, Any], hint: Dict[str, Any]) -> Dict[str, Any]:
        if event.get("message") == "outer":
            # Outside the guarded windows (as a signal handler between two bytecodes
            # of a capture): an ordinary event.
            sentry_lite.capture_message("nested")
        return event

    sentry_init(before_send=before_send)
    sentry_lite.get_isolation_scope().add_event_processor(processor)
    sentry_lite.capture_message("outer")
    _flushed(receiver)
    assert sorted(e.get("message") for e in receiver.events) == ["nested", "outer"]
    assert seen == ["nested", "outer"]


# -- feature flags --------------------------------------------------------------------------


def test_feature_flags_on_errors_and_spans(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    from sentry_lite.feature_flags import add_feature_flag

    sentry_init(traces_sample_rate=1.0)
    add_feature_flag("hello", False)
    with sentry_lite.isolation_scope():
        add_feature_flag("world", True)
        add_feature_flag("hello", True)
        with sentry_lite.start_transaction(name="t"):
            with sentry_lite.start_span(op="x"):
                add_feature_flag("in-span", True)
            sentry_lite.capture_message("m")
    _flushed(receiver)
    receiver.wait_for(1, item_type="transaction")
    (event,) = receiver.events
    assert event["contexts"]["flags"] == {
        "values": [
            {"flag": "world", "result": True},
            {"flag": "hello", "result": True},
            {"flag": "in-span", "result": True},
        ]
    }
    (txn,) = receiver.transactions
    assert txn["spans"][0]["data"]["flag.evaluation.in-span"] is True


def test_forked_scope_copies_flags() -> None:
    scope = sentry_lite.Scope()
    scope.flags.set("a", True)
    fork = scope.fork()
    fork.flags.set("a", False)
    assert scope.flags.get() == [{"flag": "a", "result": True}]
    assert fork.flags.get() == [{"flag": "a", "result": False}]


# -- deprecations, as sentry_sdk warns ------------------------------------------------------


def test_deprecation_warnings(sentry_init: Callable[..., Any]) -> None:
    with pytest.warns(DeprecationWarning, match="enable_tracing"):
        sentry_init(enable_tracing=True)
    with pytest.warns(DeprecationWarning, match="configure_scope"), sentry_lite.configure_scope():
        pass
    with pytest.warns(DeprecationWarning, match="push_scope"), sentry_lite.push_scope():
        pass
    with sentry_lite.start_transaction(name="t"):  # noqa: SIM117 - Python 3.9
        with pytest.warns(DeprecationWarning, match="description"):
            span = sentry_lite.start_span(op="x", description="d")
        with pytest.warns(DeprecationWarning, match="description"):
            span.start_child(op="y", description="c").finish()
        span.finish()
        assert span.description == "d"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with sentry_lite.new_scope():
            sentry_lite.start_span(op="x", name="n").finish()


def test_init_guard_deprecated(sentry_init: Callable[..., Any]) -> None:
    guard = sentry_init()
    with pytest.warns(DeprecationWarning, match="context manager"):
        guard.__enter__()


# -- debug=True proves delivery -------------------------------------------------------------


def test_debug_logs_init_summary_sent_envelopes_and_drops(
    sentry_init: Callable[..., Any], receiver: Receiver, caplog: Any
) -> None:
    with caplog.at_level(logging.DEBUG, logger="sentry_lite"):
        sentry_init(debug=True, before_send=lambda e, h: None if e.get("message") == "drop" else e)
        sentry_lite.capture_message("keep")
        sentry_lite.capture_message("drop")
        _flushed(receiver)
    text = caplog.text
    host = receiver.dsn().split("@", 1)[1].split("/", 1)[0]
    assert f"sending to {host}" in text
    assert re.search(r"integrations: [^\n]*\bargv\b", text)  # auto-enabled ones may sort first
    assert "envelope sent [event]" in text
    assert "discarded 1 error (before_send)" in text


def test_unignore_logger_and_padded_names(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    from sentry_lite.integrations.logging import ignore_logger, unignore_logger

    sentry_init()
    ignore_logger("padded")
    try:
        logging.getLogger("   padded  ").error("ignored")
    finally:
        unignore_logger("padded")
    logging.getLogger("padded").error("reported")
    _flushed(receiver)
    assert [e["logentry"]["message"] for e in receiver.events] == ["reported"]


# -- dedupe ignores what before_send dropped; uWSGI thread support ------------------------


def test_dedupe_forgets_an_exception_before_send_dropped(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    seen = []

    def before_send(event: Any, hint: Any) -> Any:
        seen.append(1)
        return None if len(seen) == 1 else event

    sentry_init(before_send=before_send)
    exc = ValueError("aha")
    for _ in range(2):
        try:
            raise exc
        except ValueError:
            sentry_lite.capture_exception()
    _flushed(receiver)
    assert len(receiver.events) == 1


@pytest.mark.parametrize(
    ("opt", "missing"),
    [
        ({"enable-threads": True, "lazy-apps": True}, []),
        ({"enable-threads": b"true", "py-call-uwsgi-fork-hooks": b"on"}, []),
        ({"lazy-apps": True}, ["--enable-threads"]),
        ({"enable-threads": b"1"}, ["--py-call-uwsgi-fork-hooks"]),
        ({}, ["--enable-threads", "--py-call-uwsgi-fork-hooks"]),
    ],
)
def test_uwsgi_without_threads_warns(
    sentry_init: Callable[..., Any], monkeypatch: Any, opt: Any, missing: Any
) -> None:
    from unittest import mock

    uwsgi = mock.MagicMock()
    uwsgi.opt = opt
    monkeypatch.setitem(sys.modules, "uwsgi", uwsgi)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sentry_init()
    messages = [str(w.message) for w in caught if "uWSGI" in str(w.message)]
    if missing:
        assert len(messages) == 1
        assert all(flag in messages[0] for flag in missing)
    else:
        assert messages == []


def test_init_positional_forms(sentry_init: Callable[..., Any], receiver: Receiver) -> None:
    sentry_init({"max_breadcrumbs": 3}, dsn=receiver.dsn())  # a dict plus keywords
    assert sentry_lite.get_client().options["max_breadcrumbs"] == 3
    sentry_init(receiver.dsn(), max_breadcrumbs=4)  # the DSN positionally
    assert sentry_lite.get_client().options["max_breadcrumbs"] == 4
    with pytest.raises(TypeError, match="Only single positional argument"):
        sentry_lite.init(1, None)


def test_clearing_the_isolation_scope_forgets_last_event_id(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    sentry_init()
    sentry_lite.capture_exception(ValueError("x"))
    assert sentry_lite.last_event_id() is not None
    sentry_lite.get_isolation_scope().clear()
    assert sentry_lite.last_event_id() is None


def test_raising_before_send_drops_and_counts_callback_error(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    def before_send(event: Any, hint: Any) -> Any:
        raise ValueError("hook bug")

    sentry_init(before_send=before_send)
    assert sentry_lite.capture_message("dropped") is None
    sentry_lite.flush(5)
    receiver.wait_for(1, item_type="client_report")
    assert receiver.discarded().get(("error", "callback_error")) == 1


def test_logging_levels_by_name_and_captured_warnings(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    from sentry_lite.integrations.logging import LoggingIntegration

    sentry_init(
        integrations=[LoggingIntegration(event_level="WARNING")], default_integrations=False
    )
    logging.captureWarnings(True)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.warn("first", stacklevel=1)
    finally:
        logging.captureWarnings(False)
    _flushed(receiver)
    (event,) = receiver.events
    assert event["level"] == "warning"
    entry = event["logentry"]  # Python 3.9's py.warnings logs it as ("%s", text)
    assert "UserWarning: first" in (entry.get("formatted") or entry["message"])


def test_attachment_errors_match_sentry_sdk(sentry_init: Callable[..., Any]) -> None:
    sentry_init()
    scope = sentry_lite.get_isolation_scope()
    with pytest.raises(TypeError, match=r"^path or raw bytes required for attachment$"):
        scope.add_attachment()
    with pytest.raises(TypeError, match=r"^filename is required for attachment$"):
        scope.add_attachment(bytes=b"x")


def _push_scope_tags(sdk: Any) -> Any:
    tags: Any = []

    def keep(event: Any, hint: Any) -> None:
        tags.append(event.get("tags"))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        sdk.init(dsn="http://key@127.0.0.1:9/1", before_send=keep, default_integrations=False)
        sdk.set_tag("A", 1)
        sdk.capture_message("a")
        with sdk.push_scope() as scope:
            sdk.set_tag("B1", 1)
            scope.set_tag("B2", 1)
            sdk.capture_message("b")
        sdk.set_tag("Z", 1)
        sdk.capture_message("z")
        sdk.push_scope(lambda s: (s.set_tag("C", 1), sdk.capture_message("c")))
        sdk.capture_message("d")
        sdk.get_client().close(timeout=0)
    return tags


def test_push_scope_forks_the_isolation_scope_side_by_side() -> None:
    from tests.conftest import reset_sdk

    reset_sdk()
    try:
        assert _push_scope_tags(sentry_lite) == _push_scope_tags(sentry_sdk)
    finally:
        reset_sdk()


def test_breadcrumbs_with_past_timestamps_are_sorted(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    import datetime

    sentry_init()
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    stamps = [now - datetime.timedelta(days=d) for d in (10, 8, 12)]
    for stamp in stamps:
        sentry_lite.add_breadcrumb(message=str(stamp), timestamp=stamp)
    sentry_lite.capture_exception(ValueError())
    _flushed(receiver)
    got = [c["message"] for c in receiver.events[0]["breadcrumbs"]["values"]]
    assert got == [str(s) for s in sorted(stamps)]


def test_custom_transport_gets_parsed_dsn() -> None:
    class Custom(sentry_lite.Transport):
        def capture_envelope(self, envelope: Any) -> None:
            pass

    assert str(Custom({"dsn": "https://bar@example.com/124"}).parsed_dsn) == (
        "https://bar@example.com/124"
    )
    assert Custom({}).parsed_dsn is None


def test_spans_dropped_by_before_send_transaction_are_counted(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    def keep_two(event: Any, hint: Any) -> Any:
        event["spans"] = event["spans"][:2]
        return event

    sentry_init(traces_sample_rate=1.0, before_send_transaction=keep_two)
    with sentry_lite.start_transaction(name="t"):
        for _ in range(5):
            sentry_lite.start_span(op="s").finish()
    sentry_lite.flush(5)
    receiver.wait_for(1, item_type="transaction")
    receiver.wait_for(1, item_type="client_report")
    assert receiver.discarded().get(("span", "before_send")) == 3
    assert len(receiver.transactions[0]["spans"]) == 2


def test_propagate_traces_false_warns_and_sends_no_headers(
    sentry_init: Callable[..., Any],
) -> None:
    sentry_init(traces_sample_rate=1.0, propagate_traces=False)
    with (  # noqa: SIM117
        sentry_lite.start_transaction(name="t")
    ):
        span = sentry_lite.start_span(op="s")
        with pytest.warns(DeprecationWarning, match="propagate_traces"):
            headers = dict(sentry_lite.get_current_scope().iter_trace_propagation_headers(span))
        span.finish()
    assert headers == {}


def test_iter_trace_propagation_headers_takes_the_span_positionally(
    sentry_init: Callable[..., Any],
) -> None:
    sentry_init(traces_sample_rate=1.0)
    with sentry_lite.start_transaction(name="t") as txn:
        span = txn.start_child(op="s")
        headers = dict(sentry_lite.get_current_scope().iter_trace_propagation_headers(span))
        span.finish()
    assert headers["sentry-trace"].split("-")[1] == span.span_id


@pytest.mark.parametrize("enabled", [True, False])
def test_http_request_source_on_outgoing_spans(
    sentry_init: Callable[..., Any], receiver: Receiver, enabled: bool
) -> None:
    from http.client import HTTPConnection

    sentry_init(
        traces_sample_rate=1.0,
        enable_http_request_source=enabled,
        http_request_source_threshold_ms=0,
    )
    from tests.httpserver import HeaderServer

    server = HeaderServer()
    try:
        with sentry_lite.start_transaction(name="t"):
            conn = HTTPConnection("127.0.0.1", server.port, timeout=10)
            conn.request("GET", "/items")
            conn.getresponse().read()
            conn.close()
    finally:
        server.close()
    _flushed(receiver, item_type="transaction")
    (span,) = [s for s in receiver.transactions[0]["spans"] if s["op"] == "http.client"]
    if enabled:
        assert span["data"]["code.function"] == "test_http_request_source_on_outgoing_spans"
        assert span["data"]["code.namespace"] == __name__
    else:
        assert "code.function" not in span["data"]
