"""Sentry Logs, trace metrics and sessions: what sentry_sdk does not define (limits, drops,
the outbox, hostile values) and the shortcuts' differential, against the real receiver."""

from __future__ import annotations

import enum
import json
import logging
from typing import Any, Callable, Dict, List

import pytest

import sentry_lite
from sentry_lite import shortcuts
from sentry_lite.envelope import Envelope
from sentry_lite.integrations.wsgi import SentryWsgiMiddleware
from tests.conftest import reset_sdk
from tests.receiver import EnvelopeRecorder, Receiver

Init = Callable[..., Any]


class Hostile:
    def __repr__(self) -> str:
        raise RuntimeError("no repr")


def _blank(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: "T" if k in ("timestamp", "thread.id", "trace_id") else _blank(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_blank(v) for v in value]
    return value


def _scenario() -> List[Any]:
    recorder = EnvelopeRecorder()
    reset_sdk()
    sentry_lite.init(
        dsn="http://k@127.0.0.1:9/1", transport=recorder, release="r@1", enable_logs=True
    )
    try:
        log = logging.getLogger("diff.app")
        sentry_lite.logger.info("a {x} b {y}", x=1, y="two", attributes={"k": True, "n": 3})
        sentry_lite.logger.warning("{missing} stays", other=2.5)
        sentry_lite.logger.error("list {v}", v=[1, 2], attributes={"obj": Hostile()})
        log.warning("stdlib %s and %d", "s", 7, extra={"sku": "X1"})
        log.error("stdlib object %s", {"mutable": [1]})
        sentry_lite.metrics.count("c", 2, attributes={"a": "b"})
        sentry_lite.metrics.gauge("g", 1.5, unit="byte", attributes={"l": [1, 2]})
        # Encoded once per batch and reused: equal values of other types stay apart.
        for value in (1, True, 1.0, 1, True):
            sentry_lite.logger.info("same", attributes={"v": value})
            sentry_lite.metrics.count("same", 1, attributes={"v": value})
        # A record's own value of a global attribute wins; the global scope's attributes
        # (read per batch) are on every record.
        sentry_lite.logger.info("own release", attributes={"sentry.release": "mine"})
        sentry_lite.get_global_scope().set_attribute("deploy", "blue")
        sentry_lite.metrics.count("after", 1)
        sentry_lite.flush(2)
    finally:
        sentry_lite.get_client().close(timeout=1)
        reset_sdk()
    out = []
    for envelope in recorder.envelopes:
        for item in envelope.items:
            if item.type in ("log", "trace_metric"):
                out.append(_blank(json.loads(item.payload)))
    return out


def test_deferred_logs_and_preencoded_attributes_equal_the_general_path() -> None:
    fast = _scenario()
    with shortcuts.disabled():
        general = _scenario()
    assert fast == general
    items = [item for payload in fast for item in payload["items"]]
    assert len(items) == 19
    same = [item["attributes"]["v"] for item in items if item.get("body") == "same"]
    assert [v["type"] for v in same] == ["integer", "boolean", "double", "integer", "boolean"]
    own = next(item for item in items if item.get("body") == "own release")
    assert own["attributes"]["sentry.release"] == {"value": "mine", "type": "string"}
    assert all(item["attributes"]["deploy"]["value"] == "blue" for item in items)


def test_log_queue_overflow_is_counted_with_bytes(sentry_init: Init, receiver: Receiver) -> None:
    sentry_init(release="r@1")
    batcher = sentry_lite.get_client().log_batcher  # type: ignore[attr-defined]
    batcher._thread = object()  # as if the batcher's thread could not keep up
    for i in range(batcher.max_items + 5):
        sentry_lite.logger.info("log {i}", i=i)
    sentry_lite.flush(5)
    receiver.wait_for(1, item_type="log")
    sent = sum(len(item.get_json()["items"]) for item in receiver.items("log"))
    assert sent == batcher.max_items
    sentry_lite.get_client().close(timeout=5)
    lost = receiver.discarded()
    assert lost[("log_item", "queue_overflow")] == 5
    assert lost[("log_byte", "queue_overflow")] > 5 * 100


def test_log_overflow_after_a_batch_counts_bytes_without_encoding_each_log(
    sentry_init: Init, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once a batch went out, a dropped log is counted with that batch's bytes per log:
    the app thread (busiest just then) does not encode what it drops."""
    sentry_init(release="r@1")
    batcher = sentry_lite.get_client().log_batcher  # type: ignore[attr-defined]
    for i in range(10):
        sentry_lite.logger.info("log {i}", i=i)
    sentry_lite.flush(5)
    receiver.wait_for(1, item_type="log")
    average = batcher._average_bytes
    assert average > 100
    batcher.kill()
    batcher._running = True
    batcher._thread = object()  # as if the batcher's thread could not keep up
    encoded: List[Any] = []
    real_to_item = batcher.to_item
    monkeypatch.setattr(
        batcher, "to_item", lambda records: encoded.append(1) or real_to_item(records)
    )
    for i in range(batcher.max_items + 5):
        sentry_lite.logger.info("log {i}", i=i)
    assert encoded == []  # nothing encoded on the app thread for the 5 dropped logs
    sentry_lite.get_client().close(timeout=5)
    lost = receiver.discarded()
    assert lost[("log_item", "queue_overflow")] == 5
    assert lost[("log_byte", "queue_overflow")] == 5 * average


def test_before_send_log_errors_and_drops_are_counted(
    sentry_init: Init, receiver: Receiver
) -> None:
    def hook(log: Dict[str, Any], hint: Dict[str, Any]) -> Any:
        if log["body"] == "raise":
            raise ValueError("hook bug")
        return None if log["body"] == "drop" else log

    sentry_init(release="r@1", before_send_log=hook)
    sentry_lite.logger.info("raise")
    sentry_lite.logger.info("drop")
    sentry_lite.logger.info("keep", attributes={"bad": Hostile()})
    sentry_lite.get_client().close(timeout=5)
    (item,) = receiver.items("log")
    (log,) = item.get_json()["items"]
    assert log["body"] == "keep"
    assert log["attributes"]["bad"]["type"] == "string"
    lost = receiver.discarded()
    assert lost[("log_item", "callback_error")] == 1
    assert lost[("log_item", "before_send")] == 1


def test_logs_wait_in_the_outbox_while_the_ingest_is_down(
    receiver: Receiver, tmp_path: Any
) -> None:
    receiver.stop_listening()
    reset_sdk()
    try:
        sentry_lite.init(dsn=receiver.dsn(), release="r@1", cache_dir=str(tmp_path))
        sentry_lite.logger.warning("kept for later")
        sentry_lite.metrics.count("kept", 1)
        sentry_lite.flush(1)
        receiver.start_listening()
        sentry_lite.flush(10)
        receiver.wait_for(1, item_type="log", timeout=15)
        receiver.wait_for(1, item_type="trace_metric", timeout=15)
    finally:
        sentry_lite.get_client().close(timeout=2)
        reset_sdk()
    assert receiver.items("log")[0].get_json()["items"][0]["body"] == "kept for later"


def _app(environ: Dict[str, Any], start_response: Any) -> List[bytes]:
    if environ["PATH_INFO"] == "/boom":
        raise ValueError("boom")
    start_response("200 OK", [])
    return [b"ok"]


def _request(app: Any, path: str) -> None:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "SERVER_NAME": "h",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "HTTP_HOST": "h",
    }
    try:
        body = app(environ, lambda *a: None)
        list(body)
    except ValueError:
        pass


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"release": "r@1"}, {"exited": 1, "crashed": 1}),
        ({"release": "r@1", "auto_session_tracking": False}, None),
    ],
)
def test_request_sessions_follow_the_options(
    sentry_init: Init, receiver: Receiver, options: Dict[str, Any], expected: Any
) -> None:
    sentry_init(**options)
    app = SentryWsgiMiddleware(_app)
    _request(app, "/ok")
    _request(app, "/boom")
    sentry_lite.get_client().close(timeout=5)
    aggregates = [item.get_json() for item in receiver.items("sessions")]
    if expected is None:
        assert aggregates == []
        return
    (payload,) = aggregates
    assert payload["attrs"] == {"release": "r@1", "environment": "production"}
    (row,) = payload["aggregates"]
    assert {k: v for k, v in row.items() if k != "started"} == expected


def test_stopped_session_tracking_starts_no_request_session(
    sentry_init: Init, receiver: Receiver
) -> None:
    sentry_init(release="r@1")
    app = SentryWsgiMiddleware(_app)
    isolation = sentry_lite.get_isolation_scope()
    isolation.stop_auto_session_tracking()  # requests fork this scope and inherit it
    _request(app, "/ok")
    isolation.resume_auto_session_tracking()
    _request(app, "/ok")
    sentry_lite.get_client().close(timeout=5)
    (payload,) = [item.get_json() for item in receiver.items("sessions")]
    assert sum(row.get("exited", 0) for row in payload["aggregates"]) == 1


def test_structlog_processor_sends_events_breadcrumbs_and_logs(
    sentry_init: Init, receiver: Receiver
) -> None:
    structlog = pytest.importorskip("structlog")
    from sentry_lite.integrations.structlog import SentryProcessor

    sentry_init(release="r@1", enable_logs=True)
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            SentryProcessor(),
            structlog.processors.KeyValueRenderer(),
        ],
        logger_factory=structlog.ReturnLoggerFactory(),
        cache_logger_on_first_use=False,
    )
    try:
        log = structlog.get_logger().bind(order_id=7, shop="north")
        log.info("paid", amount=3)
        try:
            1 / 0  # noqa: B018
        except ZeroDivisionError:
            log.exception("could not split")
    finally:
        structlog.reset_defaults()
    sentry_lite.get_client().close(timeout=5)
    (event,) = receiver.events
    assert event["logentry"]["message"] == "could not split"
    assert event["level"] == "error"
    assert event["extra"]["order_id"] == 7
    assert event["exception"]["values"][0]["type"] == "ZeroDivisionError"
    assert event["exception"]["values"][0]["mechanism"]["type"] == "structlog"
    crumb = event["breadcrumbs"]["values"][-1]
    assert crumb["message"] == "paid"
    assert crumb["data"] == {"order_id": 7, "shop": "north", "amount": 3}
    logs = [log for item in receiver.items("log") for log in item.get_json()["items"]]
    assert [log["body"] for log in logs] == ["paid", "could not split"]
    assert logs[0]["attributes"]["shop"] == {"value": "north", "type": "string"}
    assert logs[0]["attributes"]["sentry.origin"]["value"] == "auto.log.structlog"


class Mode(str, enum.Enum):
    FAST = "fast"


class Level(enum.IntEnum):
    HIGH = 3


def test_enum_attributes_are_sent_as_their_values_as_sentry_sdk_does(
    sentry_init: Init, receiver: Receiver
) -> None:
    """A str mixin enum was sent as "Mode.FAST" on logs and metrics (str() of it), while
    spans and sentry_sdk send "fast": logs, metrics and spans now share one formatter."""
    import sentry_sdk.utils as reference

    attributes = {"mode": Mode.FAST, "level": Level.HIGH, "both": [Mode.FAST]}
    expected = {
        key: reference.serialize_attribute(reference.format_attribute(value))
        for key, value in attributes.items()
    }
    assert expected["mode"] == {"value": "fast", "type": "string"}
    sentry_init(release="r@1", enable_logs=True, traces_sample_rate=1.0, trace_lifecycle="stream")
    sentry_lite.logger.info("with enums", attributes=attributes)
    sentry_lite.metrics.count("enums", 1, attributes=attributes)
    with sentry_lite.traces.start_span(name="enums", attributes=attributes):
        pass
    sentry_lite.get_client().close(timeout=5)
    for item_type in ("log", "trace_metric", "span"):
        (record,) = [r for item in receiver.items(item_type) for r in item.get_json()["items"]]
        sent = {key: record["attributes"][key] for key in attributes}
        assert json.loads(json.dumps(sent)) == expected, item_type


def test_request_sessions_ended_on_many_threads_are_all_counted() -> None:
    """Ending a request session takes no lock (a deque append): nothing is lost."""
    import threading

    from sentry_lite.telemetry.session import Session
    from sentry_lite.telemetry.session_flusher import SessionFlusher

    sent: List[Envelope] = []
    flusher = SessionFlusher(sent.append, flush_interval=3600)
    start = threading.Barrier(4)

    def requests() -> None:
        start.wait()
        for i in range(3000):
            session = Session(release="r@1", session_mode="request")
            if i % 3 == 0:
                session.mark_error(crashed=False)
            session.close()
            flusher.add_session(session)

    threads = [threading.Thread(target=requests) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    flusher.flush()
    flusher.kill()
    totals: Dict[str, int] = {}
    for envelope in sent:
        for item in envelope.items:
            for row in item.get_json()["aggregates"]:
                for outcome in ("exited", "errored"):
                    totals[outcome] = totals.get(outcome, 0) + row.get(outcome, 0)
    assert totals == {"exited": 8000, "errored": 4000}


def test_a_request_session_is_the_session_the_keywords_make() -> None:
    """``Session.for_request`` (the per-request shortcut) builds what the constructor
    builds; a user on the scope takes the general path (its id becomes ``did``)."""
    from sentry_lite.telemetry.session import Session

    fast = Session.for_request("r@1", "prod")
    slow = Session(release="r@1", environment="prod", session_mode="request")
    for name in Session.__slots__:
        if name != "_started":
            assert getattr(fast, name) == getattr(slow, name), name
    assert abs(fast.started_minute - slow.started_minute) <= 1
    assert fast.to_json().keys() == slow.to_json().keys()

    scope = sentry_lite.get_isolation_scope().fork()
    scope.set_user({"id": "42"})
    scope.start_request_session({"release": "r@1", "environment": "prod"})
    assert scope._session.did == "42"


def test_request_counts_wait_for_room_in_a_full_queue(
    sentry_init: Init, receiver: Receiver
) -> None:
    """One aggregate counts every request of a minute: when a burst of events has filled
    the transport's queue, a periodic flush keeps the counts for the next one instead of
    dropping them all as one lost item. Only the closing flush may drop (and count)."""
    sentry_init(release="r@1", transport_queue_size=1)
    app = SentryWsgiMiddleware(_app)
    for _ in range(5):
        _request(app, "/ok")
    receiver.respond(hang=True)
    for i in range(10):
        sentry_lite.capture_message(f"m{i}")
    client = sentry_lite.get_client()
    transport = client.transport
    assert transport is not None and not transport.is_healthy()  # the queue is full
    client.session_flusher.flush()  # what the flusher's thread does every minute
    assert client.session_flusher.pending_aggregates  # kept, not dropped
    receiver.respond()
    client.close(timeout=5)
    (payload,) = [item.get_json() for item in receiver.items("sessions")]
    (row,) = payload["aggregates"]
    assert row["exited"] == 5
    assert ("session", "queue_overflow") not in transport.losses.totals


def test_session_updates_kept_for_later_are_bounded() -> None:
    """Application session updates wait for room too, up to SESSION_MAX_KEPT; the oldest
    beyond it go to the transport at once (which drops and counts them), never vanish."""
    from sentry_lite.limits import SESSION_MAX_KEPT
    from sentry_lite.telemetry.session import Session
    from sentry_lite.telemetry.session_flusher import SessionFlusher

    captured: List[Envelope] = []
    flusher = SessionFlusher(captured.append, flush_interval=3600, offer_func=lambda e: False)
    for i in range(SESSION_MAX_KEPT + 5):
        session = Session(release="r@1", session_mode="application")
        session.did = str(i)
        session.close()
        flusher.add_session(session)
    flusher.flush()  # no room: kept, but for the 5 oldest
    dids = [item.get_json()["did"] for envelope in captured for item in envelope.items]
    assert dids == [str(i) for i in range(5)]
    captured.clear()
    flusher.flush(final=True)  # closing: everything goes to the transport
    flusher.kill()
    dids = [item.get_json()["did"] for envelope in captured for item in envelope.items]
    assert dids == [str(i) for i in range(5, SESSION_MAX_KEPT + 5)]
