"""Who may read from and change the local receiver.

Ingest (``POST /api/<project>/envelope/``, ``/store/``, Spotlight's ``POST /stream``)
stays open to every origin, as browser SDKs need. Everything else answers the viewer's
own origin only:

* reads (pages fetched by script, ``/json/*``, ``/live``, ``GET /stream``) are refused
  when the browser says the request comes from another origin (``Origin``, or
  ``Sec-Fetch-Site`` for requests without one), and carry no CORS header, so a page on
  another origin can neither read the events nor follow the live stream;
* a state-changing request (``/json/clear``) must be one no page can send without a
  CORS preflight, which is refused for these paths: ``DELETE``, or ``POST`` with the
  ``X-Sentry-Lite-Token`` header holding the server's token (the viewer's pages carry it);
* with a loopback bind, only loopback ``Host`` names are answered (no DNS rebinding).

``--allow-origin`` adds origins that may read (a Spotlight-style overlay in an app).
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from typing import Any, Iterable, Optional

__all__ = ["TOKEN_HEADER", "Policy", "is_loopback"]

TOKEN_HEADER = "X-Sentry-Lite-Token"
_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}
EMBED_ANCESTORS = "http://localhost:* http://127.0.0.1:* http://[::1]:*"
"""Who may frame the embeddable event page: apps served from this machine (the Django
debug error page), never a site on the internet."""


def is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _host_name(host_header: str) -> str:
    if host_header.startswith("["):
        return host_header.split("]", 1)[0] + "]"
    return host_header.rsplit(":", 1)[0]


class Policy:
    def __init__(
        self,
        loopback_only: bool,
        allowed_origins: Iterable[str] = (),
        token: Optional[str] = None,
    ) -> None:
        self.loopback_only = loopback_only
        self.allowed_origins = {o.rstrip("/") for o in allowed_origins}
        self.token = token or secrets.token_urlsafe(24)

    def host_ok(self, headers: Any) -> bool:
        """With a loopback bind, a web page that rebinds its own DNS name to 127.0.0.1
        must not read your events: only loopback Host names are answered."""
        if not self.loopback_only:
            return True
        return is_loopback(_host_name((headers.get("Host") or "").lower()))

    @staticmethod
    def own_origin(headers: Any) -> str:
        return "http://" + (headers.get("Host") or "").lower()

    def extra_origin(self, headers: Any) -> Optional[str]:
        """The request's Origin when ``--allow-origin`` lets it read, else None."""
        origin = headers.get("Origin")
        return origin if origin and origin in self.allowed_origins else None

    def read_ok(self, headers: Any, navigation_ok: bool = False) -> bool:
        origin = headers.get("Origin")
        if origin is not None:
            return origin.lower() == self.own_origin(headers) or origin in self.allowed_origins
        site = headers.get("Sec-Fetch-Site")
        if site in (None, "same-origin", "none"):
            return True
        return navigation_ok and headers.get("Sec-Fetch-Mode") == "navigate"

    def change_ok(self, method: str, headers: Any) -> bool:
        origin = headers.get("Origin")
        if origin is not None and origin.lower() != self.own_origin(headers):
            return False
        if headers.get("Sec-Fetch-Site") in ("cross-site", "same-site"):
            return False
        if method == "DELETE":
            return True
        sent = headers.get(TOKEN_HEADER) or ""
        return hmac.compare_digest(sent.encode(), self.token.encode())

    @staticmethod
    def is_browser(headers: Any) -> bool:
        """Browsers send Sec-Fetch-* headers; a server fetching a page (sentry_sdk's
        Django middleware) does not, and is not handed the token."""
        return headers.get("Sec-Fetch-Mode") is not None
