"""The key names whose values are secrets or personal data (sentry_sdk 2.x's lists).

Why apart from the scrubber: these are data a reader checks against sentry_sdk and
Relay, not code; ``events.scrub`` re-exports both names.
"""

from __future__ import annotations

from typing import Iterable, List, Tuple
from urllib.parse import unquote_plus

__all__ = [
    "DEFAULT_DENYLIST",
    "DEFAULT_PII_DENYLIST",
    "key_words",
    "looks_secret",
    "may_name_a_secret",
    "normalize",
]

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


# -- i16: secrets by pattern (beyond sentry_sdk) --
SECRET_PARTS = ("token", "secret", "password", "passwd", "credential")
"""A key containing one of these names a secret (``x_auth_token``, ``client_secret``,
``aws_secret_access_key``, ``db_password``...), with ``send_default_pii`` off."""
NOT_SECRET_PARTS = ("tokens", "tokeniz")
"""Counts and tools, not secrets: ``gen_ai.usage.input_tokens``, ``max_tokens``, a
``tokenizer``. A key with one of these is judged by the exact list only."""
SECRET_SUFFIXES = ("_key", "apikey", "private_token")
"""``api_key``, ``secret_key``, ``x_api_key``, ``stripe_key``..."""


NOT_SECRET_KEYS = frozenset({"public_key", "sentry_key", "primary_key", "foreign_key"})
"""Named like secrets but public by design: the DSN's public key (in the trace's dynamic
sampling context), database key kinds."""
NOT_SECRET_KEYS |= {"gen_ai.response.time_to_first_token"}  # a duration (AI integrations)


def looks_secret(normalized: str) -> bool:
    """Does a key (lower case, ``-`` as ``_``) name a secret by its pattern?"""
    if normalized in NOT_SECRET_KEYS:
        return False
    if normalized.endswith(SECRET_SUFFIXES):
        return True
    for part in NOT_SECRET_PARTS:
        if part in normalized:
            return False
    return any(part in normalized for part in SECRET_PARTS)


def normalize(key: str) -> str:
    """A key as the lists are matched against it: lower case, ``-`` as ``_``."""
    return key.lower().replace("-", "_")


def key_words(names: Iterable[str], patterns: bool) -> Tuple[str, ...]:
    """What a denied key must contain: each name of the list (normalized), and with
    ``patterns`` each secret part and suffix; none holding another (it would not add)."""
    words = set(names)
    if patterns:
        words.update(SECRET_PARTS, SECRET_SUFFIXES)
    return tuple(sorted(w for w in words if not any(v != w and v in w for v in words)))


def may_name_a_secret(text: str, words: Tuple[str, ...]) -> bool:
    """Could a key in a query string ``text`` be denied? False only when none of
    ``words`` (see key_words) occurs anywhere in it, unquoted and normalized: each key,
    as ``parse_qsl`` finds it, is a piece of that text. One pass over a huge query
    instead of judging 100,000 distinct keys one by one."""
    if "%" in text or "+" in text:
        text = unquote_plus(text)
    text = normalize(text)
    return any(word in text for word in words)
