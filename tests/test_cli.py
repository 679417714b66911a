"""The ``sentry-lite`` command: serve, demo and send-test-event, run as real processes."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import List

import pytest

from sentry_lite.cli import main
from sentry_lite.devserver.probe import send_test_event
from tests.browser.serve import ServeProcess
from tests.receiver import Receiver


def _cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sentry_lite", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_demo_runs_and_exits_when_not_on_a_terminal() -> None:
    result = _cli("demo", "--port", "0")
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "ValueError: cannot price the cart of Ada: unknown item 'durian'" in out
    assert "payment provider timed out after 3000 ms" in out
    assert re.search(r"The receiver got: 2 error events", out)
    assert re.search(r"http://127\.0\.0\.1:\d+/issues/[0-9a-f]{16}", out)
    assert "stops when the demo exits; run `sentry-lite demo --keep-serving`" in out
    port = re.search(r"running at http://127\.0\.0\.1:(\d+)/", out)
    assert port, out
    # The "Next" line names the port the demo really used, not always 8969.
    assert f"`sentry-lite serve --port {port.group(1)}`" in out
    assert f"http://public@127.0.0.1:{port.group(1)}/1" in out.split("Next:")[1]
    # One thread prints: no two items on one line.
    for line in out.splitlines():
        assert len(re.findall(r"\d\d:\d\d:\d\d ", line)) <= 1, line


def test_serve_prints_a_line_per_item_and_send_test_event_delivers() -> None:
    with ServeProcess() as srv:
        result = _cli("send-test-event", "--dsn", srv.dsn(), "--message", "hello from the cli")
        assert result.returncode == 0, result.stdout
        assert result.stdout.startswith("delivered: event ")
        event_id = result.stdout.split()[2]
        srv.wait_for_line(r"info\s+hello from the cli")
        row = srv.get_json(f"/json/events/{event_id}")
        assert row["body"]["message"] == "hello from the cli"


def test_send_test_event_reads_sentry_dsn() -> None:
    with ServeProcess() as srv:
        env = {**os.environ, "SENTRY_DSN": srv.dsn()}
        result = subprocess.run(
            [sys.executable, "-m", "sentry_lite", "send-test-event"],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.startswith("delivered: event ")
    env = {k: v for k, v in os.environ.items() if k != "SENTRY_DSN"}
    result = subprocess.run(
        [sys.executable, "-m", "sentry_lite", "send-test-event"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "sentry-lite send-test-event: no DSN: pass --dsn or set SENTRY_DSN"
    )


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["serve", "--port", "99999"], "--port: 99999 is not a port (0-65535"),
        (["serve", "--port", "eighty"], "--port: 'eighty' is not a port number"),
        (["serve", "--db", "/missing/dir/x.db"], "--db: the folder /missing/dir does not exist"),
        (["serve", "--max-body-mb", "0"], "--max-body-mb: 0 must be a positive number"),
        (["serve", "--editor", "notepad"], "--editor: 'notepad' is neither an editor"),
        (["serve", "--allow-origin", "evil"], "--allow-origin: 'evil' is not an origin"),
        (["demo", "--port", "-1"], "--port: -1 is not a port"),
        (["tail", "--url", "ftp://x"], "--url: 'ftp://x' is not an http://host:port URL"),
        (["tail", "--level", "loud"], "--level: invalid choice: 'loud'"),
        (["run", "--url", "http://x:99999"], "has no valid port"),
        (["send-test-event", "--timeout", "soon"], "--timeout: 'soon' is not a number"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_bad_arguments_are_one_clean_line(
    argv: List[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    assert expected in err and "Traceback" not in err


def test_serve_errors_that_show_only_at_start_are_one_line(tmp_path: Path) -> None:
    not_sqlite = tmp_path / "notes.db"
    not_sqlite.write_text("not a database, just text\n" * 100)
    result = _cli("serve", "--db", str(not_sqlite), "--port", "0", timeout=20)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"sentry-lite serve: cannot open the database {not_sqlite}: file is not a database"
    ]
    result = _cli("serve", "--host", "no-such-host.invalid", "--port", "0", timeout=30)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("sentry-lite serve: cannot listen on no-such-host.invalid")


def test_serve_on_all_addresses_prints_a_dsn_other_machines_can_use() -> None:
    with ServeProcess("--host", "0.0.0.0") as srv:
        line = srv.wait_for_line(r"^\s+DSN")
    host = socket.gethostname()
    assert f"http://public@{host}:{srv.port}/1" in line
    assert f"(on this machine: http://public@127.0.0.1:{srv.port}/1)" in line


def test_send_test_event_wrong_key() -> None:
    with ServeProcess("--key", "right") as srv:
        result = _cli("send-test-event", "--dsn", srv.dsn(key="wrong"))
        assert result.returncode == 1
        assert result.stdout.startswith("auth: HTTP 403")
        assert "unknown public key 'wrong'" in result.stdout
        srv.wait_for_line(r"refused 403")


def test_send_test_event_refused_port() -> None:
    result = _cli("send-test-event", "--dsn", f"http://k@127.0.0.1:{_free_port()}/1")
    assert result.returncode == 1
    assert result.stdout.startswith("refused: connection refused by 127.0.0.1:")


def test_send_test_event_rate_limited_and_server_errors(receiver: Receiver) -> None:
    receiver.respond(
        status=429, headers={"Retry-After": "30", "X-Sentry-Rate-Limits": "60:error:organization"}
    )
    outcome = send_test_event(receiver.dsn())
    assert outcome.kind == "rate_limited"
    text = "\n".join(outcome.lines())
    assert "error: for 60s (scope organization)" in text and "Retry-After: 30s" in text
    receiver.respond(status=401)
    assert send_test_event(receiver.dsn()).kind == "auth"
    receiver.respond(status=500)
    outcome = send_test_event(receiver.dsn())
    assert outcome.kind == "http_error" and "HTTP 500" in outcome.summary
    receiver.reset_behaviour()
    outcome = send_test_event(receiver.dsn())
    assert outcome.ok and outcome.event_id is not None
    assert receiver.events[-1]["event_id"] == outcome.event_id


def test_send_test_event_tls_proxy_dns_and_bad_dsn() -> None:
    with ServeProcess() as srv:
        outcome = send_test_event(srv.dsn().replace("http://", "https://"), timeout=5)
        assert outcome.kind == "tls", outcome
    port = _free_port()
    outcome = send_test_event("http://k@example.com/1", proxy=f"http://127.0.0.1:{port}")
    assert outcome.kind == "proxy", outcome
    outcome = send_test_event("http://k@does-not-exist.invalid/1", timeout=5)
    assert outcome.kind == "dns", outcome
    assert send_test_event("http://example.com/1").kind == "bad_dsn"


def test_serve_port_in_use_is_a_clear_error() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = _cli("serve", "--port", str(port), timeout=20)
    assert result.returncode == 1
    assert "already in use" in result.stderr and "--port 0" in result.stderr


def test_main_without_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "serve" in capsys.readouterr().out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--version"])
    out: List[str] = capsys.readouterr().out.split()
    assert out[0] == "sentry-lite"


def test_demo_keep_serving_stays_up_until_sigterm() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "sentry_lite", "demo", "--port", "0", "--keep-serving"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        lines: List[str] = []
        for line in proc.stdout:
            lines.append(line)
            if "until you press Ctrl-C" in line:
                break
        text = "".join(lines)
        url = re.search(r"running at (http://127\.0\.0\.1:\d+)/", text)
        assert url, text
        with urllib.request.urlopen(url.group(1) + "/json/stats", timeout=10) as response:
            assert json.loads(response.read())["errors"] == 2
        proc.terminate()
        assert proc.wait(15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
