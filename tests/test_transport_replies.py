"""Differential: the lean HTTP reply reader gives what urllib3's general handling gives.

The same varied and hostile replies (odd status lines, repeated and malformed headers,
``Retry-After`` and ``X-Sentry-Rate-Limits`` in many spellings, chunked bodies, wrong
lengths, connections closed early) go through the lean path (``sentry_lite.shortcuts``
on) and the general one (off); status, rate-limit headers and the delivery outcome must
be identical.
"""

from __future__ import annotations

import socket
from contextlib import contextmanager
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sentry_lite import shortcuts
from sentry_lite.dsn import Dsn
from sentry_lite.transport.exchange import Exchange
from sentry_lite.transport.ratelimits import RateLimits
from sentry_lite.transport.replies import NetworkError, read_response
from tests.raw_ingest import RawIngest, read_request

CRLF = b"\r\n"

status_lines = st.one_of(
    st.builds(
        lambda version, code, reason: b"%s %d%s" % (version, code, reason),
        st.sampled_from([b"HTTP/1.1", b"HTTP/1.0", b"HTTP/1.2", b"HTTP/2", b"http/1.1"]),
        st.sampled_from([200, 201, 202, 204, 304, 400, 403, 408, 413, 429, 500, 503, 103]),
        st.sampled_from([b" OK", b"", b" ", b" Too Many Requests", b" r\xe9ason", b"\tX"]),
    ),
    st.sampled_from(
        [
            b"HTTP/1.1  200 OK",
            b"HTTP/1.1 2OO OK",
            b"HTTP/1.1 +20 OK",
            b"HTTP/1.1 099 Low",
            b"HTTP/1.1 1000 High",
            b"HTTP/1.1 200 O\rK",
            b"SSH-2.0-OpenSSH",
            b"",
        ]
    ),
)

rate_limit_values = st.sampled_from(
    [
        "60:error:organization",
        "5:transaction;span:key, 10::organization",
        " 60:error ",
        "",
        "x:y:z",
        "2700:metric_bucket:organization:quota_exceeded:custom",
        "60:error, 30:transaction",
    ]
)
retry_after_values = st.sampled_from(
    ["7", "  7", "7 ", "0", "-1", "abc", "Wed, 21 Oct 2015 07:28:00 GMT", "1.5"]
)
header_names = st.sampled_from(
    [
        b"X-Sentry-Rate-Limits",
        b"x-sentry-rate-limits",
        b"Retry-After",
        b"RETRY-AFTER",
        b"Connection",
        b"Content-Type",
        b"Server",
        b"X-Other",
    ]
)
headers = st.one_of(
    st.builds(lambda v: b"X-Sentry-Rate-Limits: " + v.encode(), rate_limit_values),
    st.builds(lambda v: b"Retry-After:" + v.encode(), retry_after_values),
    st.builds(
        lambda n, v: n + b": " + v,
        header_names,
        st.sampled_from([b"close", b"keep-alive", b"x", b"", b" \t padded \t", b"\xff\x80"]),
    ),
    st.sampled_from(
        [
            b"NoColon",
            b" folded continuation",
            b"\tfolded: too",
            b"Name : value",
            b":empty name",
            b"Na me: v",
            b"Content-Encoding: gzip",
            b"Content-Encoding: identity",
            b"Transfer-Encoding: gzip, chunked",
            b"Transfer-Encoding: chunked ",
        ]
    ),
)

bodies = st.sampled_from([b"", b"{}", b'{"id":"abc"}', b"x" * 300, b"line\r\nbreaks\n"])


@st.composite
def replies(draw: Any) -> bytes:
    parts: List[bytes] = []
    if draw(st.integers(0, 9)) == 0:
        parts.append(b"HTTP/1.1 100 Continue" + CRLF + CRLF)
    lines = [draw(status_lines), *draw(st.lists(headers, max_size=6))]
    body = draw(bodies)
    framing = draw(st.sampled_from(["length", "chunked", "none", "bad-length", "both"]))
    if framing == "length":
        lines.append(b"Content-Length: %d" % len(body))
    elif framing == "bad-length":
        lines.append(
            b"Content-Length: "
            + draw(st.sampled_from([b"x", b"-1", b"5, 5", b"+2", b" 2", b"99", b"0", b"2, 3"]))
        )
    elif framing in ("chunked", "both"):
        spellings = [b"Transfer-Encoding: chunked", b"transfer-encoding: Chunked"]
        lines.append(draw(st.sampled_from(spellings)))
        if framing == "both":
            lines.append(b"Content-Length: %d" % len(body))
        size = draw(st.sampled_from([b"%x", b"%X", b"%x;ext=1", b" %x", b"0x%x", b"%x "]))
        chunks = (size % len(body) + CRLF + body + CRLF) if body else b""
        endings = [b"0\r\n\r\n", b"0\r\nX-Trailer: 1\r\n\r\n", b"0\r\n", b"0\n\n", b""]
        ending = draw(st.sampled_from(endings))
        body = chunks + ending
    newline = draw(st.sampled_from([CRLF, CRLF, CRLF, b"\n"]))
    reply = b"".join(parts) + newline.join(lines) + newline + newline + body
    if draw(st.booleans()):
        reply += draw(st.sampled_from([b"trailing garbage", b"HTTP/1.1 200 OK\r\n\r\n"]))
    if draw(st.integers(0, 4)) == 0:
        reply = reply[: draw(st.integers(0, len(reply)))]  # the server closes early
    return reply


@contextmanager
def _lean() -> Iterator[None]:
    """The lean path, even in a run with ``SENTRY_LITE_SHORTCUTS=0``."""
    before = shortcuts.enabled
    shortcuts.set_enabled(True)
    try:
        yield
    finally:
        shortcuts.set_enabled(before)


def _outcome(read: Any) -> Tuple[Any, ...]:
    try:
        status, reply_headers = read()
    except Exception:  # as Exchange.deliver: any failure to talk is a network error
        return ("error",)
    get = reply_headers.get
    limits = RateLimits()
    limits.update(status, reply_headers)
    return (
        status,
        200 <= status < 300,
        get("x-sentry-rate-limits"),
        get("retry-after"),
        sorted(c for c in ("error", "transaction", "span", "default") if limits.is_limited(c)),
    )


# -- the reader alone, over a socket pair --------------------------------------------------
def _read_pair(reply: bytes) -> Tuple[int, Dict[str, str]]:
    a, b = socket.socketpair()
    try:
        a.settimeout(5)
        b.sendall(reply)
        b.shutdown(socket.SHUT_WR)
        status, reply_headers, _ = read_response(a)
        return status, reply_headers
    finally:
        a.close()
        b.close()


@settings(max_examples=600, deadline=None)
@given(replies())
def test_lean_reader_matches_the_general_parser(reply: bytes) -> None:
    with _lean():
        lean = _outcome(lambda: _read_pair(reply))
    with shortcuts.disabled():
        general = _outcome(lambda: _read_pair(reply))
    assert lean == general, reply


@settings(max_examples=300, deadline=None)
@given(replies())
def test_lean_reader_returns_the_same_headers(reply: bytes) -> None:
    def read() -> Optional[Dict[str, str]]:
        try:
            return _read_pair(reply)[1]
        except (NetworkError, OSError):
            return None

    with _lean():
        lean = read()
    with shortcuts.disabled():
        general = read()
    assert lean == general, reply


# -- the whole exchange against urllib3's urlopen, over TCP -------------------------------
class ReplyIngest(RawIngest):
    """Reads each request in full, answers with ``reply`` verbatim, then closes."""

    def __init__(self) -> None:
        self.reply = b""
        super().__init__()

    def handle(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.settimeout(5)
                if read_request(conn) is None:
                    return
                conn.sendall(self.reply)
                conn.shutdown(socket.SHUT_WR)
            except OSError:
                pass


@pytest.fixture(scope="module")
def ingest() -> Iterator[ReplyIngest]:
    server = ReplyIngest()
    try:
        yield server
    finally:
        server.close()


def _post(port: int) -> Tuple[int, Any]:
    dsn = Dsn(f"http://public@127.0.0.1:{port}/1")
    exchange = Exchange({"dsn": dsn}, dsn, RateLimits(), 1)  # a fresh connection each time
    body = b'{}\n{"type":"event","length":2}\n{}\n'
    return exchange._request(body, dict(exchange._headers))


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(replies())
def test_lean_post_matches_urlopen(ingest: ReplyIngest, reply: bytes) -> None:
    ingest.reply = reply
    with _lean():
        lean = _outcome(lambda: _post(ingest.port))
    with shortcuts.disabled():
        general = _outcome(lambda: _post(ingest.port))
    assert lean == general, reply


def test_the_switch_routes_around_the_lean_path(
    ingest: ReplyIngest, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shortcuts, "enabled", True)
    ingest.reply = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
    dsn = Dsn(f"http://public@127.0.0.1:{ingest.port}/1")
    exchange = Exchange({"dsn": dsn}, dsn, RateLimits(), 1)
    with shortcuts.disabled():
        assert exchange._request(b"", dict(exchange._headers))[0] == 200
    assert exchange.fast is None
    assert exchange._request(b"", dict(exchange._headers))[0] == 200
    assert exchange.fast is not None
