"""boto3 / botocore: every AWS API call as an ``http.client`` span.

Each ``BaseClient._make_api_call`` (retries included) is one span named
``aws.<service>.<Operation>`` with ``rpc.*``, ``cloud.region``, ``server.*``, ``aws.*`` and
``http.*`` data; a failed call marks it failed with ``error.type``. A streaming response
body (S3 ``get_object``) keeps the span open, with an ``http.client.stream`` child, until
the body is read or closed. Every request attempt leaves an ``httplib`` breadcrumb and,
where ``trace_propagation_targets`` allow, carries ``sentry-trace`` and ``baggage``
(merged with the app's own) into the signature. See docs/boto3.md.
"""

from __future__ import annotations

from sentry_lite.integrations import DidNotEnable, Integration
from sentry_lite.integrations.boto3.consts import IDENTIFIER, ORIGIN

try:
    from botocore import __version__ as BOTOCORE_VERSION
except ImportError as exc:
    raise DidNotEnable("botocore is not installed") from exc

__all__ = ["Boto3Integration"]

MINIMUM_BOTOCORE = (1, 16)


def _version(text: str) -> tuple[int, ...] | None:
    parts = []
    for piece in text.split("."):
        digits = "".join(c for c in piece if c.isdigit())
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts) or None


class Boto3Integration(Integration):
    identifier = IDENTIFIER
    origin = ORIGIN

    @staticmethod
    def setup_once() -> None:
        version = _version(BOTOCORE_VERSION)
        if version is None:
            raise DidNotEnable("Unparsable botocore version.")
        if version < MINIMUM_BOTOCORE:
            raise DidNotEnable("Integration only supports botocore 1.16 or newer.")

        from sentry_lite.integrations.boto3._bedrock import patch_event_stream
        from sentry_lite.integrations.boto3._client import patch_botocore_client

        patch_botocore_client()
        patch_event_stream()
