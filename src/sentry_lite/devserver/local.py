"""Finding a running receiver, or starting one in this process: what ``tail`` and
``run`` do first."""

from __future__ import annotations

import http.client
from typing import Any, Callable, Optional, Tuple
from urllib.parse import urlsplit

from sentry_lite.devserver.server import DevServer
from sentry_lite.devserver.store import Received

__all__ = ["PROBE_TIMEOUT", "ensure_receiver", "probe", "split_url"]

PROBE_TIMEOUT = 2.0
"""Seconds to wait for a receiver's health answer on this machine."""


def split_url(url: str) -> Tuple[str, int]:
    """``(host, port)`` of an ``http://host:port`` URL; raises ValueError otherwise."""
    parts = urlsplit(url if "://" in url else "http://" + url)
    if parts.scheme != "http" or not parts.hostname:
        raise ValueError(f"{url!r} is not an http://host:port URL")
    try:
        port = parts.port or 80
    except ValueError:
        raise ValueError(f"{url!r} has no valid port") from None
    return parts.hostname, port


def probe(host: str, port: int) -> str:
    """ "ours" (a sentry-lite receiver answers), "other" (something else), or "none"."""
    conn = http.client.HTTPConnection(host, port, timeout=PROBE_TIMEOUT)
    try:
        conn.request("GET", "/health")
        response = conn.getresponse()
        response.read()
        return "ours" if response.getheader("X-Sentry-Lite") else "other"
    except ConnectionRefusedError:
        return "none"
    except OSError:
        return "other"
    finally:
        conn.close()


def ensure_receiver(
    url: str,
    on_item: Optional[Callable[[Received, str], None]] = None,
    start: bool = True,
    **options: Any,
) -> Tuple[str, Optional[DevServer]]:
    """The base URL of a receiver to use, and the server if this call started one.

    Raises ConnectionError when none runs and ``start`` is False, OSError when one
    cannot be started.
    """
    host, port = split_url(url)
    state = probe(host, port)
    if state == "ours":
        return f"http://{host}:{port}", None
    if not start:
        raise ConnectionError(f"no sentry-lite receiver at {url}")
    bind_port = port if state == "none" else 0  # the port is taken by something else
    server = DevServer(host, bind_port, on_item=on_item, **options).start()
    return server.url, server
