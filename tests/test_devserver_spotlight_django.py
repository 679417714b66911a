"""The Spotlight contract with the real sentry_sdk and Django.

With ``DEBUG=True`` and ``spotlight=`` pointing at ``sentry-lite serve``, sentry_sdk's
Spotlight middleware fetches the receiver's ``/`` and serves it as the failing
request's 500 page, with a ``<base>`` and the error's event id put after ``<html>``.
That page must work from the app's origin: styled (absolute asset URLs) and showing
the error's own event with its traceback, not a dead copy of the issue list.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.browser.cdp import Browser, find_chromium
from tests.browser.serve import ServeProcess
from tests.conftest import require

pytest.importorskip("sentry_sdk")
pytest.importorskip("django")

APP = textwrap.dedent(
    """
    import sys
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from django.conf import settings

    settings.configure(
        DEBUG=True,
        SECRET_KEY="test",
        ROOT_URLCONF=__name__,
        ALLOWED_HOSTS=["*"],
        MIDDLEWARE=["django.middleware.common.CommonMiddleware"],
    )

    import sentry_sdk

    sentry_sdk.init(spotlight=sys.argv[1], traces_sample_rate=1.0, release="shop@2.0")

    import django
    from django.http import HttpResponse
    from django.urls import path

    def checkout_view(request):
        basket_total = 30
        customer_count = 0
        return HttpResponse(str(basket_total / customer_count))

    def fine(request):
        return HttpResponse("<html><body>fine</body></html>")

    urlpatterns = [path("boom", checkout_view), path("fine", fine)]
    django.setup()

    from django.core.wsgi import get_wsgi_application

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = make_server("127.0.0.1", int(sys.argv[2]), get_wsgi_application(),
                         handler_class=Quiet)
    print("ready", flush=True)
    server.serve_forever()
    """
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("sdk", ["sentry_sdk", "sentry_lite"])
def test_django_debug_error_page_shows_the_event(tmp_path: Path, sdk: str) -> None:
    """The same page whether the app's Spotlight middleware is sentry_sdk's or ours."""
    require(find_chromium() is not None, "chromium is not installed (apt-get install chromium)")
    script = tmp_path / "djapp.py"
    script.write_text(APP.replace("import sentry_sdk\n", f"import {sdk} as sentry_sdk\n"))
    port = _free_port()
    with ServeProcess() as srv:
        app = subprocess.Popen(
            [sys.executable, str(script), srv.url + "/stream", str(port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert app.stdout is not None and app.stdout.readline().strip() == "ready"
            app_url = f"http://127.0.0.1:{port}"
            # What the middleware serves, read as any HTTP client would.
            try:
                urllib.request.urlopen(app_url + "/boom", timeout=20)
            except urllib.error.HTTPError as exc:
                assert exc.code == 500
                html = exc.read().decode()
            else:
                raise AssertionError("the view should fail")
            assert f'<base href="{srv.url}/">' in html, "sentry_sdk found <html> to inject"
            assert f'href="{srv.url}/static/style.css"' in html, "assets are absolute"
            assert "sentry-lite-token" not in html, "the token is never handed to a server"
            with Browser(app_url + "/boom") as page:
                assert page.evaluate("location.href") == app_url + "/boom"
                background = page.evaluate(
                    "getComputedStyle(document.querySelector('header.top')).backgroundColor"
                )
                assert background == "rgb(36, 31, 61)", "the page is styled"
                src = page.wait_for("document.querySelector('iframe.embed-frame')?.src")
                assert src.startswith(srv.url + "/events/")
                event_id = src.split("/events/")[1].split("?")[0]
                title = page.wait_in_frame("/events/", "document.querySelector('h1')?.textContent")
                assert title == "ZeroDivisionError: division by zero"
                frames = page.frame_evaluate(
                    "/events/",
                    "[...document.querySelectorAll('details.frame summary')]"
                    ".map(s => s.textContent).join(' ')",
                )
                assert "checkout_view" in frames
                local = page.frame_evaluate(
                    "/events/",
                    "[...document.querySelectorAll('table.vars tr')].map(tr => tr.textContent)",
                )
                assert "customer_count0" in local
                page.screenshot(
                    str(Path(__file__).with_name("artifacts") / f"spotlight-django-{sdk}.png")
                )
            stored = srv.get_json(f"/json/events/{event_id}")
            assert stored["body"]["exception"]["values"][-1]["type"] == "ZeroDivisionError"
            # Normal pages of the app are left alone (no overlay script injected).
            with urllib.request.urlopen(app_url + "/fine", timeout=10) as response:
                assert response.read().decode() == "<html><body>fine</body></html>"
        finally:
            app.terminate()
            try:
                app.wait(10)
            except subprocess.TimeoutExpired:
                app.kill()
            time.sleep(0)
