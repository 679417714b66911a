"""Span data of an AWS call, from its client, its HTTP request and its answer (or error).

The same keys serve transaction-era span data and streamed span attributes; sentry_sdk
names them after OpenTelemetry's RPC and AWS SDK conventions.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional
from urllib.parse import urlsplit

from sentry_lite.integrations.boto3._call import AwsCall
from sentry_lite.integrations.boto3.consts import AWS_RPC_SYSTEM_NAME, DEFAULT_PORTS

__all__ = [
    "call_attributes",
    "error_attributes",
    "error_type",
    "response_attributes",
    "server_attributes",
]


def server_attributes(url: Optional[str]) -> Dict[str, Any]:
    """``server.address``/``server.port`` of an http(s) URL (the scheme's port when it
    names none); nothing for anything else."""
    if not url:
        return {}
    try:
        parts = urlsplit(url)
        if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
            return {}
        return {
            "server.address": parts.hostname,
            "server.port": parts.port or DEFAULT_PORTS[parts.scheme],
        }
    except (TypeError, UnicodeError, ValueError):
        return {}


def call_attributes(call: AwsCall) -> Dict[str, Any]:
    """What is known before the request: set when the span starts (``ignore_spans``
    rules match on them)."""
    attributes: Dict[str, Any] = {
        "rpc.method": call.operation_name,
        "rpc.system.name": AWS_RPC_SYSTEM_NAME,
        "sentry.kind": "client",
    }
    if call.service_id is not None:
        attributes["rpc.service"] = call.service_id
    if call.region_name:
        attributes["cloud.region"] = call.region_name
    attributes.update(server_attributes(call.endpoint_url))
    return attributes


def response_attributes(response: Mapping[str, Any]) -> Dict[str, Any]:
    """Status, retries and request ids from a parsed answer's ``ResponseMetadata``."""
    metadata = response.get("ResponseMetadata", {})
    attributes: Dict[str, Any] = {}
    status = metadata.get("HTTPStatusCode")
    if status is not None:
        attributes["http.response.status_code"] = status
    retries = metadata.get("RetryAttempts", 0)
    if retries > 0:
        attributes["http.request.resend_count"] = retries
    headers = metadata.get("HTTPHeaders", {})
    request_id = (
        metadata.get("RequestId")
        or headers.get("x-amzn-requestid")
        or headers.get("x-amzn-request-id")
        or headers.get("x-amz-request-id")
    )
    if request_id:
        attributes["aws.request_id"] = request_id
    extended_id = metadata.get("HostId") or headers.get("x-amz-id-2")  # S3's second id
    if extended_id:
        attributes["aws.extended_request_id"] = extended_id
    return attributes


def error_type(error: BaseException) -> str:
    """The AWS error code of a service error (``NoSuchKey``), else the exception's
    qualified class name (builtins unqualified)."""
    code = _error_code(error)
    if code:
        return code
    cls = type(error)
    if cls.__module__ in ("builtins", "__builtins__"):
        return cls.__qualname__
    return f"{cls.__module__}.{cls.__qualname__}"


def error_attributes(error: BaseException) -> Dict[str, Any]:
    """``error.type``, and what a service error's answer says (status, request ids)."""
    attributes: Dict[str, Any] = {}
    response = _client_error_response(error)
    if response is not None:
        attributes.update(response_attributes(response))
    attributes["error.type"] = error_type(error)
    return attributes


def _client_error_response(error: BaseException) -> Optional[Mapping[str, Any]]:
    from botocore.exceptions import ClientError

    if isinstance(error, ClientError):
        return error.response  # type: ignore[no-any-return]
    return None


def _error_code(error: BaseException) -> Optional[str]:
    response = _client_error_response(error)
    if response is None:
        return None
    code = response.get("Error", {}).get("Code")
    return code if code else None
