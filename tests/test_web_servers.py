"""The example apps under real servers (gunicorn, uvicorn) on 127.0.0.1, events to the receiver.

Each test starts the server as a subprocess on a free port, sends real HTTP requests,
waits for what the SDK in the server process delivered, and stops the server.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest

from tests.conftest import require
from tests.receiver import Receiver

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def server(cmd: List[str], receiver: Receiver, port: int, cwd: str = ROOT) -> Iterator[str]:
    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)  # other test modules set it for their project
    env.update(
        SENTRY_DSN=receiver.dsn(),
        SENTRY_TRACES_SAMPLE_RATE="1.0",
        PYTHONPATH=os.pathsep.join([ROOT, os.path.join(ROOT, "src"), cwd]),
    )
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise AssertionError(
                    f"server exited early:\n{proc.stdout.read() if proc.stdout else ''}"
                )
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError("server did not start") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        if proc.stdout is not None:
            proc.stdout.close()


def request(
    url: str,
    method: str = "GET",
    body: Optional[Dict[str, Any]] = None,
    headers: Optional[Dict[str, str]] = None,
) -> Tuple[int, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def binary(name: str) -> str:
    path = os.path.join(BIN, name)
    if not os.path.exists(path):
        found = shutil.which(name)
        require(found is not None, f"{name} is not installed")
        assert found is not None
        path = found
    return path


def by_name(transactions: List[Dict[str, Any]]) -> Dict[str, Dict[str, Any]]:
    return {t["transaction"]: t for t in transactions}


def test_flask_example_under_gunicorn(receiver: Receiver) -> None:
    pytest.importorskip("flask")
    port = free_port()
    cmd = [
        binary("gunicorn"),
        "-w",
        "1",
        "--threads",
        "2",
        "-b",
        f"127.0.0.1:{port}",
        "examples.flask_app:app",
    ]
    trace_id = "0123456789abcdef0123456789abcdef"
    with server(cmd, receiver, port) as base:
        assert request(base + "/hello/ada")[0] == 200
        status, body = request(
            base + "/boom", headers={"sentry-trace": f"{trace_id}-89abcdef01234567-1"}
        )
        assert status == 500 and json.loads(body) == {"error": "internal error"}
        assert request(base + "/checkout")[0] == 200
        receiver.wait_for(1, timeout=15)
        receiver.wait_for(3, timeout=15, item_type="transaction")
    (event,) = receiver.events
    assert [v["type"] for v in event["exception"]["values"]] == ["ZeroDivisionError"]
    assert event["exception"]["values"][-1]["mechanism"] == {"type": "flask", "handled": False}
    assert event["transaction"] == "/boom"
    assert event["contexts"]["trace"]["trace_id"] == trace_id
    assert event["release"] == "example-flask@1.0"
    txns = by_name(receiver.transactions)
    assert set(txns) == {"/hello/<name>", "/boom", "/checkout"}
    assert txns["/hello/<name>"]["tags"]["greeted"] == "ada"
    assert txns["/boom"]["contexts"]["trace"]["trace_id"] == trace_id
    assert [s["op"] for s in txns["/checkout"]["spans"]] == ["db.query"]


def test_fastapi_example_under_uvicorn(receiver: Receiver) -> None:
    pytest.importorskip("fastapi")
    pytest.importorskip("uvicorn")
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "examples.fastapi_app:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    with server(cmd, receiver, port) as base:
        assert request(base + "/items/3")[0] == 200
        assert request(base + "/items/0")[0] == 500
        assert request(base + "/orders", "POST", {"item_id": 1, "quantity": 50})[0] == 503
        assert request(base + "/orders", "POST", {"item_id": 1, "quantity": 1})[0] == 200
        receiver.wait_for(2, timeout=15)
        receiver.wait_for(4, timeout=15, item_type="transaction")
        time.sleep(0.3)
    events = sorted(receiver.events, key=lambda e: e["transaction"])
    assert len(events) == 2
    crash, busy = events
    assert crash["transaction"] == "/items/{item_id}"
    assert crash["exception"]["values"][-1]["mechanism"] == {"type": "starlette", "handled": False}
    assert crash["tags"] == {"item_id": 0}
    assert busy["transaction"] == "/orders"
    assert busy["exception"]["values"][-1]["mechanism"] == {"type": "starlette", "handled": True}
    assert busy["request"]["data"] == {"item_id": 1, "quantity": 50}
    txns = by_name(receiver.transactions)
    assert set(txns) == {"/items/{item_id}", "/orders"}


def test_starlette_example_under_uvicorn(receiver: Receiver) -> None:
    pytest.importorskip("starlette")
    pytest.importorskip("uvicorn")
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "examples.starlette_app:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    with server(cmd, receiver, port) as base:
        assert request(base + "/users/5")[0] == 200
        assert request(base + "/users/0")[0] == 500
        receiver.wait_for(1, timeout=15)
        receiver.wait_for(2, timeout=15, item_type="transaction")
    (event,) = receiver.events
    assert event["user"] == {"id": "0"}
    assert event["transaction"] == "/users/{user_id:int}"
    assert event["exception"]["values"][-1]["mechanism"]["type"] == "starlette"


def test_django_example_under_gunicorn(receiver: Receiver) -> None:
    pytest.importorskip("django")
    port = free_port()
    cwd = os.path.join(ROOT, "examples", "django_app")
    cmd = [binary("gunicorn"), "-w", "1", "-b", f"127.0.0.1:{port}", "mysite.wsgi:application"]
    with server(cmd, receiver, port, cwd=cwd) as base:
        assert request(base + "/")[0] == 200
        assert request(base + "/articles/hello-world/")[0] == 200
        assert request(base + "/crash/")[0] == 500
        receiver.wait_for(1, timeout=15)
        receiver.wait_for(3, timeout=15, item_type="transaction")
    (event,) = receiver.events
    assert event["exception"]["values"][-1]["mechanism"] == {"type": "django", "handled": False}
    assert event["transaction"] == "/crash/"
    txns = by_name(receiver.transactions)
    assert set(txns) == {"/", "/articles/{slug}/", "/crash/"}, list(txns)
    ops = [(s["op"], s["description"]) for s in txns["/"]["spans"]]
    assert ("db", "SELECT 1") in ops, ops
    assert any(op == "middleware.django" for op, _ in ops), ops
