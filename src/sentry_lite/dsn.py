"""DSN parsing: where events go and how they authenticate.

A DSN looks like ``{scheme}://{public_key}[:{secret}]@{host}[:{port}]/[{path}/]{project_id}``.
A malformed DSN is a configuration mistake the user must see, so it raises :class:`BadDsn`
with the reason instead of silently disabling the SDK.
"""

from __future__ import annotations

import time
from typing import Optional

__all__ = ["BadDsn", "Dsn"]


class BadDsn(ValueError):
    """The DSN passed to ``init`` (or ``SENTRY_DSN``) cannot be used."""


class Dsn:
    __slots__ = ("host", "path", "port", "project_id", "public_key", "scheme", "secret_key")

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise BadDsn(f"DSN must be a string, got {type(value).__name__}")
        text = value.strip()
        # Here, not at module level: urllib.parse costs ~2 ms of ``import sentry_lite``
        # and a DSN is only parsed at init.
        from urllib.parse import urlsplit

        try:
            parts = urlsplit(text)
            port = parts.port
        except ValueError as exc:
            raise BadDsn(f"invalid DSN {text!r}: {exc}") from None
        if parts.scheme not in ("http", "https"):
            raise BadDsn(
                f"invalid DSN {text!r}: scheme must be http or https, not {parts.scheme!r}"
            )
        if not parts.username:
            raise BadDsn(f"invalid DSN {text!r}: missing public key (the part before '@')")
        if not parts.hostname:
            raise BadDsn(f"invalid DSN {text!r}: missing host")
        path, _, project_id = parts.path.rpartition("/")
        if not project_id:
            raise BadDsn(f"invalid DSN {text!r}: missing project id at the end of the path")
        if not project_id.isdigit():
            raise BadDsn(f"invalid DSN {text!r}: project id {project_id!r} must be a number")
        self.scheme: str = parts.scheme
        self.public_key: str = parts.username
        self.secret_key: Optional[str] = parts.password
        self.host: str = parts.hostname
        self.port: int = port if port is not None else (443 if parts.scheme == "https" else 80)
        self.path: str = path
        self.project_id: str = project_id

    @property
    def netloc(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"

    @property
    def envelope_url(self) -> str:
        return f"{self.scheme}://{self.netloc}{self.path}/api/{self.project_id}/envelope/"

    def auth_header(self, client: str, timestamp: Optional[float] = None) -> str:
        """The ``X-Sentry-Auth`` header value."""
        fields = [
            "Sentry sentry_key=" + self.public_key,
            "sentry_version=7",
            "sentry_client=" + client,
        ]
        if timestamp is not None:
            fields.append(f"sentry_timestamp={int(timestamp if timestamp else time.time())}")
        if self.secret_key:
            fields.append("sentry_secret=" + self.secret_key)
        return ", ".join(fields)

    def __str__(self) -> str:
        auth = self.public_key + (f":{self.secret_key}" if self.secret_key else "")
        return f"{self.scheme}://{auth}@{self.netloc}{self.path}/{self.project_id}"

    def __repr__(self) -> str:
        return f"Dsn({str(self)!r})"
