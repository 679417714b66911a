"""Ariadne: errors of GraphQL operations, with the request and response on the event.

Ariadne answers every operation (ASGI and WSGI apps, ``graphql``/``graphql_sync``)
through three functions of ``ariadne.graphql``: ``parse_query`` (the request's data is
known), ``handle_graphql_errors`` (the operation failed before running) and
``handle_query_result`` (it ran; its errors are the resolvers'). The integration wraps
them, as sentry_sdk does: each error is reported with mechanism ``ariadne``, the
request's GraphQL data goes in ``request.data`` and the response with errors in
``contexts.response``, as far as the privacy settings allow. No spans: sentry_sdk has
none for Ariadne either.
"""

from __future__ import annotations

import logging
from importlib import import_module
from typing import Any, Callable, Dict

from sentry_lite.integration_api import (
    Scope,
    active_integration,
    data_collection_configured,
    options,
)
from sentry_lite.integrations import DidNotEnable, Integration
from sentry_lite.integrations.graphql_common import (
    add_response_context,
    check_version,
    collects_document,
    collects_variables,
    drop_request_data,
    report_errors,
)
from sentry_lite.integrations.logging import ignore_logger
from sentry_lite.integrations.web.request_data import body_within_bounds
from sentry_lite.types import Event, Hint

try:
    # ``ariadne.graphql`` is also the name of a function the package exports
    ariadne_graphql: Any = import_module("ariadne.graphql")
except ImportError as exc:
    raise DidNotEnable("ariadne is not installed") from exc

__all__ = ["AriadneIntegration"]

logger = logging.getLogger("sentry_lite")


class AriadneIntegration(Integration):
    identifier = "ariadne"

    @staticmethod
    def setup_once() -> None:
        check_version(AriadneIntegration, "ariadne")
        ignore_logger("ariadne")  # it logs the errors that are reported as events
        _patch_parse_query()
        _patch_results()


def _patch_parse_query() -> None:
    original = ariadne_graphql.parse_query

    def sentry_lite_parse_query(context_value: Any, query_parser: Any, data: Any) -> Any:
        if active_integration(AriadneIntegration.identifier) is not None:
            Scope.get_isolation_scope().add_event_processor(_request_data(data))
        return original(context_value, query_parser, data)

    ariadne_graphql.parse_query = sentry_lite_parse_query


def _patch_results() -> None:
    errors_original = ariadne_graphql.handle_graphql_errors
    result_original = ariadne_graphql.handle_query_result

    def sentry_lite_handle_graphql_errors(errors: Any, *args: Any, **kwargs: Any) -> Any:
        result = errors_original(errors, *args, **kwargs)
        _report(result, errors)
        return result

    def sentry_lite_handle_query_result(result: Any, *args: Any, **kwargs: Any) -> Any:
        answer = result_original(result, *args, **kwargs)
        _report(answer, getattr(result, "errors", None))
        return answer

    ariadne_graphql.handle_graphql_errors = sentry_lite_handle_graphql_errors
    ariadne_graphql.handle_query_result = sentry_lite_handle_query_result


def _report(answer: Any, errors: Any) -> None:
    """The response on later events (when it has errors), then one event per error."""
    if active_integration(AriadneIntegration.identifier) is None:
        return
    try:
        add_response_context(answer[1], only_with_errors=True)
    except Exception:  # noqa: BLE001
        logger.debug("sentry_lite: could not keep the GraphQL response", exc_info=True)
    report_errors(errors, AriadneIntegration.identifier)


def _request_data(data: Any) -> Callable[[Event, Hint], Event]:
    """The operation's data (query, variables, operation name) as ``request.data``."""

    def add_request_data(event: Event, hint: Hint) -> Event:
        if not isinstance(data, dict):
            return event
        try:
            try:
                length = int((data.get("headers") or {}).get("Content-Length", 0))
            except (TypeError, ValueError):
                return event
            opts = options()
            if data_collection_configured(opts):
                document = collects_document(opts) and body_within_bounds(opts, length)
                variables = collects_variables(opts)
                if document or variables:
                    _set_data(event, data, document, variables)
                else:
                    drop_request_data(event)
            elif opts.send_default_pii and body_within_bounds(opts, length):
                _set_data(event, data, True, True)
            else:
                drop_request_data(event)
        except Exception:  # noqa: BLE001
            logger.debug("sentry_lite: could not add the GraphQL request", exc_info=True)
        return event

    return add_request_data


def _set_data(event: Event, data: Dict[str, Any], document: bool, variables: bool) -> None:
    request = event.setdefault("request", {})
    request["api_target"] = "graphql"
    request["data"] = {
        key: value
        for key, value in data.items()
        if (key != "query" or document) and (key != "variables" or variables)
    }
