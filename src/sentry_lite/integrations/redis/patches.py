"""The patched methods, sync and asyncio: ``execute_command`` of clients and
``execute`` of pipelines. Each asks, per call, whether the integration is on and not
inside a queue runner's own traffic, and falls back to the original method otherwise."""

from __future__ import annotations

from typing import Any, Callable, Sequence

from sentry_lite.integration_api import active_integration
from sentry_lite.integrations.quiet import is_quiet
from sentry_lite.integrations.redis.spans import (
    DbData,
    finish,
    finish_pipeline,
    start_command,
    start_pipeline,
)

__all__ = ["patch_async_client", "patch_async_pipeline", "patch_client", "patch_pipeline"]

IDENTIFIER = "redis"


def _integration() -> Any:
    if is_quiet():
        return None
    return active_integration(IDENTIFIER)


def _patched(method: Any) -> bool:
    return bool(getattr(method, "_sentry_lite", False))


def patch_client(cls: Any, is_cluster: bool, db_data: DbData) -> None:
    original = cls.execute_command
    if _patched(original):
        return

    def execute_command(self: Any, name: Any, *args: Any, **kwargs: Any) -> Any:
        integration = _integration()
        if integration is None:
            return original(self, name, *args, **kwargs)
        try:
            spans = start_command(integration, self, name, args, is_cluster, db_data)
        except Exception:
            spans = None
        if spans is None:
            return original(self, name, *args, **kwargs)
        try:
            result = original(self, name, *args, **kwargs)
        except BaseException as exc:
            finish(spans, name, args, None, exc)
            raise
        finish(spans, name, args, result, None)
        return result

    execute_command._sentry_lite = True  # type: ignore[attr-defined]
    cls.execute_command = execute_command


def patch_async_client(cls: Any, is_cluster: bool, db_data: DbData) -> None:
    original = cls.execute_command
    if _patched(original):
        return

    async def execute_command(self: Any, name: Any, *args: Any, **kwargs: Any) -> Any:
        integration = _integration()
        if integration is None:
            return await original(self, name, *args, **kwargs)
        try:
            spans = start_command(integration, self, name, args, is_cluster, db_data)
        except Exception:
            spans = None
        if spans is None:
            return await original(self, name, *args, **kwargs)
        try:
            result = await original(self, name, *args, **kwargs)
        except BaseException as exc:
            finish(spans, name, args, None, exc)
            raise
        finish(spans, name, args, result, None)
        return result

    execute_command._sentry_lite = True  # type: ignore[attr-defined]
    cls.execute_command = execute_command


def queued_commands(pipeline: Any) -> Sequence[Any]:
    """The commands waiting in a pipeline, wherever this redis-py version keeps them."""
    strategy = getattr(pipeline, "_execution_strategy", None)
    for holder, name in (
        (strategy, "command_queue"),
        (strategy, "_command_queue"),
        (pipeline, "command_stack"),
        (pipeline, "_command_stack"),
    ):
        commands = getattr(holder, name, None) if holder is not None else None
        if commands is not None:
            return commands  # type: ignore[no-any-return]
    return ()


def patch_pipeline(
    cls: Any,
    is_cluster: bool,
    args_of: Callable[[Any], Sequence[Any]],
    transaction_of: Callable[[Any], bool],
    db_data: DbData,
) -> None:
    original = cls.execute
    if _patched(original):
        return

    def execute(self: Any, *args: Any, **kwargs: Any) -> Any:
        if _integration() is None:
            return original(self, *args, **kwargs)
        try:
            span = start_pipeline(
                self, queued_commands(self), args_of, is_cluster, transaction_of(self), db_data
            )
        except Exception:
            span = None
        if span is None:
            return original(self, *args, **kwargs)
        try:
            result = original(self, *args, **kwargs)
        except BaseException as exc:
            finish_pipeline(span, exc)
            raise
        finish_pipeline(span, None)
        return result

    execute._sentry_lite = True  # type: ignore[attr-defined]
    cls.execute = execute


def patch_async_pipeline(
    cls: Any,
    is_cluster: bool,
    args_of: Callable[[Any], Sequence[Any]],
    transaction_of: Callable[[Any], bool],
    db_data: DbData,
) -> None:
    original = cls.execute
    if _patched(original):
        return

    async def execute(self: Any, *args: Any, **kwargs: Any) -> Any:
        if _integration() is None:
            return await original(self, *args, **kwargs)
        try:
            span = start_pipeline(
                self, queued_commands(self), args_of, is_cluster, transaction_of(self), db_data
            )
        except Exception:
            span = None
        if span is None:
            return await original(self, *args, **kwargs)
        try:
            result = await original(self, *args, **kwargs)
        except BaseException as exc:
            finish_pipeline(span, exc)
            raise
        finish_pipeline(span, None)
        return result

    execute._sentry_lite = True  # type: ignore[attr-defined]
    cls.execute = execute
