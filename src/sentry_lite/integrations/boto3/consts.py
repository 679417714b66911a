"""The boto3 integration's names, as sentry_sdk spells them."""

from __future__ import annotations

from typing import Dict

IDENTIFIER = "boto3"
ORIGIN = f"auto.http.{IDENTIFIER}"

AWS_RPC_SYSTEM_NAME = "aws-api"
"""``rpc.system.name`` of an AWS API call (OpenTelemetry's AWS SDK conventions)."""

DEFAULT_PORTS: Dict[str, int] = {"http": 80, "https": 443}
"""The port ``server.port`` says when an endpoint URL names none."""

SPAN_KEY = "_sentrysdk_span"
"""Where each botocore request attempt (``request.context``) carries its call's span:
sentry_sdk's key, which code reading it (tests, other tools) already knows."""
