"""Names shared across the SDK: version, SDK identity, and sentry_sdk's constant names.

Limits live in :mod:`sentry_lite.limits`; the ones sentry_sdk exports from its
``consts`` are re-exported here under the same names.
"""

from __future__ import annotations

from enum import Enum

from sentry_lite.conventions import OpConventions, SpanDataConventions
from sentry_lite.limits import (
    CONTEXT_LINES,
    DEFAULT_MAX_BREADCRUMBS,
    DEFAULT_MAX_STACK_FRAMES,
    DEFAULT_MAX_VALUE_LENGTH,
    DEFAULT_QUEUE_SIZE,
    DEFAULT_SHUTDOWN_TIMEOUT,
    MAX_DATABAG_BREADTH,
    MAX_DATABAG_DEPTH,
    MAX_EVENT_BYTES,
)
from sentry_lite.sdk_identity import SDK_NAME, SDK_PACKAGE, VERSION

__all__ = [
    "CONTEXT_LINES",
    "DEFAULT_MAX_BREADCRUMBS",
    "DEFAULT_MAX_STACK_FRAMES",
    "DEFAULT_MAX_VALUE_LENGTH",
    "DEFAULT_QUEUE_SIZE",
    "DEFAULT_SHUTDOWN_TIMEOUT",
    "MAX_DATABAG_BREADTH",
    "MAX_DATABAG_DEPTH",
    "MAX_EVENT_BYTES",
    "OP",
    "SDK_NAME",
    "SDK_PACKAGE",
    "SPANDATA",
    "USER_AGENT",
    "VERSION",
]

USER_AGENT = f"sentry-lite/{VERSION}"


# -- issue 12 (SQLAlchemy, Redis, Celery, RQ, crons): sentry_sdk's span names ------------


class OP(OpConventions):
    """Span operations (``span.op``) the data and queue integrations use, as sentry_sdk."""

    CACHE_GET = "cache.get"
    CACHE_PUT = "cache.put"
    DB = "db"
    DB_REDIS = "db.redis"
    FUNCTION = "function"
    HTTP_CLIENT = "http.client"
    QUEUE_PROCESS = "queue.process"
    QUEUE_PUBLISH = "queue.publish"
    QUEUE_SUBMIT_CELERY = "queue.submit.celery"
    QUEUE_TASK_CELERY = "queue.task.celery"
    QUEUE_TASK_RQ = "queue.task.rq"
    SUBPROCESS = "subprocess"


class SPANDATA(SpanDataConventions):
    """Span data keys (OpenTelemetry semantic conventions, as sentry_sdk names them)."""

    CACHE_HIT = "cache.hit"
    CACHE_ITEM_SIZE = "cache.item_size"
    CACHE_KEY = "cache.key"
    CODE_FILEPATH = "code.filepath"
    CODE_FUNCTION = "code.function"
    CODE_LINENO = "code.lineno"
    CODE_NAMESPACE = "code.namespace"
    DB_DRIVER_NAME = "db.driver.name"
    DB_NAME = "db.name"
    DB_OPERATION = "db.operation"
    DB_PARAMS = "db.params"
    DB_PARAMSTYLE = "db.paramstyle"
    DB_SYSTEM = "db.system"
    DB_EXECUTEMANY = "db.executemany"
    MESSAGING_DESTINATION_NAME = "messaging.destination.name"
    MESSAGING_MESSAGE_ID = "messaging.message.id"
    MESSAGING_MESSAGE_RECEIVE_LATENCY = "messaging.message.receive.latency"
    MESSAGING_MESSAGE_RETRY_COUNT = "messaging.message.retry.count"
    MESSAGING_SYSTEM = "messaging.system"
    NETWORK_PEER_ADDRESS = "network.peer.address"
    NETWORK_PEER_PORT = "network.peer.port"
    SERVER_ADDRESS = "server.address"
    SERVER_PORT = "server.port"
    THREAD_ID = "thread.id"
    THREAD_NAME = "thread.name"


# -- i11core: the rest of sentry_sdk.consts (conventions.py holds the tables) -------------

from sentry_lite.conventions import (  # noqa: E402
    INSTRUMENTER,
    SPANNAME,
    SPANSTATUS,
)
from sentry_lite.option_table import OPTIONS as _OPTION_SPECS  # noqa: E402

__all__ += [
    "DEFAULT_ADD_FULL_STACK",
    "DEFAULT_OPTIONS",
    "FALSE_VALUES",
    "INSTRUMENTER",
    "MATCH_ALL",
    "SPANNAME",
    "SPANSTATUS",
    "SPANTEMPLATE",
    "CompressionAlgo",
    "EndpointType",
]

DEFAULT_ADD_FULL_STACK = False
"""``add_full_stack``'s default."""
MATCH_ALL = r".*"
"""The pattern that matches every URL (``trace_propagation_targets``' default)."""
FALSE_VALUES = ["false", "no", "off", "n", "0"]
"""Environment values read as False, as sentry_sdk lists them."""
DEFAULT_OPTIONS = {spec.name: spec.default for spec in _OPTION_SPECS}
"""Every init option and its default (built from the one option table)."""


# The enums sentry_sdk.consts has: here rather than in ``conventions`` (which tracing loads
# at ``import sentry_lite``), as building an Enum class costs 0.05-0.1 ms each.


class SPANTEMPLATE(str, Enum):
    """What ``@trace(template=...)`` makes of a function's span (AI agent, tool, chat)."""

    DEFAULT = "default"
    AI_AGENT = "ai_agent"
    AI_TOOL = "ai_tool"
    AI_CHAT = "ai_chat"

    def __str__(self) -> str:
        return str(self.value)


class CompressionAlgo(Enum):
    GZIP = "gzip"
    BROTLI = "br"


class EndpointType(Enum):
    ENVELOPE = "envelope"
    OTLP_TRACES = "integration/otlp/v1/traces"
