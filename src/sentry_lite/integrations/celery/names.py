"""Celery names the integration's modules share: what it imports from Celery, the header
names it adds to task messages, and its identity."""

from __future__ import annotations

from typing import Tuple, Type

from sentry_lite.integrations import DidNotEnable

try:
    from celery import __version__ as CELERY_VERSION
    from celery.exceptions import Ignore, Reject, Retry, SoftTimeLimitExceeded
except ImportError as exc:  # pragma: no cover - exercised without celery installed
    raise DidNotEnable("Celery is not installed") from exc

__all__ = [
    "CELERY_VERSION",
    "CONTROL_FLOW",
    "ENQUEUED_TIME_HEADER",
    "IDENTIFIER",
    "ORIGIN",
    "PROPAGATE_HEADER",
    "SoftTimeLimitExceeded",
]

IDENTIFIER = "celery"
ORIGIN = f"auto.queue.{IDENTIFIER}"

CONTROL_FLOW: Tuple[Type[BaseException], ...] = (Retry, Ignore, Reject)
"""Exceptions a task raises to steer Celery, not failures: never reported."""

ENQUEUED_TIME_HEADER = "sentry-task-enqueued-time"
"""When the producer sent the task (epoch seconds): the worker's receive latency."""
PROPAGATE_HEADER = "sentry-propagate-traces"
"""Per-call override of ``propagate_traces`` (``headers={PROPAGATE_HEADER: False}``)."""
MONITOR_START_HEADER = "sentry-monitor-start-timestamp-s"
MONITOR_SLUG_HEADER = "sentry-monitor-slug"
MONITOR_CONFIG_HEADER = "sentry-monitor-config"
MONITOR_CHECK_IN_HEADER = "sentry-monitor-check-in-id"
