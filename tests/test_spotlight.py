"""The ``spotlight`` option: a copy of every envelope to the local viewer, never in the way."""

from __future__ import annotations

import socket
import time
from typing import Any, Callable, Iterator

import pytest

import sentry_lite
from sentry_lite.devserver import DevServer
from sentry_lite.envelope import Envelope
from sentry_lite.transport.spotlight import (
    DEFAULT_SPOTLIGHT_URL,
    SpotlightTransport,
    resolve_spotlight_url,
)
from tests.receiver import Receiver


@pytest.fixture
def viewer() -> Iterator[DevServer]:
    srv = DevServer("127.0.0.1", 0).start()
    try:
        yield srv
    finally:
        srv.stop()


def _envelope(message: str) -> Envelope:
    env = Envelope({})
    env.add_event({"message": message, "level": "info"})
    return env


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("value", "env", "expected"),
    [
        (None, None, None),
        (True, None, DEFAULT_SPOTLIGHT_URL),
        (False, "1", None),
        ("http://x:1/stream", None, "http://x:1/stream"),
        (None, "true", DEFAULT_SPOTLIGHT_URL),
        (None, "0", None),
        (None, "http://env:2/stream", "http://env:2/stream"),
        (True, "http://env:2/stream", "http://env:2/stream"),
        ("http://x:1/stream", "http://env:2/stream", "http://x:1/stream"),
    ],
)
def test_url_resolution_matches_sentry_sdk(value: Any, env: Any, expected: Any) -> None:
    assert resolve_spotlight_url(value, env) == expected


def test_transport_posts_to_stream(viewer: DevServer) -> None:
    transport = SpotlightTransport({"spotlight": viewer.url + "/stream"})
    transport.capture_envelope(_envelope("to spotlight"))
    transport.flush(5)
    assert viewer.wait_for(1, 5)
    assert viewer.store.issues()[0]["title"] == "to spotlight"
    assert transport.sent == 1
    transport.kill()


def test_nothing_listening_never_blocks_or_raises() -> None:
    transport = SpotlightTransport({"spotlight": f"http://127.0.0.1:{_closed_port()}/stream"})
    started = time.perf_counter()
    for i in range(500):  # more than the queue holds
        transport.capture_envelope(_envelope(f"lost {i}"))
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0, "capture_envelope must only queue"
    transport.flush(5)
    assert transport.sent == 0 and transport.dropped >= 500 - 1
    transport.kill()


def test_init_spotlight_copies_every_envelope(
    viewer: DevServer, receiver: Receiver, sentry_init: Callable[..., Any]
) -> None:
    sentry_init(spotlight=viewer.url + "/stream")
    try:
        1 / 0  # noqa: B018
    except ZeroDivisionError:
        sentry_lite.capture_exception()
    sentry_lite.capture_message("copied")
    sentry_lite.flush(5)
    receiver.wait_for(2)
    assert viewer.wait_for(2, 5)
    titles = {i["title"] for i in viewer.store.issues()}
    assert titles == {"ZeroDivisionError: division by zero", "copied"}


def test_init_spotlight_true_without_a_server_is_harmless(
    receiver: Receiver, sentry_init: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SENTRY_SPOTLIGHT", f"http://127.0.0.1:{_closed_port()}/stream")
    sentry_init(spotlight=True)
    started = time.perf_counter()
    sentry_lite.capture_message("still delivered to the DSN")
    assert time.perf_counter() - started < 0.5
    sentry_lite.flush(5)
    receiver.wait_for(1)
    assert (
        receiver.events[0]["message"] == "still delivered to the DSN"
        or receiver.events[0]["logentry"]["message"] == "still delivered to the DSN"
    )


def test_spotlight_without_a_dsn(viewer: DevServer, sentry_init: Callable[..., Any]) -> None:
    """As with sentry_sdk, Spotlight alone (no DSN) is enough to see events locally."""
    sentry_init(dsn=None, spotlight=viewer.url + "/stream")
    sentry_lite.capture_message("local only")
    sentry_lite.flush(5)
    assert viewer.wait_for(1, 5)
    assert viewer.store.issues()[0]["title"] == "local only"


# -- docs: Client.spotlight, as sentry_sdk's -------------------------------------------------

SPOTLIGHT_CASES = [
    (None, None, None, ""),
    (False, None, None, ""),
    (True, None, DEFAULT_SPOTLIGHT_URL, ""),
    ("http://foobar@test.com/132", None, "http://foobar@test.com/132", ""),
    (None, "1", DEFAULT_SPOTLIGHT_URL, ""),
    (None, "http://env:9999/stream", "http://env:9999/stream", ""),
    (True, "http://env:9999/stream", "http://env:9999/stream", ""),
    (False, "true", None, "ignoring SENTRY_SPOTLIGHT environment variable"),
    ("http://config:8888/stream", "http://env:9999/stream", "http://config:8888/stream",
     "takes precedence over"),
    ("http://same:9999/stream", "http://same:9999/stream", "http://same:9999/stream", ""),
]  # fmt: skip


@pytest.mark.parametrize("sdk_name", ["sentry_sdk", "sentry_lite"])
@pytest.mark.parametrize(("option", "env", "url", "warning"), SPOTLIGHT_CASES)
def test_client_spotlight_attribute_as_sentry_sdk(
    sdk_name: str,
    option: Any,
    env: Any,
    url: Any,
    warning: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """``Client.spotlight``: None when off, else the sender with the resolved ``url``, and
    the same warnings when the option overrides ``SENTRY_SPOTLIGHT``; both SDKs."""
    sdk = pytest.importorskip(sdk_name)
    if env is None:
        monkeypatch.delenv("SENTRY_SPOTLIGHT", raising=False)
    else:
        monkeypatch.setenv("SENTRY_SPOTLIGHT", env)
    with caplog.at_level("WARNING", logger=f"{sdk_name}.errors"):
        client = sdk.Client(spotlight=option, debug=True)
    try:
        assert (None if client.spotlight is None else client.spotlight.url) == url
        found = [r.getMessage() for r in caplog.records if "SENTRY_SPOTLIGHT" in r.getMessage()]
        if warning:
            assert any(warning in message for message in found), found
        else:
            assert found == []
    finally:
        client.close(0)


def test_client_spotlight_gets_every_envelope(sentry_init: Callable[..., Any]) -> None:
    """Envelopes go through ``client.spotlight.capture_envelope``, looked up at send time,
    so wrapping it (as sentry_sdk's own tests do) sees them."""
    assert sentry_lite.get_client().spotlight is None  # the no-op client has none
    sentry_init(spotlight=f"http://127.0.0.1:{_closed_port()}/stream")
    spotlight = sentry_lite.get_client().spotlight
    assert spotlight is not None
    seen = []
    spotlight.capture_envelope = seen.append
    try:
        raise ValueError("aha!")
    except ValueError:
        sentry_lite.capture_exception()
    (envelope,) = seen
    assert envelope.items[0].get_json()["exception"]["values"][0]["value"] == "aha!"
