"""The patch of botocore's ``BaseClient``: its ``__init__`` registers the request hooks
on each new client, its ``_make_api_call`` times every API call as a span.

The helpers are looked up in this module's namespace at each call (tests replace them to
check that a failing helper never changes what the app gets).
"""

from __future__ import annotations

from typing import Any, Dict

from sentry_lite.integration_api import active_integration
from sentry_lite.integrations.boto3._attributes import error_attributes as _get_error_attributes
from sentry_lite.integrations.boto3._attributes import (
    response_attributes as _get_response_attributes,
)
from sentry_lite.integrations.boto3._bedrock import BEDROCK_SERVICE, BedrockCall
from sentry_lite.integrations.boto3._body import keep_open_until_body_done
from sentry_lite.integrations.boto3._call import AwsCall
from sentry_lite.integrations.boto3._instrumentation import on_before_sign, on_request_created
from sentry_lite.integrations.boto3._spans import activated, finish_span, set_span_attributes
from sentry_lite.integrations.boto3._spans import start_client_span as _start_client_span
from sentry_lite.integrations.boto3.consts import IDENTIFIER

__all__ = ["patch_botocore_client"]


def _guarded(func: Any, *args: Any) -> Any:
    try:
        return func(*args)
    except Exception:  # noqa: BLE001 - our bookkeeping never reaches the app
        return None


def _start(client: Any, operation_name: str, api_params: Dict[str, Any]) -> Any:
    """(span or None, the service's additions or None)."""
    call = AwsCall(client, operation_name)
    service = None
    if call.service_name == BEDROCK_SERVICE:
        service = BedrockCall(call, dict(api_params))
    return _start_client_span(call, service), service


def _add_attributes(span: Any, make: Any, source: Any) -> None:
    attributes = _guarded(make, source)
    if attributes:
        _guarded(set_span_attributes, span, attributes)


def patch_botocore_client() -> None:
    from botocore.client import BaseClient

    real_init = BaseClient.__init__
    real_make_api_call = BaseClient._make_api_call
    if getattr(real_make_api_call, "_sentry_lite", False):
        return

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:  # noqa: N807
        real_init(self, *args, **kwargs)
        try:
            events = self.meta.events
            events.register("request-created", on_request_created)
            events.register_last("before-sign", on_before_sign)
        except Exception:  # noqa: BLE001
            pass

    def _make_api_call(self: Any, operation_name: str, api_params: Dict[str, Any]) -> Any:
        if active_integration(IDENTIFIER) is None:
            return real_make_api_call(self, operation_name, api_params)
        span, service = _guarded(_start, self, operation_name, api_params) or (None, None)
        if span is None:
            return real_make_api_call(self, operation_name, api_params)
        if service is not None:
            service.started()
        try:
            with activated(span):
                try:
                    parsed = real_make_api_call(self, operation_name, api_params)
                except BaseException as error:
                    _add_attributes(span, _get_error_attributes, error)
                    raise
                _add_attributes(span, _get_response_attributes, parsed)
        except BaseException as error:
            finish_span(span, error)
            raise
        if service is not None:
            try:
                service.answered(parsed, span)
            except Exception:  # noqa: BLE001 - an unexpected answer: the span ends plain
                finish_span(span)
            return parsed
        if not _guarded(keep_open_until_body_done, span, parsed):
            finish_span(span)
        return parsed

    _make_api_call._sentry_lite = True  # type: ignore[attr-defined]
    BaseClient.__init__ = __init__
    BaseClient._make_api_call = _make_api_call
