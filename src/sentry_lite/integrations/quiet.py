"""Blocks in which a library's own storage traffic is not recorded.

A Celery worker stores results and acknowledges messages through Redis, an RQ worker
keeps its job registries there, arq and huey fetch jobs and store results there: that
traffic is the task runner's, not the task's, and
sentry_sdk fills every task's transaction and breadcrumbs with it. The queue
integrations mark their own machinery quiet and the task's code loud again; the data
integrations (Redis) record nothing while it is quiet. One contextvar read per command.
"""

from __future__ import annotations

from contextvars import ContextVar, Token

__all__ = ["is_quiet", "set_quiet", "unset_quiet"]

_quiet: ContextVar[bool] = ContextVar("sentry_lite_quiet", default=False)

is_quiet = _quiet.get
"""True inside a queue runner's own machinery: data integrations record nothing."""


def set_quiet(on: bool) -> Token[bool]:
    """Enter a quiet (or, with False, a loud) block; pass the token to ``unset_quiet``."""
    return _quiet.set(on)


def unset_quiet(token: Token[bool]) -> None:
    try:
        _quiet.reset(token)
    except ValueError:  # left in another context: keep what that context has
        pass
