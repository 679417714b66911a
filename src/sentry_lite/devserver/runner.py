"""``sentry-lite run -- CMD``: run a command with its Sentry SDK pointed at a local
receiver (started here when none runs), the way ``spotlight run`` does.

The child gets ``SENTRY_SPOTLIGHT`` (the receiver's ``/stream``) and ``SENTRY_DSN`` (the
receiver's DSN; ``--keep-dsn`` leaves a DSN already set alone), so any Sentry SDK that
reads its environment reports here. Items the same SDK sends to both are stored once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from typing import Any, Callable, Dict, List, Optional, Sequence

from sentry_lite.devserver.local import ensure_receiver
from sentry_lite.devserver.server import format_line
from sentry_lite.devserver.store import Received

__all__ = ["child_env", "run_command"]

Printer = Callable[[str], None]


def child_env(
    base_url: str, dsn: str, keep_dsn: bool, environ: Optional[Dict[str, str]] = None
) -> Dict[str, str]:
    env = dict(os.environ if environ is None else environ)
    env["SENTRY_SPOTLIGHT"] = base_url + "/stream"
    if not (keep_dsn and env.get("SENTRY_DSN")):
        env["SENTRY_DSN"] = dsn
    return env


def run_command(
    command: Sequence[str],
    url: str,
    *,
    keep_dsn: bool = False,
    quiet: bool = False,
    keep_serving: bool = False,
    err: Printer = print,
) -> int:
    lock = threading.Lock()
    count = [0]

    def on_item(received: Received, base: str) -> None:
        if received.duplicate:
            return
        count[0] += 1
        if not quiet:
            with lock:
                err("sentry-lite: " + format_line(received, base))

    try:
        base, server = ensure_receiver(url, on_item=on_item)
    except (OSError, ValueError) as exc:
        err(f"sentry-lite run: {exc}")
        return 1
    dsn = base.replace("http://", "http://public@", 1) + "/1"
    env = child_env(base, dsn, keep_dsn)
    where = "started" if server is not None else "using"
    err(f"sentry-lite run: {where} the receiver at {base}/")
    err(f"  SENTRY_DSN={env['SENTRY_DSN']}  SENTRY_SPOTLIGHT={env['SENTRY_SPOTLIGHT']}")
    try:
        code = _run_child(list(command), env, err)
        if server is not None:
            err(f"sentry-lite run: {command[0]} exited with {code}; {count[0]} item(s) received")
            if keep_serving:
                err(f"Viewer still at {base}/ (Ctrl-C to stop)")
                threading.Event().wait()
        return code
    except KeyboardInterrupt:
        return 130
    finally:
        if server is not None:
            server.stop()


def _run_child(command: List[str], env: Dict[str, str], err: Printer) -> int:
    try:
        child = subprocess.Popen(command, env=env)
    except FileNotFoundError:
        err(f"sentry-lite run: command not found: {command[0]}")
        return 127
    except PermissionError:
        err(f"sentry-lite run: cannot execute {command[0]} (permission denied)")
        return 126

    def forward(signum: int, frame: Any) -> None:
        try:
            child.send_signal(signum)
        except OSError:
            pass

    previous = None
    try:
        previous = signal.signal(signal.SIGTERM, forward)
    except (ValueError, OSError):  # not the main thread
        pass
    try:
        while True:
            try:
                return _exit_code(child.wait())
            except KeyboardInterrupt:
                # The terminal sent SIGINT to the child too; wait for it to finish.
                continue
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _exit_code(returncode: int) -> int:
    return 128 - returncode if returncode < 0 else returncode
