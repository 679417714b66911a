"""The urllib3 connection pool: TLS trust, client certificates, proxies, TCP keep-alive.

Option and environment names follow sentry_sdk 2.x so existing configurations work:

* trust: ``ca_certs`` option, else ``SSL_CERT_FILE``, else ``REQUESTS_CA_BUNDLE``, else
  certifi's bundle. Verification is always on (``CERT_REQUIRED``).
* client certificate: ``cert_file``/``key_file`` options, else ``CLIENT_CERT_FILE``/
  ``CLIENT_KEY_FILE``.
* proxy: ``https_proxy`` (for an https DSN) then ``http_proxy``; an option set to ``""``
  means "no proxy"; when an option is unset the environment (``HTTPS_PROXY``,
  ``HTTP_PROXY``) is used unless ``NO_PROXY``/``no_proxy`` matches the DSN host.
  ``proxy_headers`` are sent to the proxy. ``socks5://`` needs PySocks.
"""

from __future__ import annotations

import os
import socket
import urllib.request
from typing import Any, Dict, List, Optional, Tuple, Union

import certifi
import urllib3

from sentry_lite.dsn import Dsn
from sentry_lite.limits import CONNECT_TIMEOUT, READ_TIMEOUT
from sentry_lite.sdk_loggers import internal_logger as logger

__all__ = ["CONNECT_TIMEOUT", "READ_TIMEOUT", "make_pool", "resolve_proxy"]

NUM_POOLS = 2

SocketOption = Tuple[int, int, Union[int, bytes]]


def _keep_alive_options() -> List[SocketOption]:
    wanted = [
        ("SOL_SOCKET", "SO_KEEPALIVE", 1),
        ("SOL_TCP", "TCP_KEEPIDLE", 45),
        ("SOL_TCP", "TCP_KEEPINTVL", 10),
        ("SOL_TCP", "TCP_KEEPCNT", 6),
    ]
    out: List[SocketOption] = []
    for level, name, value in wanted:
        lvl = getattr(socket, level, None)
        opt = getattr(socket, name, None)
        if lvl is not None and opt is not None:
            out.append((lvl, opt, value))
    return out


KEEP_ALIVE_SOCKET_OPTIONS = _keep_alive_options()
"""TCP keep-alive probes (45 s idle, every 10 s, 6 tries) added by ``keep_alive=True``."""


def _env_proxy(scheme: str, host: str) -> Optional[str]:
    proxies = urllib.request.getproxies_environment()
    if not proxies.get(scheme):
        return None
    # proxy_bypass_environment understands NO_PROXY lists, suffixes, "*" and host:port.
    if urllib.request.proxy_bypass_environment(host, proxies):  # type: ignore[attr-defined]
        return None
    return proxies.get(scheme)


def resolve_proxy(options: Dict[str, Any], dsn: Dsn) -> Optional[str]:
    """The proxy URL to use for ``dsn``, or None for a direct connection."""
    proxy: Optional[str] = None
    https_proxy = options.get("https_proxy")
    if dsn.scheme == "https" and https_proxy != "":
        proxy = https_proxy or _env_proxy("https", dsn.host)
    http_proxy = options.get("http_proxy")
    if not proxy and http_proxy != "":
        proxy = http_proxy or _env_proxy("http", dsn.host)
    return proxy or None


def _socket_options(options: Dict[str, Any]) -> Optional[List[SocketOption]]:
    given = options.get("socket_options")
    result: Optional[List[SocketOption]] = list(given) if given is not None else None
    if options.get("keep_alive"):
        result = result or []
        used = {(o[0], o[1]) for o in result}
        result.extend(o for o in KEEP_ALIVE_SOCKET_OPTIONS if (o[0], o[1]) not in used)
    if result is not None:
        from urllib3.connection import HTTPConnection

        # Keep urllib3's default (TCP_NODELAY) unless the user replaced it.
        used = {(o[0], o[1]) for o in result}
        for opt in HTTPConnection.default_socket_options:
            if (opt[0], opt[1]) not in used:
                result.insert(0, opt)
    return result


def pool_options(options: Dict[str, Any], maxsize: int = 1) -> Dict[str, Any]:
    opts: Dict[str, Any] = {
        "num_pools": NUM_POOLS,
        "maxsize": max(1, maxsize),
        "cert_reqs": "CERT_REQUIRED",
        "ca_certs": options.get("ca_certs")
        or os.environ.get("SSL_CERT_FILE")
        or os.environ.get("REQUESTS_CA_BUNDLE")
        or certifi.where(),
        "cert_file": options.get("cert_file") or os.environ.get("CLIENT_CERT_FILE"),
        "key_file": options.get("key_file") or os.environ.get("CLIENT_KEY_FILE"),
        "timeout": urllib3.Timeout(connect=CONNECT_TIMEOUT, read=READ_TIMEOUT),
        "retries": False,
    }
    socket_options = _socket_options(options)
    if socket_options is not None:
        opts["socket_options"] = socket_options
    return opts


def make_pool(options: Dict[str, Any], dsn: Dsn, maxsize: int = 1) -> urllib3.PoolManager:
    """A pool manager for ``dsn`` honouring every TLS and proxy option."""
    opts = pool_options(options, maxsize)
    proxy = resolve_proxy(options, dsn)
    if not proxy:
        return urllib3.PoolManager(**opts)
    headers = options.get("proxy_headers")
    if headers:
        opts["proxy_headers"] = dict(headers)
    if proxy.startswith("socks"):
        try:
            from urllib3.contrib.socks import SOCKSProxyManager
        except ImportError:
            logger.warning(
                "sentry_lite: SOCKS proxy %s needs PySocks (pip install urllib3[socks]); "
                "connecting directly",
                proxy,
            )
            opts.pop("proxy_headers", None)
            return urllib3.PoolManager(**opts)
        return SOCKSProxyManager(proxy, **opts)
    return urllib3.ProxyManager(proxy, **opts)
