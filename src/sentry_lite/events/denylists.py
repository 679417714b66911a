"""The key names whose values are secrets or personal data (sentry_sdk 2.x's lists).

Why apart from the scrubber: these are data a reader checks against sentry_sdk and
Relay, not code; ``events.scrub`` re-exports both names.
"""

from __future__ import annotations

from typing import List

__all__ = ["DEFAULT_DENYLIST", "DEFAULT_PII_DENYLIST"]

DEFAULT_DENYLIST: List[str] = [
    # Relay's default secret names
    "password",
    "passwd",
    "secret",
    "api_key",
    "apikey",
    "auth",
    "credentials",
    "mysql_pwd",
    "privatekey",
    "private_key",
    "token",
    "session",
    # Django
    "csrftoken",
    "sessionid",
    # WSGI header names
    "x_csrftoken",
    "x_forwarded_for",
    "set_cookie",
    "cookie",
    "authorization",
    "proxy-authorization",
    "x_api_key",
    # session and CSRF cookie names of common frameworks
    "aiohttp_session",
    "connect.sid",
    "csrf_token",
    "csrf",
    "_csrf",
    "_csrf_token",
    "PHPSESSID",
    "_session",
    "symfony",
    "user_session",
    "_xsrf",
    "XSRF-TOKEN",
]
"""Always scrubbed (the same names, in the same order, as sentry_sdk 2.x)."""

DEFAULT_PII_DENYLIST: List[str] = [
    "x_forwarded_for",
    "x_real_ip",
    "ip_address",
    "remote_addr",
]
"""Also scrubbed unless ``send_default_pii`` is on (same as sentry_sdk 2.x)."""
