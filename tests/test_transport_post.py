"""The minimal HTTP/1.1 reply reader behind the lean POST path."""

from __future__ import annotations

import contextlib
import socket
from typing import Iterator, Tuple

import pytest

from sentry_lite import shortcuts
from sentry_lite.transport.replies import NetworkError, ProtocolError, read_response


@pytest.fixture(autouse=True)
def _lean_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about the lean reader, even in a run with the shortcuts off."""
    monkeypatch.setattr(shortcuts, "enabled", True)


@pytest.fixture
def pair() -> Iterator[Tuple[socket.socket, socket.socket]]:
    a, b = socket.socketpair()
    a.settimeout(5)
    try:
        yield a, b
    finally:
        a.close()
        b.close()


def _reply(pair: Tuple[socket.socket, socket.socket], data: bytes, close: bool = False) -> None:
    pair[1].sendall(data)
    if close:
        pair[1].shutdown(socket.SHUT_WR)


def test_content_length_and_headers(pair: Tuple[socket.socket, socket.socket]) -> None:
    _reply(
        pair,
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Sentry-Rate-Limits: 60:error\r\n"
        b"X-Sentry-Rate-Limits: 5:transaction\r\n\r\n{}",
    )
    status, headers, keep = read_response(pair[0])
    assert status == 200 and keep
    assert headers["x-sentry-rate-limits"] == "60:error, 5:transaction"


def test_chunked_body_with_trailers(pair: Tuple[socket.socket, socket.socket]) -> None:
    _reply(
        pair,
        b"HTTP/1.1 429 Too Many\r\nTransfer-Encoding: chunked\r\nRetry-After: 7\r\n\r\n"
        b"4;ext=1\r\nabcd\r\n3\r\nefg\r\n0\r\nX-Trailer: 1\r\n\r\n",
    )
    status, headers, keep = read_response(pair[0])
    assert (status, headers["retry-after"], keep) == (429, "7", True)


def test_body_until_close_and_http_10(pair: Tuple[socket.socket, socket.socket]) -> None:
    _reply(pair, b"HTTP/1.0 500 Oops\r\n\r\nsomething broke", close=True)
    status, _, keep = read_response(pair[0])
    assert status == 500 and not keep


def test_connection_close_and_interim_reply(pair: Tuple[socket.socket, socket.socket]) -> None:
    _reply(
        pair,
        b"HTTP/1.1 100 Continue\r\n\r\n"
        b"HTTP/1.1 413 Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
    )
    status, _, keep = read_response(pair[0])
    assert status == 413 and not keep


@pytest.mark.parametrize(
    "data",
    [
        b"SSH-2.0-OpenSSH\r\n\r\n",
        b"HTTP/1.1 abc OK\r\n\r\n",
    ],
)
def test_malformed_replies(pair: Tuple[socket.socket, socket.socket], data: bytes) -> None:
    _reply(pair, data, close=True)
    with pytest.raises(ProtocolError):
        read_response(pair[0])


@pytest.mark.parametrize("shortcut", [True, False])
@pytest.mark.parametrize(
    "data",
    [
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ],
)
def test_a_broken_body_after_a_valid_head_keeps_the_status(
    pair: Tuple[socket.socket, socket.socket], data: bytes, shortcut: bool
) -> None:
    """Issue 16: the head decides; the connection is not reused (both parsers)."""
    _reply(pair, data, close=True)
    with shortcuts.disabled() if not shortcut else contextlib.nullcontext():
        status, _, keep = read_response(pair[0])
    assert status == 200 and not keep


def test_unreadable_content_length_reads_to_the_close(
    pair: Tuple[socket.socket, socket.socket],
) -> None:
    """As urllib3 (the general path): the length is ignored, the body ends with the close."""
    _reply(pair, b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\nbody", close=True)
    status, _, keep = read_response(pair[0])
    assert status == 200 and not keep


def test_closed_before_reply(pair: Tuple[socket.socket, socket.socket]) -> None:
    pair[1].shutdown(socket.SHUT_WR)
    with pytest.raises(NetworkError):
        read_response(pair[0])


def test_extra_bytes_disable_reuse(pair: Tuple[socket.socket, socket.socket]) -> None:
    _reply(pair, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}garbage")
    status, _, keep = read_response(pair[0])
    assert status == 200 and not keep
