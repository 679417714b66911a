"""``sentry-lite send-test-event``: send one event to a DSN, synchronously, and name
exactly what happened, so a broken setup can be diagnosed from a terminal.

Unlike the SDK's transport this runs on the calling thread and lets every failure
surface: the point is to see it.
"""

from __future__ import annotations

import json
import os
import socket
import ssl
import time
import uuid
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Dict, List, Optional
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

import certifi
import urllib3

from sentry_lite.consts import SDK_NAME, SDK_PACKAGE, USER_AGENT, VERSION
from sentry_lite.dsn import BadDsn, Dsn
from sentry_lite.envelope import Envelope

__all__ = ["Outcome", "send_test_event"]


class Outcome:
    """What happened to the test event. ``kind`` is one of: delivered, rate_limited,
    auth, rejected, http_error, tls, proxy, refused, dns, timeout, network, bad_dsn."""

    def __init__(
        self,
        kind: str,
        summary: str,
        details: Optional[List[str]] = None,
        event_id: Optional[str] = None,
        status: Optional[int] = None,
    ) -> None:
        self.kind = kind
        self.summary = summary
        self.details = details or []
        self.event_id = event_id
        self.status = status

    @property
    def ok(self) -> bool:
        return self.kind == "delivered"

    def lines(self) -> List[str]:
        return [f"{self.kind}: {self.summary}", *(f"  {d}" for d in self.details)]

    def __repr__(self) -> str:
        return f"<Outcome {self.kind}: {self.summary}>"


def _event(message: str) -> Dict[str, Any]:
    return {
        "event_id": uuid.uuid4().hex,
        "timestamp": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z"),
        "platform": "python",
        "level": "info",
        "logger": "sentry_lite.send_test_event",
        "message": message,
        "tags": {"sentry_lite.test_event": "true"},
        "sdk": {
            "name": SDK_NAME,
            "version": VERSION,
            "packages": [{"name": SDK_PACKAGE, "version": VERSION}],
        },
    }


def _proxy_for(url: str, explicit: Optional[str]) -> Optional[str]:
    if explicit:
        return explicit
    parts = urlsplit(url)
    if proxy_bypass(parts.hostname or ""):
        return None
    proxies = getproxies()
    return proxies.get(parts.scheme) or proxies.get("all")


def _root_causes(exc: BaseException) -> List[BaseException]:
    """The exception and everything it wraps (urllib3 nests the socket error)."""
    seen: List[BaseException] = []
    todo: List[Optional[BaseException]] = [exc]
    while todo:
        current = todo.pop()
        if current is None or any(current is s for s in seen) or len(seen) > 20:
            continue
        seen.append(current)
        todo.extend([current.__cause__, current.__context__])
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException):
            todo.append(reason)
        for arg in getattr(current, "args", ()):
            if isinstance(arg, BaseException):
                todo.append(arg)
    return seen


def _classify_error(exc: BaseException, url: str, proxy: Optional[str], timeout: float) -> Outcome:
    host = urlsplit(url).netloc
    chain = _root_causes(exc)
    names = {type(e).__name__ for e in chain}
    text = str(exc)
    if "ProxyError" in names or (proxy and "Tunnel connection failed" in text):
        return Outcome(
            "proxy",
            f"the proxy {proxy} failed: {_short(exc)}",
            ["check HTTPS_PROXY/HTTP_PROXY/NO_PROXY or --proxy"],
        )
    if any(isinstance(e, socket.gaierror) for e in chain) or "NameResolutionError" in names:
        return Outcome(
            "dns",
            f"cannot resolve the host in {host!r}: {_short(exc)}",
            ["check the DSN's host name and this machine's DNS"],
        )
    if any(isinstance(e, ssl.SSLCertVerificationError) for e in chain):
        return Outcome(
            "tls",
            f"TLS certificate verification failed for {host}: {_short(exc)}",
            [
                "a proxy intercepting TLS, a self-signed server or an old CA bundle? "
                "pass --ca-certs with the right bundle"
            ],
        )
    if any(isinstance(e, ssl.SSLError) for e in chain) or "SSLError" in names:
        return Outcome(
            "tls",
            f"TLS handshake with {host} failed: {_short(exc)}",
            ["is the DSN's scheme right (https vs http)?"],
        )
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        where = f"proxy {proxy}" if proxy else host
        return Outcome(
            "refused",
            f"connection refused by {where}",
            ["nothing listens there: is the server running and the port right?"],
        )
    if (
        any(isinstance(e, (socket.timeout, TimeoutError)) for e in chain)
        or "Timeout" in text
        or any("Timeout" in n for n in names)
    ):
        return Outcome("timeout", f"no answer from {host} within {timeout:g}s: {_short(exc)}")
    return Outcome("network", f"network error talking to {host}: {_short(exc)}")


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) < 300 else text[:297] + "..."


def _retry_after(value: Optional[str]) -> Optional[float]:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError, IndexError):
        return None


def _rate_limit_details(headers: Any) -> List[str]:
    out: List[str] = []
    limits = headers.get("X-Sentry-Rate-Limits")
    if limits:
        for entry in str(limits).split(","):
            fields = entry.strip().split(":")
            if not fields or not fields[0]:
                continue
            seconds = fields[0]
            categories = fields[1] if len(fields) > 1 and fields[1] else "all categories"
            scope = fields[2] if len(fields) > 2 and fields[2] else "?"
            reason = f", reason {fields[3]}" if len(fields) > 3 and fields[3] else ""
            out.append(f"{categories}: for {seconds}s (scope {scope}{reason})")
    retry = _retry_after(headers.get("Retry-After"))
    if retry is not None:
        out.append(f"Retry-After: {retry:g}s")
    return out


def _detail(body: bytes) -> str:
    try:
        data = json.loads(body)
        if isinstance(data, dict) and data.get("detail"):
            return str(data["detail"])
    except (ValueError, UnicodeDecodeError):
        pass
    text = body.decode("utf-8", "replace").strip()
    return text[:300]


def _classify_response(status: int, headers: Any, body: bytes, event_id: str, url: str) -> Outcome:
    if 200 <= status < 300:
        return Outcome(
            "delivered",
            f"event {event_id} accepted by {url} (HTTP {status})",
            event_id=event_id,
            status=status,
        )
    detail = _detail(body)
    if status == 429:
        details = _rate_limit_details(headers) or ["no Retry-After or X-Sentry-Rate-Limits given"]
        return Outcome(
            "rate_limited",
            f"HTTP 429 from {url}: {detail or 'rate limited'}",
            details,
            status=status,
        )
    if status in (401, 403):
        return Outcome(
            "auth",
            f"HTTP {status}: the server refused the DSN's key or project"
            + (f" ({detail})" if detail else ""),
            ["copy the DSN again from the project's Client Keys settings"],
            status=status,
        )
    if status in (400, 413, 415):
        return Outcome(
            "rejected",
            f"HTTP {status}: the server rejected the event" + (f" ({detail})" if detail else ""),
            status=status,
        )
    return Outcome(
        "http_error", f"HTTP {status} from {url}" + (f": {detail}" if detail else ""), status=status
    )


def send_test_event(
    dsn_text: str,
    *,
    message: str = "sentry-lite test event",
    timeout: float = 10.0,
    ca_certs: Optional[str] = None,
    proxy: Optional[str] = None,
) -> Outcome:
    try:
        dsn = Dsn(dsn_text)
    except BadDsn as exc:
        return Outcome("bad_dsn", str(exc))
    url = dsn.envelope_url
    event = _event(message)
    envelope = Envelope(headers={"event_id": event["event_id"], "dsn": str(dsn)})
    envelope.add_event(event)
    body = envelope.serialize()
    headers = {
        "Content-Type": "application/x-sentry-envelope",
        "X-Sentry-Auth": dsn.auth_header(USER_AGENT),
        "User-Agent": USER_AGENT,
    }
    proxy_url = _proxy_for(url, proxy)
    options: Dict[str, Any] = {
        "cert_reqs": "CERT_REQUIRED",
        "ca_certs": ca_certs or os.environ.get("SSL_CERT_FILE") or certifi.where(),
        "timeout": urllib3.Timeout(connect=timeout, read=timeout),
        "retries": False,
    }
    try:
        pool: urllib3.PoolManager = (
            urllib3.ProxyManager(proxy_url, **options)
            if proxy_url
            else urllib3.PoolManager(**options)
        )
        response = pool.request("POST", url, body=body, headers=headers, redirect=False)
    except Exception as exc:
        return _classify_error(exc, url, proxy_url, timeout)
    outcome = _classify_response(
        response.status, response.headers, response.data, event["event_id"], url
    )
    if proxy_url:
        outcome.details.append(f"sent through proxy {proxy_url}")
    return outcome
