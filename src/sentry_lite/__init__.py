"""sentry-lite: a small, fast, drop-in SDK for the Sentry protocol.

``import sentry_lite as sentry_sdk`` works for code written against sentry_sdk 2.x.
"""

from typing import TYPE_CHECKING, Any

from sentry_lite import api, crons, integrations, profiler
from sentry_lite.api import (
    add_attachment,
    add_breadcrumb,
    add_event_processor,
    add_global_event_processor,
    capture_event,
    capture_exception,
    capture_message,
    configure_scope,
    continue_trace,
    flush,
    flush_async,
    get_baggage,
    get_client,
    get_current_scope,
    get_current_span,
    get_global_scope,
    get_isolation_scope,
    get_traceparent,
    init,
    is_initialized,
    isolation_scope,
    last_event_id,
    new_scope,
    push_scope,
    set_context,
    set_extra,
    set_level,
    set_measurement,
    set_tag,
    set_tags,
    set_transaction_name,
    set_user,
    start_span,
    start_transaction,
    trace,
    update_current_span,
)
from sentry_lite.crons import monitor
from sentry_lite.dsn import BadDsn
from sentry_lite.hub import Hub
from sentry_lite.scope import Scope

setattr(api, "monitor", monitor)  # noqa: B010 - sentry_sdk.api.monitor (crons imports api)

_LOADED_ON_USE = {
    "VERSION": "sentry_lite.consts",
    "Client": "sentry_lite.client",
    "Envelope": "sentry_lite.envelope",
    "Transport": "sentry_lite.transport.base",
    "HttpTransport": "sentry_lite.transport.http",
    "install_as_sentry_sdk": "sentry_lite.sdk_alias",
}
"""Names whose modules load on first use, not at ``import sentry_lite``: the client,
envelopes and transports (with urllib3) are only needed once ``init`` runs, and
``consts`` (with its span conventions) is loaded by the client."""


_SUBMODULES_ON_USE = frozenset({"logger", "metrics", "traces"})
"""Submodules that load on first use (``sentry_lite.logger.info(...)``): most apps never
touch them, and ``from sentry_lite import logger`` imports them as any submodule."""


def __getattr__(name: str) -> Any:
    import importlib

    if name in _SUBMODULES_ON_USE:
        value: Any = importlib.import_module(f"sentry_lite.{name}")
        globals()[name] = value
        return value
    if name == "__version__":
        name = "VERSION"
    module = _LOADED_ON_USE.get(name)
    if module is None:
        raise AttributeError(f"module 'sentry_lite' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    if name == "VERSION":
        globals()["__version__"] = value
    return value


if TYPE_CHECKING:
    from sentry_lite import logger, metrics, traces
    from sentry_lite.client import Client
    from sentry_lite.consts import VERSION
    from sentry_lite.envelope import Envelope
    from sentry_lite.sdk_alias import install_as_sentry_sdk
    from sentry_lite.transport.base import Transport
    from sentry_lite.transport.http import HttpTransport

    __version__ = VERSION


api.use_integration_setup(integrations.setup_integrations)

__all__ = [
    "VERSION",
    "BadDsn",
    "Client",
    "Envelope",
    "HttpTransport",
    "Hub",
    "Scope",
    "Transport",
    "add_attachment",
    "add_breadcrumb",
    "add_event_processor",
    "add_global_event_processor",
    "capture_event",
    "capture_exception",
    "capture_message",
    "configure_scope",
    "continue_trace",
    "crons",
    "flush",
    "flush_async",
    "get_baggage",
    "get_client",
    "get_current_scope",
    "get_current_span",
    "get_global_scope",
    "get_isolation_scope",
    "get_traceparent",
    "init",
    "install_as_sentry_sdk",
    "integrations",
    "is_initialized",
    "isolation_scope",
    "last_event_id",
    "monitor",
    "new_scope",
    "profiler",
    "push_scope",
    "set_context",
    "set_extra",
    "set_level",
    "set_measurement",
    "set_tag",
    "set_tags",
    "set_transaction_name",
    "set_user",
    "start_span",
    "start_transaction",
    "trace",
    "update_current_span",
]

# -- i13: logs, metrics, sessions --
from sentry_lite.api import end_session, start_session  # noqa: E402

__all__ += ["end_session", "logger", "metrics", "start_session"]

# -- i14: span streaming, attributes --
from sentry_lite.api import remove_attribute, set_attribute, set_attributes  # noqa: E402

__all__ += ["remove_attribute", "set_attribute", "set_attributes", "traces"]
