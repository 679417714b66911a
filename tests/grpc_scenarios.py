"""gRPC scenarios run under sentry_sdk or sentry_lite in a fresh interpreter.

Usage: python -m tests.grpc_scenarios <sdk module> <dsn> <scenario>. Each scenario
starts a real grpcio server on a free 127.0.0.1 port (sync or ``grpc.aio``), made with
the factories the integration instruments, and calls it through a real channel: unary
calls that succeed, raise or abort, and the three streaming kinds, inside a client
transaction (or segment) and outside one. The service is written with generic handlers
and bytes messages, so no protoc is needed. The last stdout line is JSON: the trace
headers each unary call's server saw.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import sys
from concurrent import futures
from typing import Any, Dict, List

import grpc
import grpc.aio

SERVICE = "scenario.Echo"
SEEN: List[Dict[str, str]] = []
"""The trace headers of each unary call, as the server received them."""

SCENARIOS: Dict[str, Dict[str, Any]] = {
    "sync_traced": {"traces_sample_rate": 1.0},
    "sync_untraced": {},
    "sync_streamed": {"traces_sample_rate": 1.0, "trace_lifecycle": "stream"},
    "aio_traced": {"traces_sample_rate": 1.0},
    "aio_untraced": {},
    "aio_streamed": {"traces_sample_rate": 1.0, "trace_lifecycle": "stream"},
}


def _seen(context: Any) -> None:
    metadata = dict(context.invocation_metadata() or ())
    SEEN.append({k: v for k, v in metadata.items() if k in ("sentry-trace", "baggage")})


# -- the service, sync -------------------------------------------------------------------


def _sync_handlers(sdk: Any) -> Any:
    def unary(request: bytes, context: Any) -> bytes:
        _seen(context)
        sdk.set_tag("handler", "unary")
        with sdk.start_span(op="work", name="inside the handler"):
            pass
        if request == b"fail":
            raise ValueError("the handler failed")
        if request == b"abort":
            context.abort(grpc.StatusCode.NOT_FOUND, "no such thing")
        return request.upper()

    def unary_stream(request: bytes, context: Any) -> Any:
        for i in range(3):
            yield request + str(i).encode()

    def stream_unary(requests: Any, context: Any) -> bytes:
        return b"".join(requests)

    def stream_stream(requests: Any, context: Any) -> Any:
        yield from requests

    return grpc.method_handlers_generic_handler(
        SERVICE,
        {
            "Unary": grpc.unary_unary_rpc_method_handler(unary),
            "UnaryStream": grpc.unary_stream_rpc_method_handler(unary_stream),
            "StreamUnary": grpc.stream_unary_rpc_method_handler(stream_unary),
            "StreamStream": grpc.stream_stream_rpc_method_handler(stream_stream),
        },
    )


def _calls(sdk: Any, channel: Any) -> None:
    unary = channel.unary_unary(f"/{SERVICE}/Unary")
    assert unary(b"hello") == b"HELLO"
    for request in (b"fail", b"abort"):
        try:
            unary(request)
        except grpc.RpcError:
            pass
    assert list(channel.unary_stream(f"/{SERVICE}/UnaryStream")(b"n")) == [b"n0", b"n1", b"n2"]
    assert channel.stream_unary(f"/{SERVICE}/StreamUnary")(iter([b"a", b"b"])) == b"ab"
    assert list(channel.stream_stream(f"/{SERVICE}/StreamStream")(iter([b"c"]))) == [b"c"]


def run_sync(sdk: Any, streamed: bool) -> None:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    server.add_generic_rpc_handlers((_sync_handlers(sdk),))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            outer = sdk.traces.start_span(name="client") if streamed else None
            if outer is None:
                outer = sdk.start_transaction(name="client", op="test")
            with outer:
                _calls(sdk, channel)
            channel.unary_unary(f"/{SERVICE}/Unary")(b"outside")
    finally:
        server.stop(None).wait()


# -- the service, grpc.aio -----------------------------------------------------------------


def _aio_handlers(sdk: Any) -> Any:
    async def unary(request: bytes, context: Any) -> bytes:
        _seen(context)
        sdk.set_tag("handler", "unary")
        with sdk.start_span(op="work", name="inside the handler"):
            pass
        if request == b"fail":
            raise ValueError("the handler failed")
        if request == b"abort":
            await context.abort(grpc.StatusCode.NOT_FOUND, "no such thing")
        return request.upper()

    async def unary_stream(request: bytes, context: Any) -> Any:
        for i in range(3):
            yield request + str(i).encode()

    async def stream_unary(requests: Any, context: Any) -> bytes:
        return b"".join([r async for r in requests])

    async def stream_stream(requests: Any, context: Any) -> Any:
        async for request in requests:
            yield request

    return grpc.method_handlers_generic_handler(
        SERVICE,
        {
            "Unary": grpc.unary_unary_rpc_method_handler(unary),
            "UnaryStream": grpc.unary_stream_rpc_method_handler(unary_stream),
            "StreamUnary": grpc.stream_unary_rpc_method_handler(stream_unary),
            "StreamStream": grpc.stream_stream_rpc_method_handler(stream_stream),
        },
    )


async def _aio_calls(channel: Any) -> None:
    unary = channel.unary_unary(f"/{SERVICE}/Unary")
    assert await unary(b"hello") == b"HELLO"
    for request in (b"fail", b"abort"):
        try:
            await unary(request)
        except grpc.RpcError:
            pass
    got = [r async for r in channel.unary_stream(f"/{SERVICE}/UnaryStream")(b"n")]
    assert got == [b"n0", b"n1", b"n2"]
    assert await channel.stream_unary(f"/{SERVICE}/StreamUnary")(iter([b"a", b"b"])) == b"ab"
    got = [r async for r in channel.stream_stream(f"/{SERVICE}/StreamStream")(iter([b"c"]))]
    assert got == [b"c"]


async def run_aio(sdk: Any, streamed: bool) -> None:
    server = grpc.aio.server()
    server.add_generic_rpc_handlers((_aio_handlers(sdk),))
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            outer = sdk.traces.start_span(name="client") if streamed else None
            if outer is None:
                outer = sdk.start_transaction(name="client", op="test")
            with outer:
                await _aio_calls(channel)
            await channel.unary_unary(f"/{SERVICE}/Unary")(b"outside")
    finally:
        await server.stop(None)


def main() -> None:
    module_name, dsn, name = sys.argv[1:4]
    logging.getLogger("asyncio").disabled = True
    sdk = importlib.import_module(module_name)
    importlib.import_module(f"{module_name}.traces")
    grpc_module = importlib.import_module(f"{module_name}.integrations.grpc")
    sdk.init(
        dsn=dsn,
        release="grpc@1",
        environment="test",
        server_name="host",
        integrations=[grpc_module.GRPCIntegration()],
        auto_enabling_integrations=False,  # sentry_sdk would import every library installed
        **SCENARIOS[name],
    )
    streamed = name.endswith("streamed")
    if name.startswith("sync"):
        run_sync(sdk, streamed)
    else:
        asyncio.run(run_aio(sdk, streamed))
    sdk.flush(10)
    print(json.dumps(SEEN))


if __name__ == "__main__":
    main()
