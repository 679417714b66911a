"""Spotlight in a Django app under ``DEBUG``, as sentry_sdk's ``SpotlightMiddleware``.

With ``spotlight`` on and ``DEBUG=True``, ``init`` appends :class:`SpotlightMiddleware`
to ``settings.MIDDLEWARE`` (``SENTRY_SPOTLIGHT_ON_ERROR=0`` or
``SENTRY_SPOTLIGHT_MIDDLEWARE=0`` keeps it out). The middleware

* answers a failing view with Spotlight's page (from the sidecar or ``sentry-lite serve``)
  opened on the error's event, instead of Django's debug page, and
* puts Spotlight's overlay script into HTML pages when the sidecar serves one
  (``sentry-lite serve`` does not, so pages stay untouched).

It lives here, not in a core module as in sentry_sdk, because only an integration may
import Django.
"""

from __future__ import annotations

import logging
import os
import urllib.parse
import urllib.request
from typing import Any, Callable, Dict, Optional

from sentry_lite.integration_api import capture_caught, spotlight_url
from sentry_lite.limits import SPOTLIGHT_PAGE_TIMEOUT

try:
    from django.conf import settings  # type: ignore[import-untyped]
    from django.http import HttpResponseServerError  # type: ignore[import-untyped]
    from django.utils.deprecation import MiddlewareMixin  # type: ignore[import-untyped]
except ImportError as exc:  # pragma: no cover
    from sentry_lite.integrations import DidNotEnable

    raise DidNotEnable("Django is not installed") from exc

__all__ = ["MIDDLEWARE_PATH", "SpotlightMiddleware", "add_spotlight_middleware"]

logger = logging.getLogger("sentry_lite.errors")

MIDDLEWARE_PATH = f"{__name__}.SpotlightMiddleware"
SENTRY_SDK_PATH = "sentry_sdk.spotlight.SpotlightMiddleware"
"""The app may list sentry_sdk's middleware itself; then ours is not added as well."""
JS_ENTRY_PATH = "/assets/main.js"
OVERLAY = (
    "<script>window.__spotlight = {{ initOptions: {{ sidecarUrl: '{url}', fullPage: false }} }};"
    "</script>\n"
    '<script type="module" crossorigin src="{script}"></script>\n'
)
ERROR_PAGE_HEAD = (
    '<html><base href="{url}">\n'
    "<script>window.__spotlight = {{ initOptions: {{ fullPage: true, "
    'startFrom: "/errors/{event_id}" }}}};</script>\n'
)
_BODY_CLOSE = b"</body>"
_OFF = {"0", "false", "f", "no", "n", "off"}


def _switched_on(name: str) -> bool:
    return os.environ.get(name, "1").strip().lower() not in _OFF


def add_spotlight_middleware(options: Dict[str, Any]) -> None:
    """Append the middleware when Spotlight is on and the app runs with ``DEBUG``."""
    url = options.get("spotlight")
    if not isinstance(url, str) or "://" not in url:  # the client stores the resolved URL
        return
    if not (
        _switched_on("SENTRY_SPOTLIGHT_ON_ERROR") and _switched_on("SENTRY_SPOTLIGHT_MIDDLEWARE")
    ):
        return
    try:
        if not settings.DEBUG:  # reading it configures settings from the environment
            return
        middleware = settings.MIDDLEWARE
        if MIDDLEWARE_PATH in middleware or SENTRY_SDK_PATH in middleware:
            return
        settings.MIDDLEWARE = type(middleware)([*middleware, MIDDLEWARE_PATH])
    except Exception:  # noqa: BLE001 - unusual settings: the app runs without it
        logger.debug("sentry_lite: could not add the Spotlight middleware", exc_info=True)


class SpotlightMiddleware(MiddlewareMixin):  # type: ignore[misc]
    """Spotlight's error page and overlay for a Django app in ``DEBUG`` (see the module)."""

    def __init__(self, get_response: Callable[..., Any]) -> None:
        super().__init__(get_response)
        url = spotlight_url()
        # The sidecar's envelope URL ends in /stream; its pages are one level up.
        self.base_url = urllib.parse.urljoin(url, "../") if url else None
        if url is None:
            logger.warning("sentry_lite: Spotlight is off; the Spotlight middleware does nothing")
        self._overlay: Optional[str] = None
        self._probed = False

    def _overlay_script(self) -> Optional[str]:
        """Spotlight's overlay, if the sidecar serves its script; asked once, not per page."""
        if self._probed or self.base_url is None:
            return self._overlay
        self._probed = True
        script = urllib.parse.urljoin(self.base_url, JS_ENTRY_PATH)
        try:
            request = urllib.request.Request(script, method="HEAD")
            with urllib.request.urlopen(request, timeout=SPOTLIGHT_PAGE_TIMEOUT):
                pass
        except Exception:  # noqa: BLE001 - no overlay (sentry-lite serve has none)
            return None
        self._overlay = OVERLAY.format(url=self.base_url, script=script)
        return self._overlay

    def process_response(self, request: Any, response: Any) -> Any:
        try:
            content_type, _, params = response.get("Content-Type", "").partition(";")
            if content_type.strip().lower() != "text/html" or response.streaming:
                return response
            overlay = self._overlay_script()
            if overlay is None:
                return response
            _, _, charset = params.strip().partition("charset=")
            encoding = charset.strip() or "utf-8"
            content = response.content
            at = content.lower().rfind(_BODY_CLOSE)
            at = len(content) if at < 0 else at
            injected = overlay.encode(encoding)
            response.content = content[:at] + injected + content[at:]
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        except Exception:  # noqa: BLE001 - the page goes out unchanged
            logger.debug("sentry_lite: could not add Spotlight's overlay", exc_info=True)
        return response

    def process_exception(self, request: Any, exception: BaseException) -> Any:
        """Spotlight's page on this error, or None to let Django answer as usual."""
        if self.base_url is None or not settings.DEBUG:
            return None
        try:
            with urllib.request.urlopen(self.base_url, timeout=SPOTLIGHT_PAGE_TIMEOUT) as page:
                html = page.read().decode("utf-8")
        except Exception:  # noqa: BLE001 - no sidecar: Django's own debug page
            return None
        event_id = capture_caught(
            (type(exception), exception, exception.__traceback__), "django", handled=False
        )
        head = ERROR_PAGE_HEAD.format(url=self.base_url, event_id=event_id)
        return HttpResponseServerError(html.replace("<html>", head, 1))
