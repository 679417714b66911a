"""gql (the GraphQL client): a query the server answered with errors is reported.

``gql.Client.execute`` raises ``TransportQueryError`` when the server's answer carries
GraphQL errors; the integration reports it (mechanism ``gql``, unhandled) before it
propagates, and from then on events of the isolation scope name the GraphQL request:
``api_target``, the transport's method and URL (credentials always withheld, query
values as the privacy settings say) and, when GraphQL documents may be sent, the
document, its variable definitions and operation name, with the server's errors in
``contexts.response``. The same as sentry_sdk 2.75, which has no spans for gql.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, Callable, Dict, Optional
from urllib.parse import parse_qs, unquote, urlencode, urlsplit, urlunsplit

from sentry_lite.integration_api import (
    FILTERED,
    Scope,
    active_integration,
    capture_caught,
    collected_query_string,
    data_collection_configured,
    options,
)
from sentry_lite.integrations import DidNotEnable, Integration
from sentry_lite.integrations.graphql_common import (
    check_version,
    collects_document,
    collects_variables,
)
from sentry_lite.types import Event, Hint

try:
    import gql
    from gql.transport.exceptions import TransportQueryError
    from graphql import get_operation_ast, print_ast
except ImportError as exc:
    raise DidNotEnable("gql is not installed") from exc

try:  # gql 4 passes a GraphQLRequest to ``execute``, older releases a DocumentNode
    from gql import GraphQLRequest as _GraphQLRequest

    GraphQLRequest: Any = _GraphQLRequest
except ImportError:
    GraphQLRequest = None

__all__ = ["GQLIntegration"]

logger = logging.getLogger("sentry_lite")


class GQLIntegration(Integration):
    identifier = "gql"

    @staticmethod
    def setup_once() -> None:
        check_version(GQLIntegration, "gql")
        original = gql.Client.execute

        def sentry_lite_execute(self: Any, document: Any, *args: Any, **kwargs: Any) -> Any:
            if active_integration(GQLIntegration.identifier) is None:
                return original(self, document, *args, **kwargs)
            Scope.get_isolation_scope().add_event_processor(_request_data(self, document))
            try:
                return original(self, document, *args, **kwargs)
            except TransportQueryError:
                capture_caught(sys.exc_info(), GQLIntegration.identifier, handled=False)
                raise

        gql.Client.execute = sentry_lite_execute  # type: ignore[method-assign,assignment]


def _request_data(client: Any, document_or_request: Any) -> Callable[[Event, Hint], Event]:
    def add_request_data(event: Event, hint: Hint) -> Event:
        try:
            try:
                errors = hint["exc_info"][1].errors
            except (AttributeError, KeyError, TypeError, IndexError):
                errors = None
            request = event.setdefault("request", {})
            request.update({"api_target": "graphql", **_transport_info(client.transport)})
            opts = options()
            if data_collection_configured(opts):
                allowed = collects_document(opts)
            else:
                allowed = bool(opts.send_default_pii)
            if allowed:
                document = document_or_request
                if GraphQLRequest is not None and isinstance(document, GraphQLRequest):
                    document = document.document
                request["data"] = _document_data(document)
                response = event.setdefault("contexts", {}).setdefault("response", {})
                # sentry_sdk's own shape: "type" refers to the context itself
                response.update({"data": {"errors": errors}, "type": response})
        except Exception:  # noqa: BLE001
            logger.debug("sentry_lite: could not add the gql request", exc_info=True)
        return event

    return add_request_data


def _document_data(document: Any) -> Dict[str, Any]:
    try:
        operation = get_operation_ast(document)
        data: Dict[str, Any] = {"query": print_ast(document)}
        if operation is not None:
            if collects_variables():
                data["variables"] = operation.variable_definitions
            if operation.name is not None:
                data["operationName"] = operation.name.value
        return data
    except (AttributeError, TypeError):
        return {}


def _transport_info(transport: Any) -> Dict[str, str]:
    """The transport's method (only ``RequestsHTTPTransport`` has one) and URL."""
    if transport is None:
        return {}
    info = {"method": getattr(transport, "method", "POST")}
    url = getattr(transport, "url", None)
    if url is None:
        return info
    try:
        parts = urlsplit(str(url))
        netloc = parts.netloc
        if "@" in netloc:
            netloc = f"{FILTERED}:{FILTERED}@{netloc.rpartition('@')[2]}"
        info["url"] = urlunsplit((parts.scheme, netloc, parts.path, "", ""))
        query: Optional[str] = parts.query
        if data_collection_configured():
            query = collected_query_string(query) if query else None
        elif query:
            keys = parse_qs(query, keep_blank_values=True)
            query = unquote(urlencode({key: FILTERED for key in keys}))
        if query:
            info["query_string"] = query
    except Exception:  # noqa: BLE001
        logger.debug("sentry_lite: could not read the gql transport's URL", exc_info=True)
    return info
