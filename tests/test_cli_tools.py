"""``sentry-lite demo`` on a terminal, ``tail`` and ``run``, as real processes."""

from __future__ import annotations

import json
import os
import pty
import queue
import re
import select
import signal
import subprocess
import sys
import textwrap
import threading
import time
import urllib.request
from pathlib import Path
from typing import Dict, List

from tests.browser.serve import ServeProcess


def _read_until(fd: int, pattern: str, timeout: float = 60) -> str:
    text = ""
    deadline = time.monotonic() + timeout
    while not re.search(pattern, text):
        if time.monotonic() > deadline:
            raise AssertionError(f"no {pattern!r} in:\n{text}")
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                text += os.read(fd, 65536).decode("utf-8", "replace")
            except OSError:
                break
    return text


def test_demo_on_a_terminal_keeps_serving_until_ctrl_c() -> None:
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        # faulthandler: a child that does not stop is asked (SIGABRT) where its threads are
        [sys.executable, "-X", "faulthandler", "-m", "sentry_lite", "demo", "--port", "0"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        close_fds=True,
    )
    os.close(slave)
    try:
        text = _read_until(master, r"until you press Ctrl-C")
        url = re.search(r"Serving (http://127\.0\.0\.1:\d+)/", text)
        assert url, text
        assert "Open http://127.0.0.1:" in text, "links are printed while they work"
        with urllib.request.urlopen(url.group(1) + "/json/stats", timeout=10) as response:
            assert json.loads(response.read())["errors"] == 2
        proc.send_signal(signal.SIGINT)
        try:
            code = proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGABRT)
            stacks = _read_until(master, r"(?!)", timeout=5)  # all it prints until it dies
            message = "the demo did not stop on Ctrl-C; its threads:\n" + stacks
            raise AssertionError(message) from None
        assert code == 0
        assert "Stopped." in _read_until(master, r"Stopped\.", timeout=5) + text
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
        os.close(master)


def _tail(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "sentry_lite", "tail", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


SEND = textwrap.dedent(
    """
    import sys, logging
    import sentry_lite

    sentry_lite.init(dsn=sys.argv[1], release=sys.argv[2], environment="staging")
    sentry_lite.capture_message("checkout slow", level="warning")
    sentry_lite.capture_message("cache warmed", level="info")
    try:
        1 / 0
    except ZeroDivisionError:
        sentry_lite.capture_exception()
    sentry_lite.flush(10)
    """
)


def _send(tmp_path: Path, dsn: str, release: str = "shop@1.0") -> None:
    script = tmp_path / "send.py"
    script.write_text(SEND)
    result = subprocess.run(
        [sys.executable, str(script), dsn, release], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


_QUEUES: Dict[int, queue.Queue[str]] = {}


def _lines(proc: subprocess.Popen[str], count: int, timeout: float = 20) -> List[str]:
    """Up to ``count`` lines of the process's stdout (read by a thread: select() cannot
    see lines already buffered by the text wrapper)."""
    assert proc.stdout is not None
    lines = _QUEUES.get(proc.pid)
    if lines is None:
        lines = _QUEUES[proc.pid] = queue.Queue()
        stream = proc.stdout

        def pump() -> None:
            for line in stream:
                lines.put(line.rstrip("\n"))

        threading.Thread(target=pump, daemon=True).start()
    out: List[str] = []
    deadline = time.monotonic() + timeout
    while len(out) < count:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        try:
            out.append(lines.get(timeout=remaining))
        except queue.Empty:
            break
    return out


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def test_tail_follows_a_receiver_with_filters_and_json(tmp_path: Path) -> None:
    with ServeProcess() as srv:
        tail = _tail("--url", srv.url, "--format", "json", "--level", "warning")
        text = _tail("--url", srv.url, "--grep", "cache", "--release", "shop@1.0")
        try:
            time.sleep(1.0)  # both connected to /live
            _send(tmp_path, srv.dsn(), "shop@2.0")
            _send(tmp_path, srv.dsn(), "shop@1.0")
            records: List[Dict[str, str]] = [json.loads(line) for line in _lines(tail, 4)]
            plain = _lines(text, 1)
        finally:
            _stop(tail)
            _stop(text)
    titles = sorted((r["title"], r["release"]) for r in records)
    assert titles == [
        ("ZeroDivisionError: division by zero", "shop@1.0"),
        ("ZeroDivisionError: division by zero", "shop@2.0"),
        ("checkout slow", "shop@1.0"),
        ("checkout slow", "shop@2.0"),
    ], "level warning and above only"
    assert all(r["url"].startswith(srv.url + "/events/") for r in records)
    assert all(r["environment"] == "staging" for r in records)
    assert len(plain) == 1 and "cache warmed" in plain[0] and srv.url in plain[0]


def test_tail_starts_a_receiver_when_none_runs(tmp_path: Path) -> None:
    from tests.test_cli import _free_port

    port = _free_port()
    tail = _tail("--url", f"http://127.0.0.1:{port}", "--type", "event", "--level", "error")
    try:
        assert tail.stderr is not None
        first = tail.stderr.readline()
        assert f"started one at http://127.0.0.1:{port}/" in first
        assert f"DSN: http://public@127.0.0.1:{port}/1" in tail.stderr.readline()
        _send(tmp_path, f"http://public@127.0.0.1:{port}/1")
        lines = _lines(tail, 1)
    finally:
        _stop(tail)
    assert len(lines) == 1 and "ZeroDivisionError: division by zero" in lines[0]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sentry_lite",
            "tail",
            "--no-start",
            "--url",
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"sentry-lite tail: no sentry-lite receiver at http://127.0.0.1:{port}"
    )


CHILD = textwrap.dedent(
    """
    import os, sys
    import sentry_sdk

    # Reads SENTRY_DSN and SENTRY_SPOTLIGHT from the environment `run` set up.
    sentry_sdk.init(traces_sample_rate=1.0)
    print("child sees", os.environ["SENTRY_DSN"], os.environ["SENTRY_SPOTLIGHT"], flush=True)
    sentry_sdk.capture_message("hello from the child")
    sentry_sdk.flush(10)
    sys.exit(3)
    """
)


def test_run_sets_the_environment_and_starts_a_receiver(tmp_path: Path) -> None:
    from tests.test_cli import _free_port

    script = tmp_path / "child.py"
    script.write_text(CHILD)
    port = _free_port()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sentry_lite",
            "run",
            "--url",
            f"http://127.0.0.1:{port}",
            "--",
            sys.executable,
            str(script),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")},
    )
    assert result.returncode == 3, result.stderr
    base = f"http://127.0.0.1:{port}"
    assert result.stdout.strip() == f"child sees http://public@127.0.0.1:{port}/1 {base}/stream"
    assert f"started the receiver at {base}/" in result.stderr
    # sentry_sdk sent the message to the DSN and to Spotlight: it is shown once.
    received = [line for line in result.stderr.splitlines() if "hello from the child" in line]
    assert len(received) == 1, result.stderr
    assert "1 item(s) received" in result.stderr or "item(s) received" in result.stderr


def test_run_uses_a_running_receiver_and_reports_a_missing_command() -> None:
    with ServeProcess() as srv:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "sentry_lite",
                "run",
                "--url",
                srv.url,
                "--",
                sys.executable,
                "-c",
                "import os; print(os.environ['SENTRY_SPOTLIGHT'])",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == srv.url + "/stream"
        assert f"using the receiver at {srv.url}/" in result.stderr
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "sentry_lite",
                "run",
                "--url",
                srv.url,
                "--",
                "no-such-command-xyz",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 127
        assert "sentry-lite run: command not found: no-such-command-xyz" in result.stderr
