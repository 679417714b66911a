"""Spotlight in a Django app under DEBUG: the middleware ``init`` adds (as sentry_sdk's),
Spotlight's page for a failing request, and the overlay when the sidecar has one."""

from __future__ import annotations

import http.server
import os
import socket
import threading
from typing import Any, Callable, Iterator, List

import pytest

pytest.importorskip("django")

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.django_app.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

from sentry_lite.devserver import DevServer  # noqa: E402
from sentry_lite.integrations.django import DjangoIntegration  # noqa: E402
from sentry_lite.integrations.django.spotlight import MIDDLEWARE_PATH  # noqa: E402
from tests.receiver import Receiver  # noqa: E402
from tests.test_web_support import exc_types, mechanism, settle, wait_events  # noqa: E402


@pytest.fixture
def viewer() -> Iterator[DevServer]:
    srv = DevServer("127.0.0.1", 0).start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def debug() -> Iterator[None]:
    with override_settings(DEBUG=True, MIDDLEWARE=list(settings.MIDDLEWARE)):
        yield


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _spotlight_entries() -> List[str]:
    return [m for m in settings.MIDDLEWARE if m.endswith(".SpotlightMiddleware")]


@pytest.mark.usefixtures("debug")
@pytest.mark.parametrize(
    ("spotlight", "env", "added"),
    [(True, {}, 1), (False, {}, 0), (True, {"SENTRY_SPOTLIGHT_ON_ERROR": "no"}, 0)],
)
def test_middleware_added_as_sentry_sdk_adds_it(
    spotlight: bool,
    env: Any,
    added: int,
    sentry_init: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Spotlight on and DEBUG: one Spotlight middleware is appended; off, or switched off
    with SENTRY_SPOTLIGHT_ON_ERROR: none. The same under sentry_sdk."""
    sentry_sdk = pytest.importorskip("sentry_sdk")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    original = list(settings.MIDDLEWARE)
    sdk_client = sentry_sdk.Client(
        spotlight=spotlight, default_integrations=False, auto_enabling_integrations=False
    )
    sdk_client.close(0)
    assert len(_spotlight_entries()) == added
    settings.MIDDLEWARE = list(original)
    sentry_init(integrations=[DjangoIntegration()], spotlight=spotlight)
    assert _spotlight_entries() == [MIDDLEWARE_PATH] * added
    sentry_init(integrations=[DjangoIntegration()], spotlight=spotlight)  # a second init
    assert _spotlight_entries() == [MIDDLEWARE_PATH] * added


def test_no_middleware_without_debug(sentry_init: Callable[..., Any]) -> None:
    with override_settings(DEBUG=False, MIDDLEWARE=list(settings.MIDDLEWARE)):
        sentry_init(integrations=[DjangoIntegration()], spotlight=True)
        assert _spotlight_entries() == []


@pytest.mark.usefixtures("debug")
def test_failing_view_answers_with_spotlights_page_on_the_event(
    viewer: DevServer, receiver: Receiver, sentry_init: Callable[..., Any]
) -> None:
    sentry_init(integrations=[DjangoIntegration()], spotlight=viewer.url + "/stream")
    response = Client(raise_request_exception=False).get("/api/items/5/boom")
    assert response.status_code == 500
    html = response.content.decode()
    (event,) = wait_events(receiver, 1)
    assert f'<base href="{viewer.url}/">' in html
    assert f'startFrom: "/errors/{event["event_id"]}"' in html
    assert exc_types(event) == ["ValueError"]
    assert mechanism(event) == {"type": "django", "handled": False}
    assert event["request"]["url"] == "http://testserver/api/items/5/boom"
    settle(receiver)
    assert len(receiver.events) == 1, "reported once, by the middleware"


@pytest.mark.usefixtures("debug")
def test_no_sidecar_leaves_djangos_answer(
    receiver: Receiver, sentry_init: Callable[..., Any]
) -> None:
    sentry_init(
        integrations=[DjangoIntegration()], spotlight=f"http://127.0.0.1:{_closed_port()}/stream"
    )
    response = Client(raise_request_exception=False).get("/api/items/5/boom")
    assert response.status_code == 500
    assert b"<base href" not in response.content
    (event,) = wait_events(receiver, 1)
    assert exc_types(event) == ["ValueError"]
    settle(receiver)
    assert len(receiver.events) == 1


class _Sidecar(http.server.BaseHTTPRequestHandler):
    """A Spotlight sidecar that serves its overlay script."""

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's name
        self.send_response(200 if self.path == "/assets/main.js" else 404)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.mark.usefixtures("debug")
@pytest.mark.parametrize("overlay", [True, False])
def test_overlay_only_when_the_sidecar_serves_it(
    overlay: bool, viewer: DevServer, sentry_init: Callable[..., Any]
) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Sidecar)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}" if overlay else viewer.url
        sentry_init(integrations=[DjangoIntegration()], spotlight=base + "/stream")
        client = Client()
        for _ in range(2):
            page = client.get("/template").content.decode()
            if overlay:
                assert page.count(f'src="{base}/assets/main.js"') == 1
                assert page.index("assets/main.js") < page.index("</body>")
            else:
                assert "<script" not in page, "sentry-lite serve has no overlay"
    finally:
        server.shutdown()
        server.server_close()
