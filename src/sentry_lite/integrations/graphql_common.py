"""What the GraphQL server integrations (Strawberry, Graphene, Ariadne) share: the
operation type of a document, the privacy answers for GraphQL documents, variables
and response bodies, and reporting the errors a GraphQL result carries.

GraphQL libraries catch a resolver's exception and put it in the result's ``errors``
(the HTTP answer is a 200), so nothing reaches the web framework's error handling: the
integration reports each error itself, as sentry_sdk does, with its own mechanism.
"""

from __future__ import annotations

import logging
from importlib import metadata
from typing import Any, Dict, Iterable, Optional, Tuple, Type

from sentry_lite.consts import OP
from sentry_lite.integration_api import (
    Options,
    Scope,
    capture_caught,
    data_collection_configured,
    exc_info_from_error,
    options,
)
from sentry_lite.integrations import DidNotEnable, Integration, _check_minimum_version
from sentry_lite.types import Event, Hint

__all__ = [
    "add_response_context",
    "check_version",
    "collects_document",
    "collects_response",
    "collects_variables",
    "operation_type",
    "report_errors",
]

logger = logging.getLogger("sentry_lite")

_OPERATION_OPS = (("mutation", OP.GRAPHQL_MUTATION), ("subscription", OP.GRAPHQL_SUBSCRIPTION))


def check_version(integration: Type[Integration], distribution: str) -> None:
    """``DidNotEnable`` unless the installed ``distribution`` is recent enough."""
    try:
        text = metadata.version(distribution)
    except metadata.PackageNotFoundError as exc:
        raise DidNotEnable(f"{distribution} is not installed") from exc
    parts = []
    for piece in text.split("."):
        digits = "".join(ch for ch in piece if ch.isdigit()) if piece[:1].isdigit() else ""
        if not digits:
            break
        parts.append(int(digits))
    _check_minimum_version(integration, tuple(parts) or None, distribution)


def operation_type(document: Any) -> Tuple[str, str]:
    """``(operation type, span op)`` of a GraphQL document, read from its first word as
    sentry_sdk reads it (a document starting with a fragment counts as a query)."""
    text = document.strip() if isinstance(document, str) else ""
    for kind, op in _OPERATION_OPS:
        if text.startswith(kind):
            return kind, op
    return "query", OP.GRAPHQL_QUERY


def _graphql_setting(opts: Options, field: str) -> bool:
    if data_collection_configured(opts):
        graphql = (opts.get("data_collection") or {}).get("graphql") or {}
        return bool(graphql.get(field))
    return bool(opts.send_default_pii)


def collects_document(opts: Optional[Options] = None) -> bool:
    """May the GraphQL document (the query text) be sent?"""
    return _graphql_setting(opts if opts is not None else options(), "document")


def collects_variables(opts: Optional[Options] = None) -> bool:
    """May the operation's variables be sent?"""
    return _graphql_setting(opts if opts is not None else options(), "variables")


def collects_response(opts: Optional[Options] = None) -> bool:
    """May the GraphQL response body go in the ``response`` context?"""
    opts = opts if opts is not None else options()
    if data_collection_configured(opts):
        bodies = (opts.get("data_collection") or {}).get("http_bodies") or ()
        return "outgoing_response" in bodies
    return bool(opts.send_default_pii)


def add_response_context(response: Any, only_with_errors: bool = False) -> None:
    """From now on, events of this request carry the GraphQL response in
    ``contexts.response`` (when the privacy settings allow response bodies)."""

    def add_response(event: Event, hint: Hint) -> Event:
        try:
            if not collects_response():
                return event
            if only_with_errors and not (isinstance(response, dict) and response.get("errors")):
                return event
            event.setdefault("contexts", {})["response"] = {"data": response}
        except Exception:  # noqa: BLE001 - an event is never lost to its decoration
            logger.debug("sentry_lite: could not add the GraphQL response", exc_info=True)
        return event

    Scope.get_isolation_scope().add_event_processor(add_response)


def report_errors(errors: Optional[Iterable[Any]], mechanism_type: str) -> None:
    """One unhandled event per error of a GraphQL result (``GraphQLError``, whose
    traceback and cause are the resolver's exception)."""
    for error in errors or ():
        try:
            capture_caught(exc_info_from_error(error), mechanism_type, handled=False)
        except Exception:  # noqa: BLE001
            logger.debug("sentry_lite: could not report a GraphQL error", exc_info=True)


def drop_request_data(event: Event) -> None:
    """Remove a request body that the GraphQL privacy settings do not allow."""
    request: Dict[str, Any] = event.get("request") or {}
    if isinstance(request, dict) and request.get("data"):
        del request["data"]
