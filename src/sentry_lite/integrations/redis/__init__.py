"""Redis (redis-py): a ``db.redis`` span, tags and a breadcrumb per command, as sentry_sdk.

Covers ``Redis``/``StrictRedis`` and their pipelines, ``redis.asyncio`` clients and
pipelines, and ``RedisCluster`` (sync and asyncio) with its pipelines. Keys under
``cache_prefixes`` also get ``cache.get``/``cache.put`` spans. ``AUTH`` arguments are
always filtered, other values unless PII is allowed (``commands.argument_values``).

Differences from sentry_sdk, on purpose: on a cluster, a command's span names the node
that served it (sentry_sdk names the default node); a command that raises still ends
its span, with ``internal_error``; nothing is recorded while a queue runner (Celery,
RQ) talks to Redis for itself (``integrations.quiet``).
"""

from __future__ import annotations

import warnings
from typing import Any, Dict, List, Optional, Sequence

from sentry_lite.consts import OP, SPANDATA
from sentry_lite.integration_api import active_span
from sentry_lite.integrations import DidNotEnable, Integration
from sentry_lite.integrations.redis.commands import connection_data
from sentry_lite.integrations.redis.patches import (
    patch_async_client,
    patch_async_pipeline,
    patch_client,
    patch_pipeline,
)
from sentry_lite.integrations.redis.spans import ORIGIN

try:
    import redis  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised without redis installed
    raise DidNotEnable("redis-py is not installed") from exc

__all__ = ["RedisIntegration"]


class RedisIntegration(Integration):
    identifier = "redis"

    def __init__(
        self, max_data_size: Optional[int] = None, cache_prefixes: Optional[List[str]] = None
    ) -> None:
        self.max_data_size = max_data_size
        self.cache_prefixes = list(cache_prefixes) if cache_prefixes is not None else []
        if max_data_size is not None:
            warnings.warn(
                "The `max_data_size` parameter of `RedisIntegration` is deprecated "
                "(as in sentry_sdk, which removes it in 3.0).",
                DeprecationWarning,
                stacklevel=2,
            )

    @staticmethod
    def setup_once() -> None:
        try:
            from redis import StrictRedis, client
        except ImportError as exc:
            raise DidNotEnable("redis-py is not installed") from exc
        patch_client(StrictRedis, False, _client_data)
        for name in ("Pipeline", "StrictPipeline"):
            cls = getattr(client, name, None)
            if cls is not None:
                patch_pipeline(cls, False, _stack_args, _is_transaction, _client_data)
        _patch_asyncio()
        _patch_cluster()


# -- connection data per client kind -------------------------------------------------------


def _client_data(client: Any) -> Dict[str, Any]:
    try:
        return connection_data(client.connection_pool.connection_kwargs)
    except AttributeError:
        return {}


def _cluster_data(cluster: Any) -> Dict[str, Any]:
    """The default node; the node that serves a command replaces it (``_note_node``)."""
    node = cluster.get_default_node()
    if node is None:
        return {}
    return connection_data({"host": node.host, "port": node.port})


def _async_cluster_data(cluster: Any) -> Dict[str, Any]:
    node = cluster.get_default_node()
    if node is None or node.connection_kwargs is None:
        return {}
    return connection_data(node.connection_kwargs)


def _async_cluster_pipeline_data(pipeline: Any) -> Dict[str, Any]:
    cluster = getattr(pipeline, "cluster_client", None) or getattr(pipeline, "_client", None)
    return _async_cluster_data(cluster) if cluster is not None else {}


def _stack_args(command: Any) -> Sequence[Any]:
    return command[0]  # type: ignore[no-any-return]


def _command_args(command: Any) -> Sequence[Any]:
    return command.args  # type: ignore[no-any-return]


def _is_transaction(pipeline: Any) -> bool:
    return bool(pipeline.transaction)


def _is_async_transaction(pipeline: Any) -> bool:
    return bool(pipeline.is_transaction)


def _not_transaction(pipeline: Any) -> bool:
    return False


# -- asyncio and cluster ---------------------------------------------------------------------


def _patch_asyncio() -> None:
    try:
        from redis.asyncio import client as async_client
    except ImportError:
        return
    patch_async_client(async_client.StrictRedis, False, _client_data)
    patch_async_pipeline(
        async_client.Pipeline, False, _stack_args, _is_async_transaction, _client_data
    )


def _note_node(original: Any) -> Any:
    """``RedisCluster.get_redis_connection(node)`` runs for each node a command is sent
    to, redirections included: the last one served it. Put it on the running span."""
    if getattr(original, "_sentry_lite", False):
        return original

    def get_redis_connection(self: Any, node: Any) -> Any:
        _record_node(node)
        return original(self, node)

    get_redis_connection._sentry_lite = True  # type: ignore[attr-defined]
    return get_redis_connection


def _note_async_node(original: Any) -> Any:
    """The asyncio ``ClusterNode.execute_command``: the node itself, per attempt."""
    if getattr(original, "_sentry_lite", False):
        return original

    async def execute_command(self: Any, *args: Any, **kwargs: Any) -> Any:
        _record_node(self)
        return await original(self, *args, **kwargs)

    execute_command._sentry_lite = True  # type: ignore[attr-defined]
    return execute_command


def _record_node(node: Any) -> None:
    try:
        span = active_span()
        if span is None or span.op != OP.DB_REDIS or span.origin != ORIGIN:
            return
        span.set_data(SPANDATA.SERVER_ADDRESS, node.host)
        span.set_data(SPANDATA.SERVER_PORT, node.port)
    except Exception:
        pass


def _patch_cluster() -> None:
    try:
        from redis import cluster
    except ImportError:
        cluster = None  # type: ignore[assignment]
    if cluster is not None and hasattr(cluster, "RedisCluster"):
        patch_client(cluster.RedisCluster, True, _cluster_data)
        patch_pipeline(
            cluster.ClusterPipeline, True, _command_args, _not_transaction, _cluster_data
        )
        if hasattr(cluster.RedisCluster, "get_redis_connection"):
            cluster.RedisCluster.get_redis_connection = _note_node(  # type: ignore[method-assign]
                cluster.RedisCluster.get_redis_connection
            )
    try:
        from redis.asyncio import cluster as async_cluster
    except ImportError:
        return
    patch_async_client(async_cluster.RedisCluster, True, _async_cluster_data)
    patch_async_pipeline(
        async_cluster.ClusterPipeline,
        True,
        _command_args,
        _not_transaction,
        _async_cluster_pipeline_data,
    )
    node_cls = getattr(async_cluster, "ClusterNode", None)
    if node_cls is not None and hasattr(node_cls, "execute_command"):
        node_cls.execute_command = _note_async_node(node_cls.execute_command)
