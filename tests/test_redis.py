"""Redis against a real redis-server and a real 3-node cluster: spans, breadcrumbs,
privacy, cache spans, failures, the serving cluster node and quiet blocks."""

from __future__ import annotations

import asyncio
from typing import Any, Callable, Dict, List

import pytest

import sentry_lite
from tests.receiver import Receiver
from tests.services import RedisClusterNodes, RedisServer

redis = pytest.importorskip("redis")
from sentry_lite.integrations.quiet import set_quiet, unset_quiet  # noqa: E402
from sentry_lite.integrations.redis import RedisIntegration  # noqa: E402


def redis_spans(receiver: Receiver) -> List[Dict[str, Any]]:
    sentry_lite.flush(5)
    return [s for t in receiver.transactions for s in t["spans"] if s["origin"] == "auto.db.redis"]


def init(sentry_init: Callable[..., Any], **options: Any) -> None:
    options.setdefault("traces_sample_rate", 1.0)
    integration = RedisIntegration(cache_prefixes=options.pop("cache_prefixes", []))
    sentry_init(integrations=[integration], **options)


def client(server: RedisServer) -> Any:
    return redis.Redis(host="127.0.0.1", port=server.port)


def test_command_spans_and_breadcrumbs(
    sentry_init: Callable[..., Any], receiver: Receiver, redis_db: RedisServer
) -> None:
    init(sentry_init)
    r = client(redis_db)
    with sentry_lite.start_transaction(name="t"):
        r.set("key", "value-secret")
        r.get("key")
        sentry_lite.capture_message("m")
    set_span, get_span = redis_spans(receiver)
    assert set_span["op"] == "db.redis"
    assert set_span["description"] == "SET 'key' [Filtered]"
    assert get_span["description"] == "GET 'key'"
    assert get_span["tags"] == {
        "redis.is_cluster": False,
        "redis.command": "GET",
        "db.operation": "GET",
        "redis.key": "key",
    }
    assert get_span["data"]["db.system"] == "redis"
    assert get_span["data"]["db.driver.name"] == "redis-py"
    assert get_span["data"]["db.name"] == "0"
    assert get_span["data"]["server.address"] == "127.0.0.1"
    assert get_span["data"]["server.port"] == redis_db.port
    crumbs = receiver.events[0]["breadcrumbs"]["values"]
    assert [c["message"] for c in crumbs] == ["SET 'key' [Filtered]", "GET 'key'"]
    assert crumbs[1]["data"]["redis.key"] == "key" and crumbs[1]["type"] == "redis"
    assert all(b"value-secret" not in r.body for r in receiver.requests)


def test_values_with_pii_and_auth_always_filtered(
    sentry_init: Callable[..., Any], receiver: Receiver, redis_db: RedisServer
) -> None:
    init(sentry_init, send_default_pii=True)
    r = client(redis_db)
    with sentry_lite.start_transaction(name="t"):
        r.set("key", "shown")
        r.execute_command("AUTH", "default", "hunter2-password")  # no password set: accepted
        with pytest.raises(redis.exceptions.ResponseError):
            r.lpush("key", "x")  # WRONGTYPE: the failed command still ends its span
    set_span, auth_span, failed = redis_spans(receiver)
    assert set_span["description"] == "SET 'key' 'shown'"
    assert auth_span["description"] == "AUTH [Filtered] [Filtered]"
    assert failed["description"] == "LPUSH 'key' 'x'"
    assert failed["status"] == "internal_error"
    assert all(b"hunter2-password" not in r.body for r in receiver.requests)


def test_pipelines(
    sentry_init: Callable[..., Any], receiver: Receiver, redis_db: RedisServer
) -> None:
    init(sentry_init)
    r = client(redis_db)
    with sentry_lite.start_transaction(name="t"):
        pipe = r.pipeline(transaction=False)
        for i in range(12):
            pipe.set(f"k{i}", "v")
        pipe.execute()
    (span,) = redis_spans(receiver)
    assert span["description"] == "redis.pipeline.execute"
    assert span["tags"] == {"redis.is_cluster": False, "redis.transaction": False}
    commands = span["data"]["redis.commands"]
    assert commands["count"] == 12 and len(commands["first_ten"]) == 10
    assert commands["first_ten"][0] == "SET 'k0' [Filtered]"


def test_cache_spans(
    sentry_init: Callable[..., Any], receiver: Receiver, redis_db: RedisServer
) -> None:
    init(sentry_init, cache_prefixes=["cache:"])
    r = client(redis_db)
    with sentry_lite.start_transaction(name="t"):
        r.set("cache:a", "12345")
        r.setex("cache:b", 60, "abc")
        r.get("cache:a")
        r.get("cache:none")
        r.get("other")
    spans = redis_spans(receiver)
    caches = [s for s in spans if s["op"].startswith("cache.")]
    put_a, put_b, hit, miss = caches
    assert put_a["op"] == "cache.put" and put_a["description"] == "cache:a"
    assert put_a["data"]["cache.key"] == ["cache:a"]
    assert put_a["data"]["cache.item_size"] == 5
    assert put_b["data"]["cache.item_size"] == 3  # the value, not the expiry
    assert hit["op"] == "cache.get" and hit["data"]["cache.hit"] is True
    assert hit["data"]["cache.item_size"] == 5
    assert miss["data"]["cache.hit"] is False and "cache.item_size" not in miss["data"]
    assert hit["data"]["network.peer.port"] == redis_db.port
    # The db span of a cached command is the cache span's child.
    db_of_hit = next(s for s in spans if s["description"] == "GET 'cache:a'")
    assert db_of_hit["parent_span_id"] == hit["span_id"]
    assert len([s for s in spans if s["op"] == "db.redis"]) == 5


def test_asyncio_client_and_pipeline(
    sentry_init: Callable[..., Any], receiver: Receiver, redis_db: RedisServer
) -> None:
    import redis.asyncio as aioredis

    init(sentry_init)

    async def main() -> None:
        r = aioredis.Redis(host="127.0.0.1", port=redis_db.port)
        with sentry_lite.start_transaction(name="t"):
            await r.set("a", "1")
            pipe = r.pipeline(transaction=True)
            pipe.get("a")
            await pipe.execute()
        await r.aclose()

    asyncio.run(main())
    set_span, pipe_span = redis_spans(receiver)
    assert set_span["description"] == "SET 'a' [Filtered]"
    assert pipe_span["tags"]["redis.transaction"] is True
    assert pipe_span["data"]["redis.commands"]["first_ten"] == ["GET 'a'"]


def test_cluster_names_the_serving_node(
    sentry_init: Callable[..., Any], receiver: Receiver, redis_cluster: RedisClusterNodes
) -> None:
    from redis.cluster import RedisCluster

    init(sentry_init)
    cluster = RedisCluster(host="127.0.0.1", port=redis_cluster.ports[0])
    keys = ["alpha", "beta", "gamma", "delta"]
    with sentry_lite.start_transaction(name="t"):
        for key in keys:
            cluster.set(key, "v")
        pipe = cluster.pipeline()
        pipe.get("alpha")
        pipe.execute()
    spans = redis_spans(receiver)
    ports = [cluster.get_node_from_key(k).port for k in keys]
    assert len(set(ports)) > 1
    assert [s["data"]["server.port"] for s in spans[:4]] == ports
    assert all(s["tags"]["redis.is_cluster"] is True for s in spans)
    assert spans[4]["description"] == "redis.pipeline.execute"
    cluster.close()


def test_async_cluster_names_the_serving_node(
    sentry_init: Callable[..., Any], receiver: Receiver, redis_cluster: RedisClusterNodes
) -> None:
    from redis.asyncio.cluster import RedisCluster

    init(sentry_init)
    keys = ["alpha", "beta", "gamma"]
    ports: List[int] = []

    async def main() -> None:
        cluster = RedisCluster(host="127.0.0.1", port=redis_cluster.ports[0])
        await cluster.initialize()
        with sentry_lite.start_transaction(name="t"):
            for key in keys:
                await cluster.set(key, "v")
        ports.extend(cluster.get_node_from_key(k).port for k in keys)
        await cluster.aclose()

    asyncio.run(main())
    spans = redis_spans(receiver)
    assert [s["data"]["server.port"] for s in spans] == ports


def test_quiet_blocks_record_nothing(
    sentry_init: Callable[..., Any], receiver: Receiver, redis_db: RedisServer
) -> None:
    init(sentry_init)
    r = client(redis_db)
    with sentry_lite.start_transaction(name="t"):
        token = set_quiet(True)
        try:
            r.set("runner", "internal")
        finally:
            unset_quiet(token)
        r.get("app")
        sentry_lite.capture_message("m")
    assert [s["description"] for s in redis_spans(receiver)] == ["GET 'app'"]
    assert [c["message"] for c in receiver.events[0]["breadcrumbs"]["values"]] == ["GET 'app'"]


class Hostile(str):
    def __repr__(self) -> str:
        raise RuntimeError("no repr")


def test_hostile_arguments_never_break_the_command(
    sentry_init: Callable[..., Any], receiver: Receiver, redis_db: RedisServer
) -> None:
    init(sentry_init, send_default_pii=True)
    r = client(redis_db)
    with sentry_lite.start_transaction(name="t"):
        r.execute_command("SET", "k", Hostile("hostile"))
    assert r.get("k") == b"hostile"
    (span,) = redis_spans(receiver)
    assert span["description"] == "SET"


def test_streaming_attributes(
    sentry_init: Callable[..., Any], receiver: Receiver, redis_db: RedisServer
) -> None:
    """Streaming mode: sentry_sdk's ``db.query.text`` (the whole command, not cut at
    ``max_data_size``) and ``db.namespace`` for the database index."""
    sentry_init(
        traces_sample_rate=1.0,
        trace_lifecycle="stream",
        integrations=[RedisIntegration(max_data_size=10)],
    )
    r = client(redis_db)
    with sentry_lite.traces.start_span(name="job"):
        r.get("a-rather-long-key")
    sentry_lite.flush(5)
    spans = [s for item in receiver.items("span") for s in item.get_json()["items"]]
    (span,) = [s for s in spans if s["attributes"]["sentry.origin"]["value"] == "auto.db.redis"]
    attributes = {k: v["value"] for k, v in span["attributes"].items()}
    assert span["name"] == "GET 'a-..."  # the description is cut
    assert attributes["db.query.text"] == "GET 'a-rather-long-key'"
    assert attributes["db.namespace"] == "0"
    assert "db.name" not in attributes
