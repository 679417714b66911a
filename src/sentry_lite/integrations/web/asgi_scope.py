"""What the SDK reads from an ASGI connection scope: headers, client address, URL, and one
pass over the raw headers for the body length and the trace headers."""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

__all__ = ["BODY_METHODS", "client_ip", "content_length", "headers_of", "request_url", "scan"]

AsgiScope = Dict[str, Any]

_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
_TRACE_HEADERS = {
    b"sentry-trace": "sentry-trace",
    b"baggage": "baggage",
    b"traceparent": "traceparent",
}


def headers_of(scope: AsgiScope) -> Dict[str, str]:
    headers: Dict[str, str] = {}
    for raw_key, raw_value in scope.get("headers") or ():
        key = raw_key.decode("latin-1")
        value = raw_value.decode("latin-1")
        headers[key] = headers[key] + ", " + value if key in headers else value
    return headers


def content_length(headers: Dict[str, str]) -> int:
    try:
        return int(headers.get("content-length") or 0)
    except ValueError:
        return 0


def client_ip(scope: AsgiScope, headers: Dict[str, str]) -> Optional[str]:
    forwarded = headers.get("x-forwarded-for")
    if forwarded:
        return forwarded.split(",")[0].strip()
    real = headers.get("x-real-ip")
    if real:
        return real
    client = scope.get("client")
    return client[0] if client else None


def request_url(scope: AsgiScope, host: Optional[str], path: Optional[str] = None) -> str:
    """The request URL without query string (scheme://host/path, or just the path)."""
    if path is None:
        path = str(scope.get("root_path", "")) + str(scope.get("path", ""))
    ty = scope.get("type")
    scheme = scope.get("scheme", "http" if ty == "http" else "ws")
    if host:
        return f"{scheme}://{host}{path}"
    server = scope.get("server")
    if server:
        server_host, port = server[0], server[1]
        if port != _DEFAULT_PORTS.get(scheme):
            return f"{scheme}://{server_host}:{port}{path}"
        return f"{scheme}://{server_host}{path}"
    return path


BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
"""Methods whose request body is worth recording."""
_SCANNED = frozenset({b"content-length", b"transfer-encoding", *_TRACE_HEADERS})


def scan(scope: AsgiScope, want_body: bool) -> Tuple[int, Optional[Dict[str, str]]]:
    """One pass over the raw headers: (body length, -1 if chunked; trace headers or None)."""
    length = 0
    trace: Optional[Dict[str, str]] = None
    for key, value in scope.get("headers") or ():
        if key not in _SCANNED:
            continue
        name = _TRACE_HEADERS.get(key)
        if name is not None:
            if trace is None:
                trace = {}
            trace[name] = value.decode("latin-1")
        elif want_body:
            if key == b"transfer-encoding":
                length = -1
            else:
                try:
                    length = int(value)
                except ValueError:
                    length = -1
    return length, trace
