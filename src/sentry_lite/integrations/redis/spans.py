"""One Redis command or pipeline as a breadcrumb and spans: shared by the sync and the
asyncio patches, which only differ in how they call the original method."""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional, Sequence, Tuple

from sentry_lite.consts import OP, SPANDATA
from sentry_lite.integration_api import (
    SPANSTATUS,
    Span,
    StreamedSpanView,
    active_span,
    add_breadcrumb,
    child_span,
)
from sentry_lite.integrations.redis.cache import cache_op, cache_result_data, cache_target
from sentry_lite.integrations.redis.commands import (
    breadcrumb_data,
    describe,
    pipeline_commands,
    single_key,
)

__all__ = ["ORIGIN", "CommandSpans", "finish", "start_command", "start_pipeline"]

ORIGIN = "auto.db.redis"

DbData = Callable[[Any], Dict[str, Any]]
"""Connection data (``db.*``, ``server.*``) of a client or pipeline."""

CommandSpans = Tuple[Span, Optional[Span], Any]
"""(db span, cache span or None, cache keys) of a running command."""


def start_command(
    integration: Any,
    client: Any,
    name: str,
    args: Sequence[Any],
    is_cluster: bool,
    db_data: DbData,
) -> Optional[CommandSpans]:
    """Breadcrumb now; the spans (entered) when the command is traced, else None."""
    description = describe(name, args, integration.max_data_size)
    key = single_key(name, args)
    add_breadcrumb(
        {
            "message": description,
            "type": "redis",
            "category": "redis",
            "data": breadcrumb_data(name, key, is_cluster),
        }
    )
    if active_span() is None:  # tracing off or no transaction: the breadcrumb is all
        return None
    cache_span = None
    cache_keys = None
    target = cache_target(name, args, integration.cache_prefixes)
    if target is not None:
        cache_keys, cache_description = target
        max_size = integration.max_data_size
        if max_size and len(cache_description) > max_size:
            cache_description = cache_description[: max_size - 3] + "..."
        cache_span = child_span(cache_op(name) or OP.CACHE_GET, cache_description, ORIGIN)
        if cache_span is not None:
            cache_span.__enter__()
    span = child_span(OP.DB_REDIS, description, ORIGIN)
    if span is None:
        if cache_span is not None:
            cache_span.__exit__(None, None, None)
        return None
    span.__enter__()
    try:
        span.update_data(db_data(client))
    except Exception:
        pass
    if isinstance(span, StreamedSpanView):  # sentry_sdk's streaming attribute, not cut
        query_text = describe(name, args, 0)
        span.set_data("db.query.text", query_text)
        if cache_span is not None:
            cache_span.set_data("db.query.text", query_text)
    span.set_tag("redis.is_cluster", is_cluster)
    if name:
        span.set_tag("redis.command", name)
        span.set_tag(SPANDATA.DB_OPERATION, name)
    if key is not None:
        span.set_tag("redis.key", key)
    return span, cache_span, cache_keys


def finish(
    spans: CommandSpans,
    name: str,
    args: Sequence[Any],
    result: Any,
    error: Optional[BaseException],
) -> None:
    """Close the spans (``internal_error`` when the command raised)."""
    span, cache_span, cache_keys = spans
    if error is not None:
        span.set_status(SPANSTATUS.INTERNAL_ERROR)
    span.__exit__(None, None, None)
    if cache_span is None:
        return
    try:
        if error is None:
            cache_span.update_data(cache_result_data(name, args, cache_keys, result))
        else:
            cache_span.set_status(SPANSTATUS.INTERNAL_ERROR)
        data = span.get_data()
        for source, target in (
            (SPANDATA.SERVER_ADDRESS, SPANDATA.NETWORK_PEER_ADDRESS),
            (SPANDATA.SERVER_PORT, SPANDATA.NETWORK_PEER_PORT),
        ):
            if source in data:
                cache_span.set_data(target, data[source])
    finally:
        cache_span.__exit__(None, None, None)


def start_pipeline(
    pipeline: Any,
    commands: Sequence[Any],
    args_of: Callable[[Any], Sequence[Any]],
    is_cluster: bool,
    transaction: bool,
    db_data: DbData,
) -> Optional[Span]:
    add_breadcrumb(
        message="redis.pipeline.execute",
        type="redis",
        category="redis",
        data={"redis.is_cluster": is_cluster, "redis.transaction": transaction},
    )
    span = child_span(OP.DB_REDIS, "redis.pipeline.execute", ORIGIN)
    if span is None:
        return None
    span.__enter__()
    try:
        span.update_data(db_data(pipeline))
        span.set_data("redis.commands", pipeline_commands(commands, args_of))
    except Exception:
        pass
    span.set_tag("redis.is_cluster", is_cluster)
    span.set_tag("redis.transaction", transaction)
    return span


def finish_pipeline(span: Span, error: Optional[BaseException]) -> None:
    if error is not None:
        span.set_status(SPANSTATUS.INTERNAL_ERROR)
    span.__exit__(None, None, None)
