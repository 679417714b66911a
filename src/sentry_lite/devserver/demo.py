"""``sentry-lite demo``: the one-command tour.

Starts the receiver in this process, points the SDK at it, runs a small shop app that
raises, logs and traces (:mod:`sentry_lite.devserver.demo_app`), and prints what arrived
and where to look. On a terminal it then keeps the viewer up until Ctrl-C, so the links
it printed work; elsewhere (a script, CI) it exits and says how to keep it up.
"""

from __future__ import annotations

import errno
import importlib.util
import logging
import sys
import threading
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Dict, List, Optional

from sentry_lite.devserver.server import DEFAULT_PORT, DevServer, format_line
from sentry_lite.devserver.store import Received

__all__ = ["DEMO_WAIT_SECONDS", "run_demo"]

DEMO_WAIT_SECONDS = 10.0
"""Upper bound on waiting for the demo's events to arrive at the receiver."""
_MIN_DEMO_ITEMS = 2
"""The exception and the ``logging.error`` event; the transaction only with tracing."""

Printer = Callable[[str], None]


def _load_shop() -> ModuleType:
    path = Path(__file__).with_name("demo_app.py")
    spec = importlib.util.spec_from_file_location("shop", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load the demo app from {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules["shop"] = module
    spec.loader.exec_module(module)
    return module


def _start_server(host: str, port: int, db: str, on_item: Any, out: Printer) -> DevServer:
    try:
        return DevServer(host, port, db, on_item=on_item).start()
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE or port == 0:
            raise
        out(f"(port {port} is taken, using a free port instead)")
        return DevServer(host, 0, db, on_item=on_item).start()


def run_demo(
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    db: str = ":memory:",
    *,
    keep_serving: Optional[bool] = None,
    out: Printer = print,
) -> int:
    """``keep_serving``: True keeps the viewer up until Ctrl-C, False exits, None (the
    default) keeps it up when both stdin and stdout are a terminal."""
    import sentry_lite

    arrived: List[Received] = []
    lock = threading.Lock()
    live = threading.Event()  # set once the summary is out: items print as they come

    def on_item(received: Received, base_url: str) -> None:
        with lock:
            arrived.append(received)
            if live.is_set() and not received.duplicate:
                out(format_line(received, base_url))

    previous_shop = sys.modules.get("shop")
    try:
        server = _start_server(host, port, db, on_item, out)
    except OSError as exc:
        out(f"sentry-lite demo: cannot start the receiver on {host}:{port}: {exc}")
        return 1
    try:
        out(f"1. Receiver and viewer running at {server.url}/")
        out(f"2. sentry_lite.init(dsn={server.dsn()!r}), then running a small shop app")
        guard = sentry_lite.init(
            dsn=server.dsn(),
            release="shop@1.0.0",
            environment="demo",
            traces_sample_rate=1.0,
            in_app_include=["shop"],
            spotlight=False,
        )
        shop = _load_shop()
        root = logging.getLogger()
        previous_level = root.level
        root.setLevel(logging.INFO)
        quiet = logging.NullHandler()
        root.addHandler(quiet)  # keeps logging's last-resort printer off the terminal
        try:
            shop.run(sentry_lite)
        finally:
            root.removeHandler(quiet)
            root.setLevel(previous_level)
        sentry_lite.flush(timeout=DEMO_WAIT_SECONDS)
        server.wait_for(_MIN_DEMO_ITEMS, DEMO_WAIT_SECONDS)
        guard._client.close(timeout=DEMO_WAIT_SECONDS)
        if keep_serving is None:
            keep_serving = _interactive()
        with lock:
            for item in arrived:
                out("  received " + format_line(item, server.url))
            _summary(server, arrived, keep_serving, out)
            live.set()
        if len(arrived) < _MIN_DEMO_ITEMS:
            out("The demo's events did not all arrive; run with SENTRY_DEBUG=1 to see why.")
            return 1
        if keep_serving:
            try:
                out(f"Serving {server.url}/ until you press Ctrl-C...")
                threading.Event().wait()
            except KeyboardInterrupt:
                out("Stopped.")
        return 0
    finally:
        server.stop()
        if previous_shop is None:
            sys.modules.pop("shop", None)
        else:
            sys.modules["shop"] = previous_shop


def _interactive() -> bool:
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def _summary(server: DevServer, arrived: List[Received], keeps: bool, out: Printer) -> None:
    kinds: Dict[str, int] = {}
    for item in arrived:
        kinds[item.item_type] = kinds.get(item.item_type, 0) + 1
    names = {"event": "error event", "transaction": "transaction", "log": "log record"}
    listing = (
        ", ".join(
            f"{n} {names.get(k, k + ' item')}{'s' if n > 1 else ''}"
            for k, n in sorted(kinds.items())
        )
        or "nothing"
    )
    out(f"3. The receiver got: {listing}")
    issue = next((r for r in arrived if r.item_type == "event" and r.issue_id), None)
    if keeps:
        out(f"Open {server.url}/ to browse them" + (":" if issue else "."))
    else:
        out(
            "The receiver stops when the demo exits; run `sentry-lite demo --keep-serving`"
            " to browse these pages:"
        )
    if issue is not None:
        out(
            f"   the exception, its stack and local variables: {server.url}/issues/{issue.issue_id}"
        )
    txn: Optional[Received] = next((r for r in arrived if r.item_type == "transaction"), None)
    if txn is not None:
        out(f"   the trace as a waterfall: {server.url}{txn.link}")
    serve = "sentry-lite serve" + ("" if server.port == DEFAULT_PORT else f" --port {server.port}")
    out(
        f"Next: `{serve}` keeps a receiver running for your own app"
        f" (DSN {server.dsn()}, or spotlight={server.spotlight_url!r}),"
        " or `sentry-lite run -- python app.py` sets it all up for one command."
    )
