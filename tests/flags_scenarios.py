"""Feature-flag evaluations under sentry_sdk or sentry_lite, in a fresh interpreter.

Usage: python -m tests.flags_scenarios <sdk module> <dsn> <library> <scenario>

Each library runs offline with real evaluations: OpenFeature's InMemoryProvider,
LaunchDarkly's TestData source, Statsig's local mode with gate overrides, and an
UnleashClient polling a local HTTP server for its features. ``ON`` flags evaluate to
True, every other name to False (an unknown flag gives the app's default); a string
flag is evaluated too, which the integrations do not record. Only the SDK's import
differs between the runs; the SDK sends to the receiver at ``dsn``.
"""

from __future__ import annotations

import importlib
import json
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import ThreadingMixIn
from typing import Any, Callable, Dict, List, Tuple
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

ON = ("hello", "beta", "f001", "f103")
STRING_FLAG = "color"

Evaluate = Callable[[str], Any]


# -- the libraries, offline -----------------------------------------------------------------


def openfeature(sdk: str) -> Tuple[Any, Evaluate, Callable[[], None]]:
    from openfeature import api
    from openfeature.provider.in_memory_provider import InMemoryFlag, InMemoryProvider

    integration = importlib.import_module(f"{sdk}.integrations.openfeature")
    flags = {name: InMemoryFlag("on", {"on": True, "off": False}) for name in ON}
    flags[STRING_FLAG] = InMemoryFlag("red", {"red": "red", "blue": "blue"})
    api.set_provider(InMemoryProvider(flags))
    client = api.get_client()

    def evaluate(name: str) -> Any:
        if name == STRING_FLAG:
            client.get_string_value(name, "none")
            return client.get_boolean_value(name, False)  # wrong type: the error hook
        return client.get_boolean_value(name, False)

    return integration.OpenFeatureIntegration(), evaluate, api.shutdown


def launchdarkly(sdk: str) -> Tuple[Any, Evaluate, Callable[[], None]]:
    from ldclient import LDClient
    from ldclient.config import Config
    from ldclient.context import Context
    from ldclient.integrations.test_data import TestData

    integration = importlib.import_module(f"{sdk}.integrations.launchdarkly")
    data = TestData.data_source()
    for name in ON:
        data.update(data.flag(name).variation_for_all(True))
    data.update(data.flag(STRING_FLAG).variations("red", "blue").variation_for_all(0))
    config = Config(
        "sdk-key", update_processor_class=data, diagnostic_opt_out=True, send_events=False
    )
    client = LDClient(config=config)
    context = Context.create("user-1")

    def evaluate(name: str) -> Any:
        return client.variation(name, context, "none" if name == STRING_FLAG else False)

    return integration.LaunchDarklyIntegration(ld_client=client), evaluate, client.close


def statsig(sdk: str) -> Tuple[Any, Evaluate, Callable[[], None]]:
    from statsig import StatsigOptions
    from statsig import statsig as statsig_api
    from statsig.statsig_user import StatsigUser

    integration = importlib.import_module(f"{sdk}.integrations.statsig")
    statsig_api.initialize("secret-key", StatsigOptions(local_mode=True, disable_diagnostics=True))
    for name in ON:
        statsig_api.override_gate(name, True)
    user = StatsigUser(user_id="user-1")

    def evaluate(name: str) -> Any:
        if name == STRING_FLAG:
            return statsig_api.get_config(user, name)  # a config, not a gate: not recorded
        return statsig_api.check_gate(user, name)

    return integration.StatsigIntegration(), evaluate, statsig_api.shutdown


class _FeaturesHandler(BaseHTTPRequestHandler):
    """Unleash's ``/client/features``: the ON toggles enabled, the string flag a variant."""

    def do_GET(self) -> None:
        toggles = [
            {"name": name, "enabled": True, "strategies": [{"name": "default"}]} for name in ON
        ]
        toggles.append(
            {
                "name": STRING_FLAG,
                "enabled": True,
                "strategies": [{"name": "default"}],
                "variants": [{"name": "red", "weight": 1000, "stickiness": "default"}],
            }
        )
        body = json.dumps({"version": 1, "features": toggles}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def unleash(sdk: str) -> Tuple[Any, Evaluate, Callable[[], None]]:
    from UnleashClient import UnleashClient

    integration = importlib.import_module(f"{sdk}.integrations.unleash")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FeaturesHandler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    client = UnleashClient(
        url=f"http://127.0.0.1:{server.server_port}/api",
        app_name="flags-scenario",
        disable_metrics=True,
        disable_registration=True,
        cache_directory=tempfile.mkdtemp(prefix="unleash-"),
        refresh_interval=3600,
    )
    client.initialize_client()

    def evaluate(name: str) -> Any:
        if name == STRING_FLAG:
            return client.get_variant(name)  # a variant, not a toggle: not recorded
        return client.is_enabled(name)

    def close() -> None:
        client.destroy()
        server.shutdown()

    return integration.UnleashIntegration(), evaluate, close


LIBRARIES = {
    "openfeature": openfeature,
    "launchdarkly": launchdarkly,
    "statsig": statsig,
    "unleash": unleash,
}


# -- the scenarios --------------------------------------------------------------------------


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


def requests(sdk: Any, module: str, evaluate: Evaluate) -> None:
    """Two concurrent requests, each in its own scopes (the SDK's WSGI middleware): both
    evaluate before either fails, so a leak between them would show."""
    wsgi = importlib.import_module(f"{module}.integrations.wsgi")
    both_evaluated = threading.Barrier(2, timeout=10)

    def app(environ: Dict[str, Any], start_response: Any) -> List[bytes]:
        name = environ["PATH_INFO"].strip("/")
        evaluate(name)
        evaluate("beta")
        evaluate(STRING_FLAG)
        sdk.set_tag("request", name)
        both_evaluated.wait()
        raise ZeroDivisionError(name)

    server = make_server(
        "127.0.0.1",
        0,
        wsgi.SentryWsgiMiddleware(app),
        server_class=_ThreadingWSGIServer,
        handler_class=_QuietHandler,
    )
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()

    def get(name: str) -> None:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}/{name}", timeout=10)
        except urllib.error.HTTPError:
            pass  # the 500 the failing app gives

    clients = [threading.Thread(target=get, args=(name,)) for name in ("first", "second")]
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    server.shutdown()


def capture(sdk: Any, label: str) -> None:
    sdk.set_tag("request", label)
    try:
        raise ValueError(label)
    except ValueError:
        sdk.capture_exception()


def scenario_requests_and_spans(sdk: Any, module: str, evaluate: Evaluate) -> None:
    """Flags at start-up, two concurrent requests that fail, a failure in the main scope;
    then a transaction with spans that evaluate more flags than a span keeps."""
    evaluate("hello")
    evaluate("world")
    requests(sdk, module, evaluate)
    evaluate("hello")  # again: moves to the end of the buffer
    capture(sdk, "main")
    with sdk.start_transaction(name="job", op="task"):
        evaluate("gamma")  # on the transaction itself: not in its trace context
        with sdk.start_span(op="check", name="flags"):
            for index in range(12):  # a span keeps the first 10
                evaluate(f"f{index:03}")
            evaluate(STRING_FLAG)
            capture(sdk, "in-span")
        with sdk.start_span(op="check", name="again"):
            evaluate("beta")
            evaluate("f000")


def scenario_limit(sdk: Any, module: str, evaluate: Evaluate) -> None:
    for index in range(105):  # the buffer keeps the latest 100
        evaluate(f"f{index:03}")
    evaluate("f010")
    capture(sdk, "main")


def scenario_max_flags(sdk: Any, module: str, evaluate: Evaluate) -> None:
    for name in ("hello", "world", "beta", "gamma", "hello", "delta"):
        evaluate(name)
    capture(sdk, "main")


def scenario_streaming(sdk: Any, module: str, evaluate: Evaluate) -> None:
    with sdk.traces.start_span(name="job"):
        evaluate("hello")
        with sdk.traces.start_span(name="flags"):
            for index in range(12):  # streamed spans keep them all
                evaluate(f"f{index:03}")
            evaluate(STRING_FLAG)
            capture(sdk, "in-span")


SCENARIOS: Dict[str, Tuple[Callable[[Any, str, Evaluate], None], Dict[str, Any]]] = {
    "requests_and_spans": (scenario_requests_and_spans, {"traces_sample_rate": 1.0}),
    "limit": (scenario_limit, {}),
    "max_flags": (scenario_max_flags, {"_experiments": {"max_flags": 3}}),
    "streaming": (scenario_streaming, {"traces_sample_rate": 1.0, "trace_lifecycle": "stream"}),
}


def main() -> None:
    module, dsn, library, name = sys.argv[1:5]
    sdk = importlib.import_module(module)
    integration, evaluate, close = LIBRARIES[library](module)
    run, options = SCENARIOS[name]
    # Auto-enabling off in both: sentry_sdk would import every AI and web library it
    # finds installed, seconds per run, for nothing these scenarios use.
    sdk.init(
        dsn=dsn,
        release="flags@1",
        integrations=[integration],
        auto_enabling_integrations=False,
        **options,
    )
    try:
        run(sdk, module, evaluate)
    finally:
        close()
        sdk.flush(10)


if __name__ == "__main__":
    main()
