"""Standard library: ``http.client`` requests and ``subprocess`` calls as spans.

An outgoing HTTP request becomes an ``http.client`` span and an ``httplib`` breadcrumb,
and carries ``sentry-trace``/``baggage`` when its URL matches ``trace_propagation_targets``.
Requests to our own ingest are left alone. In streaming mode (``trace_lifecycle="stream"``)
span and breadcrumb take sentry_sdk's OTel names (``http.request.method``, ``url.full``,
``url.query`` and ``url.fragment`` only as ``send_default_pii``/``data_collection`` allow)
and the span is made only under a running one. ``subprocess.Popen`` gets a ``subprocess``
span and passes the trace on in ``SUBPROCESS_SENTRY_TRACE``/``SUBPROCESS_BAGGAGE``
environment variables; ``wait``/``communicate`` get spans of their own.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Tuple

from sentry_lite.integration_api import (
    Scope,
    StreamedSpanView,
    active_integration,
    active_span,
    add_http_request_source,
    child_span,
    iter_trace_propagation_headers,
    outgoing_url_attributes,
    should_propagate_trace,
    span_streaming_enabled,
    start_detached_streamed_span,
    start_span,
    streamed_span_of,
)
from sentry_lite.integrations import Integration, when_imported
from sentry_lite.integrations.http_client import add_http_breadcrumb, split_url
from sentry_lite.integrations.stdlib_aws import defer_headers, install_aws_connections
from sentry_lite.limits import MAX_SUBPROCESS_ARGS_IN_DESCRIPTION

if TYPE_CHECKING:
    import subprocess
    from http.client import HTTPConnection, HTTPResponse

__all__ = ["StdlibIntegration", "get_subprocess_traceparent_headers"]

HTTP_ORIGIN = "auto.http.stdlib.httplib"
SUBPROCESS_ORIGIN = "auto.subprocess.stdlib.subprocess"


class StdlibIntegration(Integration):
    identifier = "stdlib"

    @staticmethod
    def setup_once() -> None:
        # Patched when the app (or urllib3) imports them: importing http.client here
        # would add ssl and email to every start-up.
        when_imported("http.client", _install_httplib)
        when_imported("subprocess", _install_subprocess)
        when_imported("botocore.awsrequest", install_aws_connections)  # see stdlib_aws


def _enabled() -> bool:
    return active_integration(StdlibIntegration.identifier) is not None


# -- http.client ------------------------------------------------------------------------


def _install_httplib() -> None:
    from http.client import HTTPConnection, HTTPResponse

    real_putrequest = HTTPConnection.putrequest
    real_getresponse = HTTPConnection.getresponse
    real_read = HTTPResponse.read
    real_close = HTTPResponse.close

    def putrequest(self: HTTPConnection, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        if not _enabled():
            return real_putrequest(self, method, url, *args, **kwargs)
        try:
            state = _start_request(self, method, url)
        except Exception:  # the request must go out regardless
            state = None
        rv = real_putrequest(self, method, url, *args, **kwargs)
        if state is not None:
            span, crumb, headers = state
            try:
                if not defer_headers(self, headers):
                    for name, value in headers:
                        self.putheader(name, value)
            except Exception:
                pass
            self._sentry_lite_span = span  # type: ignore[attr-defined]
            self._sentry_lite_crumb = crumb  # type: ignore[attr-defined]
        return rv

    def getresponse(self: HTTPConnection, *args: Any, **kwargs: Any) -> Any:
        span = getattr(self, "_sentry_lite_span", None)
        crumb = getattr(self, "_sentry_lite_crumb", None)
        if span is None and crumb is None:
            return real_getresponse(self, *args, **kwargs)
        self._sentry_lite_span = None  # type: ignore[attr-defined]
        self._sentry_lite_crumb = None  # type: ignore[attr-defined]
        try:
            rv = real_getresponse(self, *args, **kwargs)
        except BaseException as exc:
            tb = exc.__traceback__
            if isinstance(exc, TypeError) and (args or kwargs) and tb and tb.tb_next is None:
                # Refused for its arguments (raised at the call, not inside): urllib3
                # 1.26 first tries Python 2's getresponse(buffering=True), then calls it
                # again without arguments; that call gets the span and crumb.
                self._sentry_lite_span = span  # type: ignore[attr-defined]
                self._sentry_lite_crumb = crumb  # type: ignore[attr-defined]
                raise
            if span is not None:
                span.finish()
            if crumb is not None:
                _safe(add_http_breadcrumb, None, crumb)
            raise
        try:
            if span is not None:
                # the streamed span itself: it has the start time the source rule needs
                source_span: Any = streamed_span_of(span) or span
                add_http_request_source(source_span)
            _on_response(rv, span, crumb)
        except Exception:
            pass
        return rv

    def read(self: HTTPResponse, *args: Any, **kwargs: Any) -> Any:
        try:
            return real_read(self, *args, **kwargs)
        finally:
            span = getattr(self, "_sentry_lite_span", None)
            # read() may be called repeatedly; the span ends once the body is consumed.
            if span is not None and (self.fp is None or self.closed):
                self._sentry_lite_span = None  # type: ignore[attr-defined]
                span.finish()

    def close(self: HTTPResponse) -> None:
        try:
            real_close(self)
        finally:
            span = getattr(self, "_sentry_lite_span", None)
            if span is not None:
                self._sentry_lite_span = None  # type: ignore[attr-defined]
                span.finish()

    HTTPConnection.putrequest = putrequest  # type: ignore[method-assign]
    HTTPConnection.getresponse = getresponse  # type: ignore[method-assign]
    HTTPResponse.read = read  # type: ignore[method-assign]
    HTTPResponse.close = close  # type: ignore[assignment,method-assign]


def _start_request(
    conn: HTTPConnection, method: str, url: str
) -> Optional[Tuple[Any, Dict[str, Any], List[Tuple[str, str]]]]:

    client = Scope.get_client()
    default_port = conn.default_port
    tunnel_host = getattr(conn, "_tunnel_host", None)
    if tunnel_host:
        host, port = tunnel_host, getattr(conn, "_tunnel_port", default_port)
    else:
        host, port = conn.host, conn.port
    dsn = client.parsed_dsn
    if dsn is not None and dsn.host == host and dsn.port == port:
        return None  # our own ingest
    real_url = url
    if not real_url or not real_url.startswith(("http://", "https://")):
        scheme = "https" if default_port == 443 else "http"
        port_part = f":{port}" if port != default_port else ""
        real_url = f"{scheme}://{host}{port_part}{url}"
    base, query, fragment = split_url(real_url)
    name = f"{method} {base}"
    span: Any
    crumb: Dict[str, Any]
    if span_streaming_enabled(client.options):
        # sentry_sdk's streaming shape: OTel names, the URL only as privacy allows, and
        # a span only under a running one (the trace still propagates without it).
        crumb = {"http.request.method": method}
        crumb.update(outgoing_url_attributes(base, query, fragment, client.options))
        span = _detached_child(name) or child_span("http.client", name, HTTP_ORIGIN)
        if span is not None:
            span.update_data(crumb)
    else:
        span = start_span(op="http.client", name=name, origin=HTTP_ORIGIN)
        crumb = {"http.method": method, "http.fragment": fragment, "url": base, "http.query": query}
        span.update_data(crumb)
    if tunnel_host:
        crumb["network.peer.address"] = conn.host
        crumb["network.peer.port"] = conn.port
        if span is not None:
            span.set_data("network.peer.address", conn.host)
            span.set_data("network.peer.port", conn.port)
    headers: List[Tuple[str, str]] = []
    if should_propagate_trace(client, real_url):
        headers = list(iter_trace_propagation_headers(span=span))
    return span, crumb, headers


def _detached_child(name: str) -> Any:
    """Under the boto3 integration's client span (a detached streamed span, current only
    while its API call runs), a detached child too: the body may be read after the call
    returned, and ending our span then must not make the ended call span current again."""
    parent = Scope.get_current_scope().streamed_span
    if (
        parent is None
        or parent.active
        or parent.get_attributes().get("sentry.origin") != "auto.http.boto3"
    ):
        return None
    attributes = {"sentry.op": "http.client", "sentry.origin": HTTP_ORIGIN}
    return StreamedSpanView(start_detached_streamed_span(name, attributes))


def _on_response(rv: HTTPResponse, span: Any, crumb: Optional[Dict[str, Any]]) -> None:
    status = int(rv.status)
    if crumb is not None:
        crumb["http.response.status_code"] = status
        if "http.method" in crumb:  # the transaction-era shape; streaming has no reason
            crumb["reason"] = rv.reason
    if span is not None:
        span.set_http_status(status)
        span.set_data("reason", rv.reason)
        # The body is read later; keep the span open until it is.
        if rv.chunked or (rv.length is not None and rv.length > 0):
            rv._sentry_lite_span = span  # type: ignore[attr-defined]
        else:
            span.finish()
    if crumb is not None:
        add_http_breadcrumb(status, crumb)


def _safe(func: Callable[..., Any], *args: Any) -> None:
    try:
        func(*args)
    except Exception:
        pass


# -- subprocess -------------------------------------------------------------------------


def _argument(
    args: List[Any],
    kwargs: Dict[str, Any],
    name: str,
    position: int,
    default: Optional[Callable[[Any], Any]] = None,
) -> Any:
    """Read (and with ``default``, fill in) an argument given by name or position."""
    if name in kwargs:
        value = kwargs[name]
        if default is not None:
            value = kwargs[name] = default(value)
        return value
    if position < len(args):
        value = args[position]
        if default is not None:
            value = args[position] = default(value)
        return value
    if default is not None:
        value = kwargs[name] = default(None)
        return value
    return None


def _copy_env(env: Any) -> Dict[str, str]:
    return dict(env if env is not None else os.environ)


def _describe(command: Any) -> str:
    if isinstance(command, (list, tuple)) and len(command) < MAX_SUBPROCESS_ARGS_IN_DESCRIPTION:
        try:
            return " ".join(map(str, command))
        except Exception:
            pass
    try:
        return command if isinstance(command, str) else repr(command)
    except Exception:
        return "<unprintable>"


def _subprocess_span(op: str, name: Optional[str]) -> Any:
    """The span of a subprocess call: in streaming mode only under a running span (as
    sentry_sdk: a process started outside one gets no segment of its own)."""
    if span_streaming_enabled(Scope.get_client().options) and active_span() is None:
        return None
    return start_span(op=op, name=name, origin=SUBPROCESS_ORIGIN)


def _mark_pid(span: Any, pid: int) -> None:
    """The child's pid: ``process.pid`` on a streamed span, the ``subprocess.pid`` tag on
    a transaction's span (sentry_sdk's two names)."""
    streamed = streamed_span_of(span)
    if streamed is not None:
        streamed.set_attribute("process.pid", pid)
    else:
        span.set_tag("subprocess.pid", pid)


def _install_subprocess() -> None:
    import subprocess

    real_init = subprocess.Popen.__init__
    real_wait = subprocess.Popen.wait
    real_communicate = subprocess.Popen.communicate

    def popen_init(self: subprocess.Popen[Any], *a: Any, **kw: Any) -> None:
        if not _enabled():
            real_init(self, *a, **kw)
            return

        args = list(a)
        try:
            command = _argument(args, kw, "args", 0) or []
            cwd = _argument(args, kw, "cwd", 9)
            description = _describe(command)
            Scope.get_isolation_scope().add_breadcrumb(
                type="subprocess",
                category="subprocess",
                message=description,
                data={"subprocess.cwd": cwd} if cwd else {},
            )
            span = _subprocess_span("subprocess", description)
        except Exception:  # the process must start regardless
            span = None
        if span is None:
            real_init(self, *a, **kw)
            return
        with span:
            try:
                env = None
                for key, value in iter_trace_propagation_headers(span=span):
                    if env is None:
                        env = _argument(args, kw, "env", 10, _copy_env)
                    env["SUBPROCESS_" + key.upper().replace("-", "_")] = value
                if cwd and streamed_span_of(span) is None:
                    span.set_data("subprocess.cwd", cwd)
            except Exception:
                pass
            real_init(self, *args, **kw)
            _mark_pid(span, self.pid)

    def popen_wait(self: subprocess.Popen[Any], *a: Any, **kw: Any) -> Any:
        if not _enabled():
            return real_wait(self, *a, **kw)

        span = _subprocess_span("subprocess.wait", None)
        if span is None:
            return real_wait(self, *a, **kw)
        with span:
            _mark_pid(span, self.pid)
            return real_wait(self, *a, **kw)

    def popen_communicate(self: subprocess.Popen[Any], *a: Any, **kw: Any) -> Any:
        if not _enabled():
            return real_communicate(self, *a, **kw)

        span = _subprocess_span("subprocess.communicate", None)
        if span is None:
            return real_communicate(self, *a, **kw)
        with span:
            _mark_pid(span, self.pid)
            return real_communicate(self, *a, **kw)

    subprocess.Popen.__init__ = popen_init  # type: ignore[method-assign]
    subprocess.Popen.wait = popen_wait  # type: ignore[method-assign]
    subprocess.Popen.communicate = popen_communicate  # type: ignore[method-assign]


def get_subprocess_traceparent_headers() -> Dict[str, str]:
    """In a child process: the trace headers its parent passed, for ``continue_trace``."""
    prefix = "SUBPROCESS_"
    return {
        key[len(prefix) :].replace("_", "-").lower(): value
        for key, value in os.environ.items()
        if key.startswith(prefix)
    }
