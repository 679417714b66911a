"""Strawberry GraphQL: errors of resolvers, and spans for each operation.

A schema extension (added to every ``strawberry.Schema`` built while the integration is
on) opens a ``graphql.query``/``graphql.mutation`` span per operation with ``parsing``,
``validation`` and ``resolving Type.field`` children, names the request's transaction
after the operation, and attaches the operation (document, variables, name) to events
as the privacy settings allow. Strawberry's HTTP views turn a resolver's exception into
an ``errors`` entry of a 200 answer; the patched error handler reports each one, with
the response body in ``contexts.response`` when response bodies may be sent.
"""

from __future__ import annotations

import hashlib
import logging
import warnings
from functools import cached_property
from inspect import isawaitable
from typing import Any, Callable, Dict, Generator, List, Optional, Tuple

from sentry_lite.consts import OP
from sentry_lite.integration_api import (
    Scope,
    TransactionSource,
    active_integration,
    active_span,
    add_breadcrumb,
    child_span,
    data_collection_configured,
    options,
    streamed_span_of,
)
from sentry_lite.integrations import DidNotEnable, Integration
from sentry_lite.integrations.graphql_common import (
    add_response_context,
    check_version,
    collects_document,
    collects_variables,
    operation_type,
    report_errors,
)
from sentry_lite.integrations.logging import ignore_logger
from sentry_lite.integrations.web.request_state import current_request
from sentry_lite.types import Event, Hint

try:
    from strawberry import Schema
    from strawberry.extensions import SchemaExtension
    from strawberry.extensions.tracing.utils import should_skip_tracing
    from strawberry.http import async_base_view, sync_base_view
except ImportError as exc:
    raise DidNotEnable("strawberry-graphql is not installed") from exc

try:  # strawberry's own Sentry extensions (removed in newer releases): ours replace them
    from strawberry.extensions.tracing import (
        SentryTracingExtension as StrawberrySentryAsyncExtension,
    )
    from strawberry.extensions.tracing import (
        SentryTracingExtensionSync as StrawberrySentrySyncExtension,
    )
except ImportError:
    StrawberrySentryAsyncExtension = None
    StrawberrySentrySyncExtension = None

__all__ = ["SentryAsyncExtension", "SentrySyncExtension", "StrawberryIntegration"]

logger = logging.getLogger("sentry_lite")


class StrawberryIntegration(Integration):
    identifier = "strawberry"
    origin = f"auto.graphql.{identifier}"

    def __init__(self, async_execution: Optional[bool] = None) -> None:
        if async_execution not in (None, False, True):
            raise ValueError(
                f'Invalid value for async_execution: "{async_execution}" (must be bool)'
            )
        self.async_execution = async_execution

    @staticmethod
    def setup_once() -> None:
        check_version(StrawberryIntegration, "strawberry-graphql")
        ignore_logger("strawberry.execution")  # the errors it logs are reported as events
        _patch_schema_init()
        _patch_views()


def _patch_schema_init() -> None:
    original = Schema.__init__

    def sentry_lite_schema_init(self: Any, *args: Any, **kwargs: Any) -> None:
        integration = active_integration(StrawberryIntegration.identifier)
        if integration is not None:
            try:
                kwargs["extensions"] = _with_our_extension(integration, kwargs.get("extensions"))
            except Exception:  # noqa: BLE001 - the schema is built as the app asked
                logger.debug("sentry_lite: could not add the strawberry extension", exc_info=True)
        original(self, *args, **kwargs)

    Schema.__init__ = sentry_lite_schema_init  # type: ignore[method-assign]


def _with_our_extension(integration: StrawberryIntegration, extensions: Any) -> List[Any]:
    """The app's extensions, strawberry's own Sentry ones replaced by ours (async or
    sync as configured, else as the app's choice of strawberry's extension suggests)."""
    extensions = list(extensions or [])
    use_async = integration.async_execution
    if use_async is None:
        if (
            StrawberrySentryAsyncExtension is not None
            and StrawberrySentryAsyncExtension in extensions
        ):
            use_async = True
        elif (
            StrawberrySentrySyncExtension is not None
            and StrawberrySentrySyncExtension in extensions
        ):
            use_async = False
        else:
            warnings.warn(
                "Assuming strawberry is running sync. If not, initialize the integration "
                "as StrawberryIntegration(async_execution=True).",
                stacklevel=3,
            )
            use_async = False
    theirs = (StrawberrySentryAsyncExtension, StrawberrySentrySyncExtension)
    kept = [e for e in extensions if e is None or e not in theirs]
    return [SentryAsyncExtension if use_async else SentrySyncExtension, *kept]


def _patch_views() -> None:
    for view in (async_base_view.AsyncBaseHTTPView, sync_base_view.SyncBaseHTTPView):
        view._handle_errors = _reporting(view._handle_errors)  # type: ignore[method-assign]


def _reporting(original: Callable[..., None]) -> Callable[..., None]:
    def sentry_lite_handle_errors(self: Any, errors: Any, response_data: Any) -> None:
        original(self, errors, response_data)
        if not errors or active_integration(StrawberryIntegration.identifier) is None:
            return
        add_response_context(response_data)
        report_errors(errors, StrawberryIntegration.identifier)

    return sentry_lite_handle_errors


class SentryAsyncExtension(SchemaExtension):
    """Spans, breadcrumb and request data of one operation (async resolvers)."""

    def __init__(self, *, execution_context: Any = None) -> None:
        if execution_context:
            self.execution_context = execution_context

    @cached_property
    def _resource_name(self) -> str:
        query_hash = self.hash_query(self.execution_context.query or "")
        name = self.execution_context.operation_name
        return f"{name}:{query_hash}" if name else query_hash

    def hash_query(self, query: str) -> str:
        return hashlib.md5(query.encode("utf-8")).hexdigest()  # noqa: S324 - a name, not a secret

    def on_operation(self) -> Generator[None, None, None]:
        state = None
        try:
            state = self._start_operation()
        except Exception:  # noqa: BLE001
            logger.debug("sentry_lite: strawberry operation span failed", exc_info=True)
        yield
        if state is not None:
            try:
                self._finish_operation(*state)
            except Exception:  # noqa: BLE001
                logger.debug("sentry_lite: strawberry operation span failed", exc_info=True)

    def _start_operation(self) -> Optional[Tuple[Any, Any, str]]:
        if active_integration(StrawberryIntegration.identifier) is None:
            return None
        context = self.execution_context
        if context.query is None:
            context.query = ""
        name = context.operation_name
        kind, op = operation_type(context.query)
        add_breadcrumb(
            category="graphql.operation", data={"operation_name": name, "operation_type": kind}
        )
        Scope.get_isolation_scope().add_event_processor(_request_data(context))

        parent = active_span()
        span = child_span(op, f"{kind} {name}" if name else kind, StrawberryIntegration.origin)
        if span is None:
            return None, parent, op
        opts = options()
        if streamed_span_of(span) is not None:
            attributes: Dict[str, Any] = {"graphql.operation.type": kind}
            if collects_document(opts):
                attributes["graphql.document"] = context.query
            if name:
                attributes["graphql.operation.name"] = name
            span.set_attributes(attributes)  # type: ignore[attr-defined]
            return span, parent, op
        if collects_document(opts):
            span.set_data("graphql.document", context.query)
        span.set_data("graphql.operation.type", kind)
        span.set_data("graphql.operation.name", name)
        span.set_data("graphql.resource_name", self._resource_name)
        span.__enter__()
        return span, parent, op

    def _finish_operation(self, span: Any, parent: Any, op: str) -> None:
        name = self.execution_context.operation_name
        if span is not None and streamed_span_of(span) is not None:
            if name:
                segment = span.segment
                segment.source = TransactionSource.COMPONENT
                segment.op = op
                segment.name = name
            span.__exit__(None, None, None)
            return
        transaction = None
        if name:
            holder = span if span is not None else parent
            transaction = getattr(holder, "containing_transaction", None)
            if transaction is not None:
                transaction.name = name
                transaction.source = TransactionSource.COMPONENT
                transaction.op = op
        if span is not None:
            span.__exit__(None, None, None)
        scope = Scope.get_current_scope()
        if transaction is not None and scope.span is transaction:
            scope.span = transaction  # the scope takes the new name, as in sentry_sdk
        elif transaction is None and name and current_request.get() is not None:
            # Tracing off: sentry_sdk still has an unsampled request transaction to rename,
            # and its name reaches the request's events through the scope.
            scope.set_transaction_name(name, TransactionSource.COMPONENT)

    def on_validate(self) -> Generator[None, None, None]:
        span = _step_span(OP.GRAPHQL_VALIDATE, "validation")
        try:
            yield
        finally:
            if span is not None:
                span.finish()

    def on_parse(self) -> Generator[None, None, None]:
        span = _step_span(OP.GRAPHQL_PARSE, "parsing")
        try:
            yield
        finally:
            if span is not None:
                span.finish()

    def should_skip_tracing(self, _next: Callable[..., Any], info: Any) -> bool:
        return bool(should_skip_tracing(_next, info))

    def _resolve_span(self, _next: Callable[..., Any], info: Any) -> Any:
        try:
            if self.should_skip_tracing(_next, info):
                return None
            if active_integration(StrawberryIntegration.identifier) is None:
                return None
            field_path = f"{info.parent_type}.{info.field_name}"
            span = child_span(
                OP.GRAPHQL_RESOLVE, f"resolving {field_path}", StrawberryIntegration.origin
            )
            if span is not None and streamed_span_of(span) is None:
                span.set_data("graphql.field_name", info.field_name)
                span.set_data("graphql.parent_type", info.parent_type.name)
                span.set_data("graphql.field_path", field_path)
                span.set_data("graphql.path", ".".join(map(str, info.path.as_list())))
            return span
        except Exception:  # noqa: BLE001
            logger.debug("sentry_lite: strawberry resolve span failed", exc_info=True)
            return None

    async def _resolve(
        self, _next: Callable[..., Any], root: Any, info: Any, *args: Any, **kwargs: Any
    ) -> Any:
        result = _next(root, info, *args, **kwargs)
        if isawaitable(result):
            result = await result
        return result

    async def resolve(
        self, _next: Callable[..., Any], root: Any, info: Any, *args: Any, **kwargs: Any
    ) -> Any:
        span = self._resolve_span(_next, info)
        if span is None:
            return await self._resolve(_next, root, info, *args, **kwargs)
        with span:
            return await self._resolve(_next, root, info, *args, **kwargs)


class SentrySyncExtension(SentryAsyncExtension):
    """The same for a schema executed synchronously (resolvers return values)."""

    def resolve(
        self, _next: Callable[..., Any], root: Any, info: Any, *args: Any, **kwargs: Any
    ) -> Any:
        span = self._resolve_span(_next, info)
        if span is None:
            return _next(root, info, *args, **kwargs)
        with span:
            return _next(root, info, *args, **kwargs)


def _step_span(op: str, name: str) -> Any:
    if active_integration(StrawberryIntegration.identifier) is None:
        return None
    return child_span(op, name, StrawberryIntegration.origin)


def _request_data(context: Any) -> Callable[[Event, Hint], Event]:
    """The operation on the request of this request's events: document, variables and
    name as ``data`` (unless the web framework already set the body) and
    ``api_target: graphql``, each as far as the privacy settings allow."""

    def add_request_data(event: Event, hint: Hint) -> Event:
        try:
            opts = options()
            if data_collection_configured(opts):
                document, variables = collects_document(opts), collects_variables(opts)
            elif opts.send_default_pii:
                document = variables = True
            else:
                request = event.get("request")
                if isinstance(request, dict):
                    request.pop("data", None)
                return event
            request = event.setdefault("request", {})
            if document:
                request["api_target"] = "graphql"
            if not request.get("data"):
                data: Dict[str, Any] = {"query": context.query} if document else {}
                if variables and context.variables:
                    data["variables"] = context.variables
                if context.operation_name:
                    data["operationName"] = context.operation_name
                request["data"] = data
        except Exception:  # noqa: BLE001
            logger.debug("sentry_lite: could not add the GraphQL request", exc_info=True)
        return event

    return add_request_data
