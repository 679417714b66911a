"""The API integrations are written against: everything an integration needs of the core,
in one package, each thing defined once.

Every integration in ``sentry_lite.integrations`` imports from here (and from the
``integrations`` package itself, ``types``, ``consts`` and ``limits``), never another
module's private names: a test checks it. The functions are as cheap as the shortcuts
they replaced (two contextvar sets to enter a request, one lookup for the running span),
because they run on every request. ``docs/integrations.md`` shows how to write an
integration with them, with Flask as the worked example.
"""

from __future__ import annotations

from typing import Any

from sentry_lite.events.safe_serialize import safe_serialize
from sentry_lite.feature_flags import add_feature_flag
from sentry_lite.integration_api import core, data, telemetry
from sentry_lite.integration_api.core import *  # noqa: F403
from sentry_lite.integration_api.core import active_integration
from sentry_lite.integration_api.data import *  # noqa: F403
from sentry_lite.integration_api.telemetry import *  # noqa: F403
from sentry_lite.integration_privacy import (
    FILTER,
    OMIT,
    SEND,
    collected_key_values,
    collected_query_string,
    data_collection_configured,
    may_collect,
    may_send_query_params,
    outgoing_url_attributes,
)
from sentry_lite.tracing.aws_sigv4 import signed_headers_of_authorization, signed_headers_of_url

__all__ = [
    "FILTER",
    "OMIT",
    "SEND",
    "collected_key_values",
    "collected_query_string",
    "data_collection_configured",
    "may_collect",
    "may_send_query_params",
    "outgoing_url_attributes",
]
__all__ += core.__all__
__all__ += data.__all__
__all__ += telemetry.__all__

# -- feature flags: OpenFeature, LaunchDarkly, Statsig, Unleash
__all__ += ["add_feature_flag", "record_flag_evaluation"]


def record_flag_evaluation(identifier: str, flag: str, result: Any) -> None:
    """A flag evaluation a feature-flag integration saw: recorded as ``add_feature_flag``
    does (the isolation scope's buffer, the running span) when that integration is on
    for the active client. Never raises."""
    if active_integration(identifier) is not None:
        add_feature_flag(flag, result)


# -- boto3: which headers an AWS SigV4 signature covers; genai: tool lists and other
# arguments as readable JSON text (sentry_sdk.utils')
__all__ += ["safe_serialize", "signed_headers_of_authorization", "signed_headers_of_url"]
