"""The public API end to end: init options, capture calls, scopes, hooks, Hub shim.

Every test sends through the real receiver on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
import warnings
from typing import Any, Dict, List

import pytest

import sentry_lite
from sentry_lite import BadDsn, Hub, Scope
from sentry_lite.transport.http import COMPRESS_MIN_BYTES
from tests.child_python import run_python
from tests.conftest import reset_sdk
from tests.receiver import Receiver


def by_message(receiver: Receiver) -> Dict[str, Dict[str, Any]]:
    """Events keyed by message: the worker may deliver them in any order."""
    return {e.get("message") or e["exception"]["values"][-1]["type"]: e for e in receiver.events}


def one_event(receiver: Receiver) -> Dict[str, Any]:
    sentry_lite.flush(5)
    receiver.wait_for(1)
    events = receiver.events
    assert len(events) == 1, events
    return events[0]


# -- init and options ---------------------------------------------------------------------


def test_capture_message_reaches_receiver(sentry_init: Any, receiver: Receiver) -> None:
    sentry_init(release="app@1.0", environment="staging", dist="7", server_name="web-1")
    event_id = sentry_lite.capture_message("hello", level="warning")
    event = one_event(receiver)
    assert event["event_id"] == event_id
    assert event["message"] == "hello"
    assert event["level"] == "warning"
    assert event["release"] == "app@1.0"
    assert event["environment"] == "staging"
    assert event["dist"] == "7"
    assert event["server_name"] == "web-1"
    assert event["platform"] == "python"
    assert event["sdk"]["name"].startswith("sentry.python")  # .django etc. once imported
    assert "logging" in event["sdk"]["integrations"]
    assert event["contexts"]["runtime"]["name"]
    assert event["contexts"]["os"]["name"]
    trace = event["contexts"]["trace"]
    assert len(trace["trace_id"]) == 32 and len(trace["span_id"]) == 16
    assert event["timestamp"].endswith("Z")
    # extra is a databag: like sentry_sdk, lists in it keep their first 10 items.
    assert event["extra"]["sys.argv"] == sys.argv[:10]
    assert isinstance(event["modules"], dict) and "pytest" in event["modules"]
    request = receiver.requests[0]
    assert request.path == "/api/42/envelope/"
    assert request.headers["x-sentry-auth"].startswith("Sentry sentry_key=public")
    envelope = request.envelope
    assert envelope is not None
    # gzip only pays from COMPRESS_MIN_BYTES on (tests/test_transport_faults.py).
    gzipped = len(envelope.serialize()) >= COMPRESS_MIN_BYTES
    assert request.headers.get("content-encoding") == ("gzip" if gzipped else None)
    assert envelope.headers["event_id"] == event_id
    assert envelope.headers["trace"]["trace_id"] == trace["trace_id"]
    assert envelope.headers["trace"]["public_key"] == "public"


def test_unknown_option_and_bad_type_warn_and_continue(
    sentry_init: Any, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="sentry_lite"):
        sentry_init(signals_to_ignore=["x"], max_breadcrumbs="many", sample_rate=7)
    messages = [r.getMessage() for r in caplog.records]
    assert any("unknown option 'signals_to_ignore'" in m for m in messages)
    assert any("max_breadcrumbs" in m for m in messages)
    assert any("sample_rate" in m for m in messages)
    assert sentry_lite.get_client().options["max_breadcrumbs"] == 100
    assert sentry_lite.get_client().options["sample_rate"] == 1.0
    sentry_lite.capture_message("still works")
    assert one_event(receiver)["message"] == "still works"


@pytest.mark.parametrize(
    ("dsn", "reason"),
    [
        ("not a dsn", "scheme"),
        ("ftp://key@host/1", "scheme"),
        ("https://host/1", "public key"),
        ("https://key@host/", "project id"),
        ("https://key@host/abc", "must be a number"),
        ("https://key@host:notaport/1", "invalid DSN"),
    ],
)
def test_malformed_dsn_raises_with_reason(dsn: str, reason: str) -> None:
    reset_sdk()
    with pytest.raises(BadDsn, match=reason):
        sentry_lite.init(dsn=dsn)
    reset_sdk()


def test_no_dsn_is_a_noop() -> None:
    reset_sdk()
    env = os.environ.pop("SENTRY_DSN", None)
    try:
        sentry_lite.init()
        assert sentry_lite.is_initialized()  # as sentry_sdk: a client is installed
        assert not sentry_lite.get_client().is_active()  # but it sends nothing
        assert sentry_lite.capture_message("nowhere") is None
        assert sentry_lite.capture_exception(ValueError("x")) is None
        sentry_lite.set_tag("a", "b")
        sentry_lite.add_breadcrumb(message="x")
        sentry_lite.flush(1)
    finally:
        if env is not None:
            os.environ["SENTRY_DSN"] = env
        reset_sdk()


def test_environment_fallbacks(receiver: Receiver, tmp_path: Any) -> None:
    code = (
        "import sentry_lite, json\n"
        "sentry_lite.init()\n"
        "o = sentry_lite.get_client().options\n"
        "print(json.dumps({k: o[k] for k in ('dsn', 'release', 'environment', 'debug')}))\n"
        "sentry_lite.capture_message('from env')\n"
        "sentry_lite.flush(5)\n"
    )
    out = run_python(
        code,
        {
            "SENTRY_DSN": receiver.dsn(),
            "SENTRY_RELEASE": "env-release",
            "SENTRY_ENVIRONMENT": "qa",
            "SENTRY_DEBUG": "1",
        },
        str(tmp_path),
    )
    options = json.loads(out.strip().splitlines()[-1])
    assert options == {
        "dsn": receiver.dsn(),
        "release": "env-release",
        "environment": "qa",
        "debug": True,
    }
    receiver.wait_for(1)
    assert receiver.events[0]["release"] == "env-release"


def test_release_from_git_head_and_default_environment(tmp_path: Any) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "f").write_text("x")
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "add", "f"], check=True)
    subprocess.run([*git, "commit", "-qm", "m"], check=True)
    head = subprocess.run(
        [*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    code = (
        "import sentry_lite\n"
        "sentry_lite.init(dsn='http://k@127.0.0.1:9/1')\n"
        "o = sentry_lite.get_client().options\n"
        "print(o['release'], o['environment'])\n"
    )
    out = run_python(code, {}, str(repo))
    assert out.split() == [head, "production"]
    # Packed refs (after git gc) resolve too.
    subprocess.run([*git, "pack-refs", "--all"], check=True)
    assert run_python(code, {}, str(repo)).split()[0] == head


# -- capture calls and scope data -------------------------------------------------------


def test_capture_exception_with_scope_kwargs(sentry_init: Any, receiver: Receiver) -> None:
    sentry_init()
    sentry_lite.set_tag("global", "yes")
    try:
        raise ValueError("bad value")
    except ValueError as exc:
        event_id = sentry_lite.capture_exception(
            exc,
            tags={"k": "v"},
            user={"id": "42"},
            extras={"e": 1},
            contexts={"ctx": {"a": 1}},
            level="fatal",
            fingerprint=["fp"],
        )
    event = one_event(receiver)
    assert event["event_id"] == event_id == sentry_lite.last_event_id()
    assert event["tags"] == {"global": "yes", "k": "v"}
    assert event["user"] == {"id": "42"}
    assert event["extra"]["e"] == 1
    assert event["contexts"]["ctx"] == {"a": 1}
    assert event["level"] == "fatal"
    assert event["fingerprint"] == ["fp"]
    (value,) = event["exception"]["values"]
    assert value["type"] == "ValueError"
    assert value["value"] == "bad value"
    assert value["mechanism"] == {"type": "generic", "handled": True}
    frame = value["stacktrace"]["frames"][-1]
    assert frame["function"] == "test_capture_exception_with_scope_kwargs"
    assert frame["context_line"].strip() == 'raise ValueError("bad value")'
    assert frame["in_app"] is True
    # The kwargs applied to that one event only.
    sentry_lite.capture_message("plain")
    sentry_lite.flush(5)
    receiver.wait_for(2)
    plain = by_message(receiver)["plain"]
    assert plain["tags"] == {"global": "yes"}
    assert "user" not in plain


def test_capture_exception_without_argument_uses_current_exception(
    sentry_init: Any, receiver: Receiver
) -> None:
    sentry_init()
    try:
        {}["missing"]  # noqa: B018
    except KeyError:
        sentry_lite.capture_exception()
    assert one_event(receiver)["exception"]["values"][0]["type"] == "KeyError"
    assert sentry_lite.capture_exception() is None  # no current exception: nothing sent


def test_scope_data_levels_and_breadcrumbs(sentry_init: Any, receiver: Receiver) -> None:
    sentry_init(max_breadcrumbs=3)
    sentry_lite.set_user({"id": "u1", "email": "u@example.com"})
    sentry_lite.set_tags({"a": "1", "b": "2"})
    sentry_lite.set_extra("x", {"nested": [1, 2]})
    sentry_lite.set_context("app", {"build": "abc"})
    sentry_lite.set_level("warning")
    for i in range(5):
        sentry_lite.add_breadcrumb(category="c", message=f"crumb {i}", data={"i": i})
    sentry_lite.get_global_scope().set_tag("from_global", "g")
    with sentry_lite.new_scope() as scope:
        scope.set_tag("b", "overridden")
        sentry_lite.capture_message("msg")
    event = one_event(receiver)
    assert event["user"] == {"id": "u1", "email": "u@example.com"}
    assert event["tags"] == {"a": "1", "b": "overridden", "from_global": "g"}
    assert event["extra"]["x"] == {"nested": [1, 2]}
    assert event["contexts"]["app"] == {"build": "abc"}
    assert event["level"] == "warning"
    crumbs = event["breadcrumbs"]["values"]
    assert [c["message"] for c in crumbs] == ["crumb 2", "crumb 3", "crumb 4"]
    assert crumbs[0]["category"] == "c" and crumbs[0]["data"] == {"i": 2}
    assert crumbs[0]["type"] == "default" and crumbs[0]["timestamp"].endswith("Z")


def test_configure_scope_and_push_scope_forms(sentry_init: Any, receiver: Receiver) -> None:
    sentry_init()
    with sentry_lite.configure_scope() as scope:
        scope.set_tag("configured", "cm")
    sentry_lite.configure_scope(lambda s: s.set_tag("configured_cb", "cb"))
    with sentry_lite.push_scope() as scope:
        scope.set_tag("pushed", "yes")
        sentry_lite.capture_message("inside")
    sentry_lite.push_scope(lambda s: s.set_extra("cb", True))
    sentry_lite.capture_message("outside")
    sentry_lite.flush(5)
    receiver.wait_for(2)
    events = by_message(receiver)
    inside, outside = events["inside"], events["outside"]
    assert inside["tags"] == {"configured": "cm", "configured_cb": "cb", "pushed": "yes"}
    assert outside["tags"] == {"configured": "cm", "configured_cb": "cb"}


def test_event_processors_scope_and_global(sentry_init: Any, receiver: Receiver) -> None:
    sentry_init()
    seen: List[str] = []

    @sentry_lite.add_global_event_processor
    def global_proc(event: Dict[str, Any], hint: Dict[str, Any]) -> Dict[str, Any]:
        seen.append("global")
        event.setdefault("tags", {})["global_proc"] = "1"
        return event

    try:
        with sentry_lite.new_scope() as scope:
            scope.add_event_processor(lambda e, h: None if e.get("message") == "drop" else e)
            scope.add_event_processor(lambda e, h: {**e, "extra": {**e.get("extra", {}), "p": 1}})
            assert sentry_lite.capture_message("drop") is None
            sentry_lite.capture_message("keep")
        event = one_event(receiver)
        assert event["message"] == "keep"
        assert event["tags"]["global_proc"] == "1"
        assert event["extra"]["p"] == 1
        assert seen == ["global", "global"]
    finally:
        from sentry_lite.scope.layers import global_event_processors

        global_event_processors.remove(global_proc)


def test_before_send_edit_drop_and_raise(
    sentry_init: Any, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    hints: List[Dict[str, Any]] = []

    def before_send(event: Dict[str, Any], hint: Dict[str, Any]) -> Any:
        hints.append(hint)
        message = event.get("message")
        if message == "drop me":
            return None
        if message == "explode":
            raise RuntimeError("hook bug")
        if "exception" in event:
            event["tags"] = {"edited": "yes"}
        return event

    sentry_init(before_send=before_send)
    assert sentry_lite.capture_message("drop me") is None
    with caplog.at_level(logging.WARNING):
        # sentry_sdk 2.75: a raising before_send drops the event (callback_error)
        assert sentry_lite.capture_message("explode") is None
    try:
        raise OSError("disk")
    except OSError:
        sentry_lite.capture_exception()
    sentry_lite.flush(5)
    receiver.wait_for(1)
    events = by_message(receiver)
    assert "explode" not in events
    error = events["OSError"]
    assert error["tags"] == {"edited": "yes"}
    assert hints[-1]["exc_info"][0] is OSError
    assert any("before_send raised" in r.getMessage() for r in caplog.records)


def test_before_breadcrumb(sentry_init: Any, receiver: Receiver) -> None:
    def before_breadcrumb(crumb: Dict[str, Any], hint: Dict[str, Any]) -> Any:
        if crumb.get("category") == "secret":
            return None
        crumb["message"] = crumb["message"].upper()
        return crumb

    sentry_init(before_breadcrumb=before_breadcrumb)
    sentry_lite.add_breadcrumb(category="secret", message="hidden")
    sentry_lite.add_breadcrumb(category="ok", message="shown")
    sentry_lite.capture_message("m")
    crumbs = one_event(receiver)["breadcrumbs"]["values"]
    assert [c["message"] for c in crumbs] == ["SHOWN"]


class CustomError(Exception):
    pass


def test_ignore_errors_by_class_and_name(sentry_init: Any, receiver: Receiver) -> None:
    sentry_init(ignore_errors=[KeyError, "CustomError", "builtins.ZeroDivisionError"])
    for exc in (KeyError("k"), CustomError(), ZeroDivisionError(), ValueError("sent")):
        try:
            raise exc
        except Exception as e:  # noqa: BLE001
            sentry_lite.capture_exception(e)
    event = one_event(receiver)
    assert event["exception"]["values"][0]["type"] == "ValueError"


def test_sample_rate_zero_drops_everything(sentry_init: Any, receiver: Receiver) -> None:
    sentry_init(sample_rate=0.0)
    for _ in range(20):
        assert sentry_lite.capture_message("never") is None
    sentry_lite.flush(2)
    assert receiver.events == []


def test_attach_stacktrace_on_messages(sentry_init: Any, receiver: Receiver) -> None:
    sentry_init(attach_stacktrace=True)
    sentry_lite.capture_message("with stack")
    event = one_event(receiver)
    (thread,) = event["threads"]["values"]
    assert thread["current"] is True and thread["crashed"] is False
    functions = [f["function"] for f in thread["stacktrace"]["frames"]]
    assert functions[-1] == "test_attach_stacktrace_on_messages"
    assert not any("sentry_lite" in (f.get("module") or "") for f in thread["stacktrace"]["frames"])


def test_hub_shim(sentry_init: Any, receiver: Receiver) -> None:
    sentry_init()
    hub = Hub.current
    assert hub.client is sentry_lite.get_client()
    with Hub(Hub.current) as inner:
        inner.scope.set_tag("in_hub", "1")
        inner.capture_message("from hub")
    Hub.current.scope.set_tag("outer", "1")
    Hub.current.capture_message("outside hub")
    sentry_lite.flush(5)
    receiver.wait_for(2)
    events = by_message(receiver)
    inside, outside = events["from hub"], events["outside hub"]
    assert inside["tags"] == {"in_hub": "1"}
    assert outside["tags"] == {"outer": "1"}
    assert Hub.current.last_event_id() == outside["event_id"]

    async def main() -> None:
        async with Hub(Hub.current) as h:
            h.scope.set_tag("async_hub", "1")
            h.capture_message("async")

    asyncio.run(main())
    sentry_lite.flush(5)
    receiver.wait_for(3)
    assert by_message(receiver)["async"]["tags"] == {"async_hub": "1", "outer": "1"}
    with Hub.current.configure_scope() as scope:
        assert scope is Scope.get_isolation_scope()


def test_client_and_scope_are_the_sentry_sdk_names() -> None:
    import sentry_sdk

    for name in [
        "capture_exception",
        "capture_message",
        "capture_event",
        "add_breadcrumb",
        "set_tag",
        "set_tags",
        "set_user",
        "set_extra",
        "set_context",
        "set_level",
        "configure_scope",
        "push_scope",
        "new_scope",
        "isolation_scope",
        "get_client",
        "get_current_scope",
        "get_isolation_scope",
        "get_global_scope",
        "last_event_id",
        "flush",
        "is_initialized",
        "Client",
        "Scope",
        "Hub",
        "init",
        "start_transaction",
        "start_span",
        "continue_trace",
        "get_traceparent",
        "get_baggage",
        "get_current_span",
        "trace",
        "add_attachment",
        "set_measurement",
    ]:
        assert hasattr(sentry_sdk, name), name
        assert hasattr(sentry_lite, name), name


def test_init_as_context_manager_closes_client(receiver: Receiver) -> None:
    reset_sdk()
    with sentry_lite.init(dsn=receiver.dsn()):
        sentry_lite.capture_message("in block")
    assert not sentry_lite.get_client().is_active()
    receiver.wait_for(1)
    reset_sdk()


def test_attachments_are_sent(sentry_init: Any, receiver: Receiver, tmp_path: Any) -> None:
    sentry_init()
    path = tmp_path / "log.txt"
    path.write_bytes(b"file data")
    sentry_lite.add_attachment(bytes=b"raw bytes", filename="raw.bin")
    sentry_lite.add_attachment(path=str(path))
    sentry_lite.capture_message("with attachments")
    sentry_lite.flush(5)
    receiver.wait_for(1)
    attachments = receiver.items("attachment")
    assert sorted((a.headers["filename"], a.payload) for a in attachments) == [
        ("log.txt", b"file data"),
        ("raw.bin", b"raw bytes"),
    ]


def test_unreadable_attachment_is_sent_empty(
    sentry_init: Any, receiver: Receiver, tmp_path: Any
) -> None:
    """As sentry_sdk: a file that cannot be read leaves an empty attachment item (so the
    event shows the attachment was there), never costs the event."""
    sentry_init()
    sentry_lite.get_isolation_scope().add_attachment(path=str(tmp_path / "missing.log"))
    sentry_lite.capture_message("with a missing file")
    sentry_lite.flush(5)
    receiver.wait_for(1)
    (attachment,) = receiver.items("attachment")
    assert attachment.headers["filename"] == "missing.log" and attachment.payload == b""
    assert receiver.events[0]["message"] == "with a missing file"


def test_installed_modules_read_from_metadata_heads_equal_the_parser() -> None:
    """The header-block reader of ``modules`` (a shortcut) gives what importlib's parser gives."""
    from sentry_lite import shortcuts
    from sentry_lite.events import contexts

    fast = contexts._read_modules()
    with shortcuts.disabled():
        slow = contexts._read_modules()
    assert fast == slow and "pytest" in fast and "sentry-sdk" in fast


def test_installed_modules_shortcut_reads_egg_info_and_odd_metadata_like_importlib(
    tmp_path: Any, monkeypatch: Any
) -> None:
    from sentry_lite import shortcuts
    from sentry_lite.events import contexts

    dist = tmp_path / "Odd_Name-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: Odd-Name\nVersion: 1.0rc1\nSummary: s\n\n"
        "Name: not-this\nVersion: 9\n" + "long description\n" * 2000
    )
    (tmp_path / "eggy-2.0-py3.11.egg-info").write_text(
        "Metadata-Version: 1.1\nName: Eggy\nVersion: 2.0\n"
    )
    broken = tmp_path / "broken-0.1.dist-info"
    broken.mkdir()
    monkeypatch.syspath_prepend(str(tmp_path))
    fast = contexts._read_modules()
    with shortcuts.disabled():
        slow = contexts._read_modules()
    assert fast == slow
    assert fast["odd-name"] == "1.0rc1" and fast["eggy"] == "2.0"


@pytest.mark.parametrize(
    ("env", "given", "expected"),
    [
        (None, None, False),
        ("1", None, True),
        ("0", None, False),
        ("1", False, False),
        ("0", True, True),
    ],
)
def test_keep_alive_reads_sentry_keep_alive(
    monkeypatch: pytest.MonkeyPatch, env: Any, given: Any, expected: bool
) -> None:
    """As sentry_sdk: ``SENTRY_KEEP_ALIVE`` when the option is not given, False by default."""
    monkeypatch.delenv("SENTRY_KEEP_ALIVE", raising=False)
    if env is not None:
        monkeypatch.setenv("SENTRY_KEEP_ALIVE", env)
    options = {} if given is None else {"keep_alive": given}
    client = sentry_lite.Client(dsn="http://key@127.0.0.1:9/1", **options)
    try:
        assert client.options["keep_alive"] is expected
    finally:
        client.close()


def test_cloned_hub_scope_inside_push_scope(sentry_init: Any, receiver: Receiver) -> None:
    """1.x code: ``hub.scope`` inside ``with hub.push_scope()`` is the pushed scope, so a
    tag set through it lands on the event captured there (as with sentry_sdk 1.x/2.x)."""
    sentry_init()
    sentry_lite.set_tag("A", 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with sentry_lite.Hub(sentry_lite.Hub.current) as hub, hub.push_scope() as scope:
            hub.scope.set_tag("via_hub", 1)
            scope.set_tag("via_scope", 1)
            sentry_lite.capture_message("inside")
    sentry_lite.flush(5)
    receiver.wait_for(1)
    assert receiver.events[0]["tags"] == {"A": 1, "via_hub": 1, "via_scope": 1}
