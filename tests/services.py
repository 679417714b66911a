"""Real services for the data and queue integration tests, one per test session.

``redis_server`` (a ``redis-server`` on a free 127.0.0.1 port), ``redis_cluster`` (three
cluster-enabled ``redis-server`` nodes joined with ``redis-cli --cluster create``) and
``postgres`` (``initdb`` + ``pg_ctl`` in a temp dir, run as an unprivileged user when
the tests run as root, since PostgreSQL refuses root). A missing binary skips with the
reason, or fails in CI (``require``). Loaded as a plugin by ``tests/conftest.py``.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from typing import Iterator, List, Optional

import pytest

from tests.conftest import require

START_TIMEOUT = 20.0
"""Seconds a service gets to come up before the fixture gives up."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def free_cluster_port() -> int:
    """A free port whose cluster bus port (+10000) is free and valid too."""
    for _ in range(200):
        port = free_port()
        if port + 10000 > 65535:
            port -= 20000
        try:
            for candidate in (port, port + 10000):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", candidate))
        except OSError:
            continue
        return port
    raise RuntimeError("no free port pair for a cluster node")


def _wait_for_port(port: int, proc: Optional[subprocess.Popen], what: str) -> None:  # type: ignore[type-arg]
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on {port}")


def _stop(proc: subprocess.Popen) -> None:  # type: ignore[type-arg]
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


# -- redis ---------------------------------------------------------------------------------


def _redis_binary() -> str:
    path = shutil.which("redis-server")
    require(path is not None, "redis-server is not installed (apt-get install redis-server)")
    assert path is not None
    return path


def start_redis(directory: str, port: int, *extra: str) -> subprocess.Popen:  # type: ignore[type-arg]
    proc = subprocess.Popen(
        [
            _redis_binary(),
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            directory,
            *extra,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait_for_port(port, proc, "redis-server")
    return proc


@dataclass
class RedisServer:
    port: int

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> object:
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    directory = tempfile.mkdtemp(prefix="sentry-lite-redis-")
    port = free_port()
    proc = start_redis(directory, port)
    try:
        yield RedisServer(port)
    finally:
        _stop(proc)
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def redis_db(redis_server: RedisServer) -> RedisServer:
    """The session's server, emptied before the test."""
    import redis

    redis.Redis(host="127.0.0.1", port=redis_server.port).flushall()
    return redis_server


@dataclass
class RedisClusterNodes:
    ports: List[int]


@pytest.fixture(scope="session")
def redis_cluster() -> Iterator[RedisClusterNodes]:
    cli = shutil.which("redis-cli")
    require(cli is not None, "redis-cli is not installed (apt-get install redis-server)")
    assert cli is not None
    directory = tempfile.mkdtemp(prefix="sentry-lite-cluster-")
    ports = [free_cluster_port() for _ in range(3)]
    procs = []
    try:
        for port in ports:
            node_dir = os.path.join(directory, str(port))
            os.makedirs(node_dir)
            procs.append(
                start_redis(
                    node_dir,
                    port,
                    "--cluster-enabled",
                    "yes",
                    "--cluster-config-file",
                    "nodes.conf",
                    "--cluster-node-timeout",
                    "2000",
                )
            )
        subprocess.run(
            [
                cli,
                "--cluster",
                "create",
                *[f"127.0.0.1:{p}" for p in ports],
                "--cluster-replicas",
                "0",
                "--cluster-yes",
            ],
            check=True,
            capture_output=True,
            timeout=START_TIMEOUT,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:  # every node agrees, so no MOVED later
            infos = [
                subprocess.run(
                    [cli, "-p", str(port), "cluster", "info"], capture_output=True, text=True
                ).stdout
                for port in ports
            ]
            if all("cluster_state:ok" in i and "cluster_known_nodes:3" in i for i in infos):
                break
            time.sleep(0.1)
        yield RedisClusterNodes(ports)
    finally:
        for proc in procs:
            _stop(proc)
        shutil.rmtree(directory, ignore_errors=True)


# -- postgresql ----------------------------------------------------------------------------


def _pg_bin(name: str) -> Optional[str]:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _as_user(user: Optional[str], argv: List[str]) -> List[str]:
    if user is None:
        return argv
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", user, "--", *argv]
    return ["su", user, "-s", "/bin/sh", "-c", " ".join(argv)]


def _unprivileged_user() -> Optional[str]:
    """None when we are not root; else a system user PostgreSQL will run as."""
    if os.geteuid() != 0:
        return None
    import pwd

    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    pytest.fail("running as root and no postgres/nobody user to run PostgreSQL as")
    return None


@dataclass
class Postgres:
    port: int
    user: str = "postgres"
    database: str = "postgres"

    def url(self, driver: str = "psycopg") -> str:
        return f"postgresql+{driver}://{self.user}@127.0.0.1:{self.port}/{self.database}"


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    require(
        initdb is not None and pg_ctl is not None,
        "PostgreSQL (initdb, pg_ctl) is not installed (apt-get install postgresql)",
    )
    assert initdb is not None and pg_ctl is not None
    user = _unprivileged_user()
    directory = tempfile.mkdtemp(prefix="sentry-lite-pg-")
    os.chmod(directory, 0o755)
    data = os.path.join(directory, "data")
    if user is not None:
        import pwd

        entry = pwd.getpwnam(user)
        os.chown(directory, entry.pw_uid, entry.pw_gid)
    port = free_port()
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    subprocess.run(
        _as_user(
            user,
            [
                initdb,
                "-D",
                data,
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
        ),
        check=True,
        capture_output=True,
        env=env,
        timeout=120,
        cwd=directory,
    )
    options = f"-p {port} -k {directory} -h 127.0.0.1 -F"
    subprocess.run(
        _as_user(
            user,
            [
                pg_ctl,
                "-D",
                data,
                "-o",
                options,
                "-l",
                os.path.join(directory, "log"),
                "-w",
                "start",
            ],
        ),
        check=True,
        capture_output=True,
        env=env,
        timeout=START_TIMEOUT * 3,
        cwd=directory,
    )
    try:
        _wait_for_port(port, None, "postgres")
        yield Postgres(port)
    finally:
        subprocess.run(
            _as_user(user, [pg_ctl, "-D", data, "-m", "immediate", "-w", "stop"]),
            capture_output=True,
            env=env,
            timeout=START_TIMEOUT * 3,
            cwd=directory,
        )
        shutil.rmtree(directory, ignore_errors=True)
