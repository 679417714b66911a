"""Graphene: errors of resolvers and a span per operation.

``Schema.execute`` and ``execute_async`` run graphql-core through the ``graphql_sync``
and ``graphql`` names of ``graphene.types.schema``; the integration wraps both. Each
operation gets a ``graphql.query``/``graphql.mutation`` span named after the operation
(with the document when the privacy settings allow it), and each error of the result
is reported as an unhandled event with mechanism ``graphene``, as sentry_sdk does.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from sentry_lite.integration_api import (
    Scope,
    active_integration,
    add_breadcrumb,
    child_span,
    data_collection_configured,
    options,
    streamed_span_of,
)
from sentry_lite.integrations import DidNotEnable, Integration
from sentry_lite.integrations.graphql_common import (
    check_version,
    collects_document,
    drop_request_data,
    operation_type,
    report_errors,
)
from sentry_lite.types import Event, Hint

try:
    from graphene.types import schema as graphene_schema  # type: ignore[import-untyped]
except ImportError as exc:
    raise DidNotEnable("graphene is not installed") from exc

__all__ = ["GrapheneIntegration"]

logger = logging.getLogger("sentry_lite")

_UNKNOWN = "<unknown graphql operation>"


class GrapheneIntegration(Integration):
    identifier = "graphene"

    @staticmethod
    def setup_once() -> None:
        check_version(GrapheneIntegration, "graphene")
        sync_original = graphene_schema.graphql_sync
        async_original = graphene_schema.graphql

        def sentry_lite_graphql_sync(schema: Any, source: Any, *args: Any, **kwargs: Any) -> Any:
            if active_integration(GrapheneIntegration.identifier) is None:
                return sync_original(schema, source, *args, **kwargs)
            Scope.get_isolation_scope().add_event_processor(_api_target)
            with _operation_span(source, kwargs):
                result = sync_original(schema, source, *args, **kwargs)
            report_errors(getattr(result, "errors", None), GrapheneIntegration.identifier)
            return result

        async def sentry_lite_graphql(schema: Any, source: Any, *args: Any, **kwargs: Any) -> Any:
            if active_integration(GrapheneIntegration.identifier) is None:
                return await async_original(schema, source, *args, **kwargs)
            Scope.get_isolation_scope().add_event_processor(_api_target)
            with _operation_span(source, kwargs):
                result = await async_original(schema, source, *args, **kwargs)
            report_errors(getattr(result, "errors", None), GrapheneIntegration.identifier)
            return result

        graphene_schema.graphql_sync = sentry_lite_graphql_sync
        graphene_schema.graphql = sentry_lite_graphql


def _api_target(event: Event, hint: Hint) -> Event:
    """``api_target: graphql`` on the request when GraphQL documents may be sent; else
    the request body (the document) is dropped."""
    try:
        opts = options()
        allowed = collects_document(opts) if data_collection_configured(opts) else None
        if allowed or (allowed is None and opts.send_default_pii):
            event.setdefault("request", {})["api_target"] = "graphql"
        else:
            drop_request_data(event)
    except Exception:  # noqa: BLE001
        logger.debug("sentry_lite: could not mark the GraphQL request", exc_info=True)
    return event


@contextmanager
def _operation_span(source: Any, kwargs: Any) -> Iterator[None]:
    span = None
    try:
        span = _start(source, kwargs)
    except Exception:  # noqa: BLE001
        logger.debug("sentry_lite: graphene operation span failed", exc_info=True)
    try:
        yield
    finally:
        if span is not None:
            span.__exit__(None, None, None)


def _start(source: Any, kwargs: Any) -> Any:
    name = kwargs.get("operation_name") or _UNKNOWN
    kind, op = operation_type(source)
    add_breadcrumb(
        crumb={
            "data": {"operation_name": name, "operation_type": kind},
            "category": "graphql.operation",
        }
    )
    span = child_span(op, name, "manual")
    if span is None:
        return None
    document = source if collects_document() else None
    set_value: Callable[[str, Any], None]
    if streamed_span_of(span) is not None:
        set_value = span.set_attribute  # type: ignore[attr-defined]
    else:
        set_value = span.set_data
        span.__enter__()
    if document is not None:
        set_value("graphql.document", document)
    set_value("graphql.operation.name", name)
    set_value("graphql.operation.type", kind)
    return span
