"""Dramatiq: each message a ``queue.task.dramatiq`` transaction continuing the sender's
trace, actor failures reported with mechanism ``dramatiq``.

``Broker.__init__`` puts :class:`SentryMiddleware` first in every broker made after
``init`` (as sentry_sdk: call ``init`` before creating the broker). The middleware
stores the trace in the message options (``_sentry_headers``, sentry_sdk's key) when
it is enqueued; a retried message starts a trace of its own. Events get the message id
(``extra.dramatiq_message_id``) and the message (``contexts.dramatiq``: its data, sent
unless ``data_collection.http_bodies`` leaves out ``incoming_request``, and within
``max_request_body_size``). ``Retry`` and the actor's ``throws`` are not reported.

Difference on purpose: the worker's own log line about a failure is not reported by the
logging integration (sentry_sdk reports it first, with mechanism ``logging``, and its
dedupe then drops the integration's ``dramatiq`` event).
"""

from __future__ import annotations

import json
from typing import Any, Dict, Optional

from sentry_lite.consts import OP, SPANDATA
from sentry_lite.integration_api import (
    SEND,
    SPANSTATUS,
    Scope,
    TransactionSource,
    active_integration,
    annotate,
    capture_caught,
    data_collection_configured,
    enter_request_scopes,
    get_client,
    iter_trace_propagation_headers,
    leave_request_scopes,
    may_collect,
    start_request_transaction,
)
from sentry_lite.integrations import DidNotEnable, Integration
from sentry_lite.integrations.web.request_data import REM_CONFIG_REMOVED, body_within_bounds
from sentry_lite.types import Event, Hint

try:
    from dramatiq.broker import Broker
    from dramatiq.errors import Retry
    from dramatiq.middleware import Middleware, default_middleware
except ImportError as exc:  # pragma: no cover - exercised without dramatiq installed
    raise DidNotEnable("Dramatiq is not installed") from exc

__all__ = ["DramatiqIntegration", "SentryMiddleware"]

IDENTIFIER = "dramatiq"
ORIGIN = "auto.queue.dramatiq"
WORKER_LOGGER = "dramatiq.worker.WorkerThread"


class DramatiqIntegration(Integration):
    """Dramatiq integration: call ``init`` before creating the broker (it adds its
    middleware in ``Broker.__init__``)."""

    identifier = IDENTIFIER
    origin = ORIGIN

    @staticmethod
    def setup_once() -> None:
        if getattr(Broker.__init__, "_sentry_lite", False):
            return
        Broker.__init__ = _wrap_broker_init(Broker.__init__)  # type: ignore[method-assign,unused-ignore]
        from sentry_lite.integrations.logging import ignore_logger

        # The worker logs each failure before the middleware sees it: reported by the
        # logging integration first, the failure would lose its ``dramatiq`` mechanism.
        ignore_logger(WORKER_LOGGER)


def _wrap_broker_init(init: Any) -> Any:
    def sentry_lite_broker_init(self: Any, *args: Any, **kwargs: Any) -> None:
        if active_integration(IDENTIFIER) is None:
            return init(self, *args, **kwargs)  # type: ignore[no-any-return]
        try:
            middleware = kwargs.pop("middleware", None)
            if middleware is None and len(args) == 1:
                middleware, args = args[0], ()  # Broker/StubBroker take it positionally
            if middleware is None:
                middleware = [m() for m in default_middleware]
            middleware = [m for m in middleware if not isinstance(m, SentryMiddleware)]
            middleware.insert(0, SentryMiddleware())
            kwargs["middleware"] = middleware
        except Exception:
            pass
        return init(self, *args, **kwargs)  # type: ignore[no-any-return]

    sentry_lite_broker_init._sentry_lite = True  # type: ignore[attr-defined]
    return sentry_lite_broker_init


class _Processing:
    """What ``before_process_message`` started, for ``after_process_message`` to end."""

    __slots__ = ("entered", "transaction")

    def __init__(self, entered: Any, transaction: Any) -> None:
        self.entered = entered
        self.transaction = transaction


class SentryMiddleware(Middleware):  # type: ignore[misc,unused-ignore]
    """Captures actor failures and times each message; added to every broker by
    :class:`DramatiqIntegration`."""

    SENTRY_HEADERS_NAME = "_sentry_headers"

    def before_enqueue(self, broker: Any, message: Any, delay: int) -> None:
        if active_integration(IDENTIFIER) is None:
            return
        try:
            headers = dict(iter_trace_propagation_headers())
            message.options[self.SENTRY_HEADERS_NAME] = {
                "baggage": headers.get("baggage"),
                "sentry-trace": headers.get("sentry-trace"),
            }
        except Exception:
            pass

    def before_process_message(self, broker: Any, message: Any) -> None:
        if active_integration(IDENTIFIER) is None:
            return
        entered = enter_request_scopes(_event_processor(message))
        transaction = None
        try:
            Scope.get_isolation_scope().set_extra("dramatiq_message_id", message.message_id)
            headers = message.options.get(self.SENTRY_HEADERS_NAME) or {}
            if "retries" in message.options:
                headers = {}  # a retry starts a trace of its own
            headers = {k: v for k, v in headers.items() if isinstance(v, str)}
            transaction = start_request_transaction(
                headers,
                OP.QUEUE_TASK_DRAMATIQ,
                message.actor_name,
                TransactionSource.TASK,
                ORIGIN,
                {},
            )
            if transaction is not None:
                transaction.set_status(SPANSTATUS.OK)
                transaction.set_data(SPANDATA.MESSAGING_DESTINATION_NAME, message.queue_name)
        except Exception:
            pass
        message._sentry_lite = _Processing(entered, transaction)

    def after_process_message(
        self,
        broker: Any,
        message: Any,
        *,
        result: Optional[Any] = None,
        exception: Optional[BaseException] = None,
    ) -> None:
        processing = getattr(message, "_sentry_lite", None)
        if processing is None:
            return
        message._sentry_lite = None
        try:
            failure: Any = (None, None, None)
            if exception is not None and _reported(broker, message, exception):
                failure = (type(exception), exception, exception.__traceback__)
                capture_caught(failure, IDENTIFIER, handled=False)
            if processing.transaction is not None:
                processing.transaction.__exit__(*failure)
        finally:
            leave_request_scopes(processing.entered)

    after_skip_message = after_process_message


def _reported(broker: Any, message: Any, exception: BaseException) -> bool:
    """Not a ``Retry``, not one of the exceptions the actor ``throws``."""
    if isinstance(exception, Retry):
        return False
    try:
        throws = message.options.get("throws") or broker.get_actor(message.actor_name).options.get(
            "throws"
        )
    except Exception:
        throws = None
    return not (throws and isinstance(exception, throws))


def _message_data(event: Event, message: Any) -> Dict[str, Any]:
    context: Dict[str, Any] = {"type": "dramatiq"}
    if data_collection_configured() and may_collect("http_bodies:incoming_request") != SEND:
        return context
    data = dict(message.asdict())
    if body_within_bounds(get_client().options, len(json.dumps(data, default=str))):
        context["data"] = data
    else:
        context["data"] = ""
        annotate(event, ["contexts", "dramatiq", "data"], rem=[REM_CONFIG_REMOVED])
    return context


def _event_processor(message: Any) -> Any:
    def processor(event: Event, hint: Hint) -> Optional[Event]:
        try:
            event.setdefault("contexts", {})["dramatiq"] = _message_data(event, message)
        except Exception:
            pass
        return event

    return processor
