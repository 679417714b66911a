"""Shared fixtures: a real receiver on 127.0.0.1 and an ``init`` that cleans up after itself."""

from __future__ import annotations

import os
import shutil
from typing import Any, Callable, Iterator, List

import pytest

import sentry_lite
from sentry_lite.scope import Scope
from sentry_lite.scope.model import current_scope_var, isolation_scope_var
from sentry_lite.transport.http import HttpTransport
from tests.receiver import Receiver
from tests.sdk_child import CHILD_SITE

pytest_plugins = ["pytester", "tests.services"]

IN_CI = os.environ.get("SENTRY_LITE_CI") == "1"

# Every child a test starts with this environment starts sentry_sdk lean (see
# tests/child_site/sitecustomize.py); children given their own PYTHONPATH add it themselves.
os.environ["PYTHONPATH"] = os.pathsep.join(
    [CHILD_SITE] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
)


def require(condition: bool, reason: str) -> None:
    """Skip when a needed binary/package is missing, except in CI where it is a failure."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def require_binary(name: str) -> str:
    path = shutil.which(name)
    require(path is not None, f"{name} is not installed")
    assert path is not None
    return path


def reset_sdk() -> None:
    """Forget the client and every scope, as if the process had just started."""
    client = Scope.get_global_scope().client
    if client is not None:
        client.close(timeout=0)
    Scope.get_global_scope().clear()
    Scope.get_global_scope().set_client(None)
    isolation_scope_var.set(None)
    current_scope_var.set(None)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    try:
        yield r
    finally:
        r.close()


@pytest.fixture
def make_transport(receiver: Receiver) -> Iterator[Callable[..., HttpTransport]]:
    """``make_transport(**options)``: an HttpTransport aimed at the receiver, killed after."""
    made: List[HttpTransport] = []

    def make(**options: Any) -> HttpTransport:
        options.setdefault("dsn", receiver.dsn())
        transport = HttpTransport(options)
        made.append(transport)
        return transport

    yield make
    for transport in made:
        transport.kill()


@pytest.fixture
def sentry_init(receiver: Receiver) -> Iterator[Callable[..., Any]]:
    """``sentry_init(**options)``: init against the test receiver; torn down after the test."""
    guards: List[Any] = []

    def _init(*args: Any, **options: Any) -> Any:
        if not args:
            options.setdefault("dsn", receiver.dsn())
        guard = sentry_lite.init(*args, **options)
        guards.append(guard)
        return guard

    reset_sdk()
    try:
        yield _init
    finally:
        for guard in guards:
            guard._client.close(timeout=2)
        reset_sdk()
