"""StdlibIntegration: http.client spans, breadcrumbs and trace headers; subprocess spans."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any, Callable, Iterator

import pytest

import sentry_lite
from tests.httpserver import HeaderServer
from tests.receiver import Receiver

Init = Callable[..., Any]


@pytest.fixture
def server() -> Iterator[HeaderServer]:
    s = HeaderServer()
    try:
        yield s
    finally:
        s.close()


def test_http_client_span_breadcrumb_and_headers(
    sentry_init: Init, receiver: Receiver, server: HeaderServer
) -> None:
    sentry_init(traces_sample_rate=1.0, send_default_pii=True)
    with sentry_lite.start_transaction(name="t") as txn:
        assert server.get("/404?q=1#frag") == 404
    sentry_lite.capture_message("after")
    sentry_lite.flush(5)
    (event,) = receiver.transactions
    (span,) = event["spans"]
    url = f"http://127.0.0.1:{server.port}/404"
    assert span["op"] == "http.client" and span["description"] == f"GET {url}"
    assert span["origin"] == "auto.http.stdlib.httplib"
    assert span["status"] == "not_found"
    data = span["data"]
    assert data["http.method"] == "GET" and data["url"] == url
    assert data["http.query"] == "q=1" and data["http.response.status_code"] == 404
    assert data["reason"] == "Not Found"
    headers = server.headers[0]
    assert headers["sentry-trace"] == f"{txn.trace_id}-{span['span_id']}-1"
    assert f"sentry-trace_id={txn.trace_id}" in headers["baggage"]
    (crumb,) = receiver.events[0]["breadcrumbs"]["values"]
    assert crumb["category"] == "httplib" and crumb["type"] == "http"
    assert crumb["level"] == "warning"
    assert crumb["data"]["http.response.status_code"] == 404 and crumb["data"]["url"] == url


def test_a_getresponse_call_refused_for_its_arguments_leaves_the_span_to_the_next(
    sentry_init: Init, receiver: Receiver, server: HeaderServer
) -> None:
    """urllib3 1.26 calls ``getresponse(buffering=True)`` first (Python 2's signature),
    then again without arguments on the TypeError."""
    import http.client

    sentry_init(traces_sample_rate=1.0)
    with sentry_lite.start_transaction(name="t"):
        conn = http.client.HTTPConnection("127.0.0.1", server.port)
        conn.request("GET", "/404")
        with pytest.raises(TypeError):
            conn.getresponse(buffering=True)  # type: ignore[call-arg]
        conn.getresponse().read()
        conn.close()
    sentry_lite.capture_message("after")
    sentry_lite.flush(5)
    (span,) = receiver.transactions[0]["spans"]
    assert span["status"] == "not_found" and span["data"]["http.response.status_code"] == 404
    (crumb,) = receiver.events[0]["breadcrumbs"]["values"]
    assert crumb["data"]["http.response.status_code"] == 404


def test_headers_without_a_transaction(
    sentry_init: Init, receiver: Receiver, server: HeaderServer
) -> None:
    sentry_init()
    server.get("/200")
    context = sentry_lite.get_isolation_scope().get_propagation_context()
    assert server.headers[0]["sentry-trace"] == f"{context.trace_id}-{context.span_id}"


def test_targets_limit_outgoing_headers(sentry_init: Init, server: HeaderServer) -> None:
    sentry_init(traces_sample_rate=1.0, trace_propagation_targets=["example.com"])
    with sentry_lite.start_transaction(name="t"):
        server.get("/200")
    assert "sentry-trace" not in server.headers[0] and "baggage" not in server.headers[0]


def test_own_ingest_is_not_traced(sentry_init: Init, receiver: Receiver) -> None:
    sentry_init(traces_sample_rate=1.0)
    with sentry_lite.start_transaction(name="t"):
        sentry_lite.capture_message("sent from inside a transaction")
        sentry_lite.flush(5)
    sentry_lite.flush(5)
    (txn,) = receiver.transactions
    assert txn["spans"] == []
    assert all("sentry-trace" not in r.headers for r in receiver.requests)


def test_subprocess_spans_and_env(sentry_init: Init, receiver: Receiver) -> None:
    sentry_init(traces_sample_rate=1.0)
    code = "import os; print(os.environ.get('SUBPROCESS_SENTRY_TRACE', ''))"
    with sentry_lite.start_transaction(name="t") as txn:
        out = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            cwd=os.getcwd(),
            check=True,
        )
    sentry_lite.flush(5)
    (event,) = receiver.transactions
    ops = [s["op"] for s in event["spans"]]
    assert ops.count("subprocess") == 1 and "subprocess.communicate" in ops
    popen = next(s for s in event["spans"] if s["op"] == "subprocess")
    assert popen["description"].startswith(sys.executable)
    assert popen["origin"] == "auto.subprocess.stdlib.subprocess"
    assert popen["tags"]["subprocess.pid"]
    assert popen["data"]["subprocess.cwd"] == os.getcwd()
    assert out.stdout.strip() == f"{txn.trace_id}-{popen['span_id']}-1"


def test_subprocess_failure_still_raises(sentry_init: Init) -> None:
    sentry_init(traces_sample_rate=1.0)
    with sentry_lite.start_transaction(name="t"), pytest.raises(FileNotFoundError):
        subprocess.Popen(["/nonexistent/binary"])


def test_http_client_is_patched_when_the_app_imports_it_after_init(receiver: Receiver) -> None:
    """init does not import http.client (ssl, email) itself; the patch follows the import."""
    code = (
        "import sys, sentry_lite\n"
        f"sentry_lite.init(dsn={receiver.dsn()!r}, traces_sample_rate=1.0)\n"
        "assert 'http.client' not in sys.modules, 'imported at init'\n"
        "import http.client\n"
        "print(http.client.HTTPConnection.putrequest.__module__)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip() == "sentry_lite.integrations.stdlib"


# -- span streaming (trace_lifecycle="stream") -----------------------------------------------


def _streamed_spans(receiver: Receiver) -> Any:
    return [span for item in receiver.items("span") for span in item.get_json()["items"]]


@pytest.mark.parametrize("pii", [False, True])
def test_streaming_names_on_span_and_breadcrumb(
    sentry_init: Init, receiver: Receiver, server: HeaderServer, pii: bool
) -> None:
    """sentry_sdk 2.75 in streaming mode: ``http.request.method`` and, only where the
    privacy settings allow the URL, ``url.full``/``url.query``/``url.fragment``; the
    legacy ``http.method``/``http.query``/``url`` keys are not sent. The request source
    uses ``code.line.number``/``code.file.path``."""
    sentry_init(
        traces_sample_rate=1.0,
        trace_lifecycle="stream",
        send_default_pii=pii,
        http_request_source_threshold_ms=0,
    )
    with sentry_lite.traces.start_span(name="job"):
        assert server.get("/200?q=1#frag") == 200
        sentry_lite.capture_message("after")
    sentry_lite.flush(5)
    url = f"http://127.0.0.1:{server.port}/200"
    (crumb,) = receiver.events[0]["breadcrumbs"]["values"]
    (span,) = [s for s in _streamed_spans(receiver) if s["name"] == f"GET {url}"]
    attributes = {k: v["value"] for k, v in span["attributes"].items()}
    expected_url = {"url.full": url + "?q=1#frag", "url.query": "q=1", "url.fragment": "frag"}
    for data in (crumb["data"], attributes):
        assert data["http.request.method"] == "GET"
        assert not {"http.method", "http.query", "http.fragment", "url"} & set(data)
        assert {k: data[k] for k in expected_url if k in data} == (expected_url if pii else {})
    assert crumb["data"]["http.response.status_code"] == 200
    assert attributes["http.response.status_code"] == 200
    assert isinstance(attributes["code.line.number"], int)
    assert attributes["code.file.path"].endswith("httpserver.py")  # the calling frame
    assert "code.lineno" not in attributes
