"""TLS trust, client certificates and proxies, against real servers on 127.0.0.1."""

from __future__ import annotations

import ssl
from typing import Any, Iterator, List, Tuple

import pytest

from sentry_lite.dsn import Dsn
from sentry_lite.transport import HttpTransport
from sentry_lite.transport.pool import resolve_proxy
from tests.proxy import Proxy
from tests.receiver import Receiver, event_envelope, messages

PROXY_ENV = ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*PROXY_ENV, "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def tls_receiver(tmp_path: Any) -> Iterator[Tuple[Receiver, str]]:
    receiver, ca_path = Receiver.self_signed(str(tmp_path))
    try:
        yield receiver, ca_path
    finally:
        receiver.close()


@pytest.fixture
def proxy() -> Iterator[Proxy]:
    p = Proxy()
    try:
        yield p
    finally:
        p.close()


@pytest.fixture
def transports() -> Iterator[List[HttpTransport]]:
    made: List[HttpTransport] = []
    yield made
    for transport in made:
        transport.kill()


def _send(made: List[HttpTransport], **options: Any) -> HttpTransport:
    transport = HttpTransport(options)
    made.append(transport)
    transport.capture_envelope(event_envelope("hello"))
    transport.flush(5)
    return transport


# -- TLS ------------------------------------------------------------------------------------
def test_self_signed_certificate_is_rejected_by_default(
    tls_receiver: Tuple[Receiver, str], transports: List[HttpTransport]
) -> None:
    receiver, _ = tls_receiver
    transport = _send(transports, dsn=receiver.dsn())
    assert receiver.requests == []
    assert transport.losses.totals[("error", "network_error")] == 1


def test_ca_certs_option_trusts_the_certificate(
    tls_receiver: Tuple[Receiver, str], transports: List[HttpTransport]
) -> None:
    receiver, ca_path = tls_receiver
    _send(transports, dsn=receiver.dsn(), ca_certs=ca_path)
    assert messages(receiver) == ["hello"]


@pytest.mark.parametrize("variable", ["SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"])
def test_ca_bundle_from_environment(
    tls_receiver: Tuple[Receiver, str],
    transports: List[HttpTransport],
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
) -> None:
    receiver, ca_path = tls_receiver
    monkeypatch.setenv(variable, ca_path)
    _send(transports, dsn=receiver.dsn())
    assert messages(receiver) == ["hello"]


def test_client_certificate(tmp_path: Any, transports: List[HttpTransport]) -> None:
    import trustme

    ca = trustme.CA()
    server_cert = ca.issue_cert("localhost")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_cert.configure_cert(context)
    context.verify_mode = ssl.CERT_REQUIRED
    ca.configure_trust(context)
    receiver = Receiver(tls_context=context)
    try:
        ca_path = str(tmp_path / "ca.pem")
        ca.cert_pem.write_to_path(ca_path)
        client = ca.issue_cert("client@example.com")
        cert_path, key_path = str(tmp_path / "client.pem"), str(tmp_path / "client.key")
        client.cert_chain_pems[0].write_to_path(cert_path)
        client.private_key_pem.write_to_path(key_path)
        without = _send(transports, dsn=receiver.dsn(), ca_certs=ca_path)
        assert without.losses.totals[("error", "network_error")] == 1
        _send(
            transports, dsn=receiver.dsn(), ca_certs=ca_path, cert_file=cert_path, key_file=key_path
        )
        assert messages(receiver) == ["hello"]
    finally:
        receiver.close()


# -- proxies --------------------------------------------------------------------------------
def test_http_proxy_option_with_proxy_headers(
    receiver: Receiver, proxy: Proxy, transports: List[HttpTransport]
) -> None:
    _send(
        transports,
        dsn=receiver.dsn(),
        http_proxy=proxy.url,
        proxy_headers={"Proxy-Authorization": "Basic dXNlcjpwYXNz"},
    )
    assert messages(receiver) == ["hello"]
    (request,) = proxy.requests
    assert request.method == "POST"
    assert request.target == f"http://127.0.0.1:{receiver.port}/api/42/envelope/"
    assert request.headers["proxy-authorization"] == "Basic dXNlcjpwYXNz"


def test_https_through_proxy_uses_connect(
    tls_receiver: Tuple[Receiver, str], proxy: Proxy, transports: List[HttpTransport]
) -> None:
    receiver, ca_path = tls_receiver
    _send(transports, dsn=receiver.dsn(), https_proxy=proxy.url, ca_certs=ca_path)
    assert messages(receiver) == ["hello"]
    assert [r.method for r in proxy.requests] == ["CONNECT"]
    assert proxy.requests[0].target == f"localhost:{receiver.port}"


def test_proxy_from_environment(
    receiver: Receiver,
    proxy: Proxy,
    transports: List[HttpTransport],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    _send(transports, dsn=receiver.dsn())
    assert messages(receiver) == ["hello"]
    assert len(proxy.requests) == 1


@pytest.mark.parametrize("no_proxy", ["127.0.0.1", "localhost,127.0.0.1", "*", ".0.0.1"])
def test_no_proxy_is_honoured(
    receiver: Receiver,
    proxy: Proxy,
    transports: List[HttpTransport],
    monkeypatch: pytest.MonkeyPatch,
    no_proxy: str,
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", no_proxy)
    _send(transports, dsn=receiver.dsn())
    assert messages(receiver) == ["hello"]
    assert proxy.requests == []


def test_empty_option_disables_the_environment_proxy(
    receiver: Receiver,
    proxy: Proxy,
    transports: List[HttpTransport],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    _send(transports, dsn=receiver.dsn(), http_proxy="")
    assert messages(receiver) == ["hello"]
    assert proxy.requests == []


def test_proxy_resolution_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    https = Dsn("https://k@sentry.example.com/1")
    http = Dsn("http://k@sentry.example.com/1")
    assert resolve_proxy({}, https) is None
    assert resolve_proxy({"https_proxy": "http://p:1"}, https) == "http://p:1"
    assert resolve_proxy({"https_proxy": "http://p:1"}, http) is None
    assert resolve_proxy({"http_proxy": "http://p:2"}, https) == "http://p:2"
    monkeypatch.setenv("HTTPS_PROXY", "http://env:3")
    assert resolve_proxy({}, https) == "http://env:3"
    monkeypatch.setenv("NO_PROXY", "example.com")
    assert resolve_proxy({}, https) is None
    # An explicit option is used even for a no_proxy host (as sentry_sdk does).
    assert resolve_proxy({"https_proxy": "http://p:1"}, https) == "http://p:1"


def test_keep_alive_and_socket_options(receiver: Receiver, transports: List[HttpTransport]) -> None:
    import socket

    from sentry_lite.transport.pool import pool_options

    opts = pool_options({"keep_alive": True})
    assert (socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1) in opts["socket_options"]
    assert (socket.IPPROTO_TCP, socket.TCP_NODELAY, 1) in opts["socket_options"]
    assert "socket_options" not in pool_options({})
    _send(transports, dsn=receiver.dsn(), keep_alive=True)
    assert messages(receiver) == ["hello"]


def test_a_batch_goes_back_to_back_over_tls(
    tls_receiver: Tuple[Receiver, str],
    transports: List[HttpTransport],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sentry_lite import shortcuts
    from sentry_lite.transport.pipelined import Pipeliner

    monkeypatch.setattr(shortcuts, "enabled", True)  # pipelines ride the lean path only
    answered: List[int] = []
    post = Pipeliner.post

    def counting(self: Pipeliner, fast: Any, requests: Any) -> Any:
        replies = post(self, fast, requests)
        answered.append(len(replies))
        return replies

    monkeypatch.setattr(Pipeliner, "post", counting)
    receiver, ca_path = tls_receiver
    transport = _send(transports, dsn=receiver.dsn(), ca_certs=ca_path)  # the first batch
    for index in range(20):
        transport.capture_envelope(event_envelope(f"m{index}"))
    transport.flush(10)
    assert sorted(messages(receiver)) == sorted(["hello", *(f"m{i}" for i in range(20))])
    # Each batch's first goes alone (it proves the connection); most of the rest did not.
    assert sum(answered) >= 10
