"""grpc (grpcio): server transactions and client spans for sync and ``grpc.aio`` calls.

Opt-in, as with sentry_sdk 2.75 (``integrations=[GRPCIntegration()]``). Set-up replaces
the factories apps make servers and channels with, so that every server and channel
made afterwards carries sentry-lite's interceptors (first in line):

- ``grpc.server`` / ``grpc.aio.server``: a ``grpc.server`` transaction per unary-unary
  call (``server.py``, ``aio/server.py``);
- ``grpc.insecure_channel`` / ``secure_channel`` and their ``grpc.aio`` namesakes: a
  ``grpc.client`` span per unary-unary and unary-stream call and the trace headers in
  its metadata (``client.py``, ``aio/client.py``); ``grpc.intercept_channel`` does not
  add the client interceptor to a channel that has it already.

Servers and channels made before ``init``, or from factories imported by name before
it (``from grpc import server``), are not instrumented; the interceptors can be passed
by hand then. Every interceptor asks at each call whether the integration is on.
"""

from __future__ import annotations

import functools
import inspect
import re
from typing import Any, Callable, List, Tuple

from sentry_lite.integrations import DidNotEnable, Integration
from sentry_lite.integrations.grpc.aio.client import (
    SentryUnaryStreamClientInterceptor,
    SentryUnaryUnaryClientInterceptor,
)
from sentry_lite.integrations.grpc.aio.server import ServerInterceptor as AsyncServerInterceptor
from sentry_lite.integrations.grpc.calls import IDENTIFIER
from sentry_lite.integrations.grpc.client import ClientInterceptor
from sentry_lite.integrations.grpc.server import ServerInterceptor

try:
    import grpc  # type: ignore[import-untyped]
    import grpc.aio  # type: ignore[import-untyped]
except ImportError as exc:  # pragma: no cover - exercised without grpcio installed
    raise DidNotEnable("grpcio is not installed") from exc

__all__ = ["GRPCIntegration"]

MIN_VERSION = (1, 32, 0)


def _version(text: str) -> Tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", text)[:3])


class GRPCIntegration(Integration):
    identifier = IDENTIFIER

    @staticmethod
    def setup_once() -> None:
        version = str(getattr(grpc, "__version__", "0"))
        if _version(version) < MIN_VERSION:
            raise DidNotEnable(f"grpcio {version} is older than 1.32")
        grpc.insecure_channel = _wrap_channel(grpc.insecure_channel)
        grpc.secure_channel = _wrap_channel(grpc.secure_channel)
        grpc.intercept_channel = _wrap_intercept_channel(grpc.intercept_channel)
        grpc.aio.insecure_channel = _with_interceptors(grpc.aio.insecure_channel, _aio_channel)
        grpc.aio.secure_channel = _with_interceptors(grpc.aio.secure_channel, _aio_channel)
        grpc.server = _with_interceptors(grpc.server, _sync_server)
        grpc.aio.server = _with_interceptors(grpc.aio.server, _aio_server(version))


def _has_client_interceptor(channel: Any) -> bool:
    """Is ``channel`` (an intercepted channel, maybe several deep) ours already?"""
    for _ in range(100):
        interceptor = getattr(channel, "_interceptor", None)
        if interceptor is None:
            return False
        if isinstance(interceptor, ClientInterceptor):
            return True
        channel = getattr(channel, "_channel", None)
    return False


def _wrap_channel(factory: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(factory)
    def sentry_lite_channel(*args: Any, **kwargs: Any) -> Any:
        channel = factory(*args, **kwargs)
        try:
            if not _has_client_interceptor(channel):
                return grpc.intercept_channel(channel, ClientInterceptor())
        except Exception:  # noqa: BLE001 - the app gets its channel, unobserved
            pass
        return channel

    return sentry_lite_channel


def _wrap_intercept_channel(intercept: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(intercept)
    def sentry_lite_intercept_channel(channel: Any, *interceptors: Any) -> Any:
        try:
            if _has_client_interceptor(channel):
                interceptors = tuple(
                    i for i in interceptors if not isinstance(i, ClientInterceptor)
                )
        except Exception:  # noqa: BLE001
            pass
        return intercept(channel, *interceptors)

    return sentry_lite_intercept_channel


def _with_interceptors(
    factory: Callable[..., Any], ours: Callable[[List[Any]], Any]
) -> Callable[..., Any]:
    """``factory`` with its ``interceptors`` argument (by keyword or position) replaced by
    ``ours(the app's interceptors)``."""
    try:
        position = list(inspect.signature(factory).parameters).index("interceptors")
    except (ValueError, TypeError):
        position = -1

    @functools.wraps(factory)
    def sentry_lite_factory(*args: Any, **kwargs: Any) -> Any:
        try:
            if 0 <= position < len(args):
                args = (*args[:position], ours(list(args[position] or ())), *args[position + 1 :])
            else:
                kwargs["interceptors"] = ours(list(kwargs.get("interceptors") or ()))
        except Exception:  # noqa: BLE001 - the app's own arguments, unchanged
            pass
        return factory(*args, **kwargs)

    return sentry_lite_factory


def _sync_server(interceptors: List[Any]) -> List[Any]:
    if any(isinstance(i, ServerInterceptor) for i in interceptors):
        return interceptors  # the app placed ours itself (with its find_name, maybe)
    return [ServerInterceptor(), *interceptors]


def _aio_server(version: str) -> Callable[[List[Any]], Any]:
    as_tuple = _version(version) < (1, 42, 0)  # grpcio before 1.42 takes only a tuple

    def interceptors_for(interceptors: List[Any]) -> Any:
        chain = interceptors
        if not any(isinstance(i, AsyncServerInterceptor) for i in interceptors):
            chain = [AsyncServerInterceptor(), *interceptors]
        return tuple(chain) if as_tuple else chain

    return interceptors_for


def _aio_channel(interceptors: List[Any]) -> List[Any]:
    ours: List[Any] = []
    if not any(isinstance(i, SentryUnaryUnaryClientInterceptor) for i in interceptors):
        ours.append(SentryUnaryUnaryClientInterceptor())
    if not any(isinstance(i, SentryUnaryStreamClientInterceptor) for i in interceptors):
        ours.append(SentryUnaryStreamClientInterceptor())
    return [*ours, *interceptors]
