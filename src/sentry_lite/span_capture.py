"""From a finished streamed span to the batcher: ``before_send_span``, and the option
warnings sentry_sdk gives for streaming options used in the wrong mode.

``before_send_span`` may change a span's name and attributes but not drop it (by
design: a missing span would break the trace's tree); a hook that raises or returns
something else leaves the span as it was.
"""

from __future__ import annotations

import warnings
from typing import Any, Dict, Mapping, Optional

from sentry_lite.client_base import log_hook_error
from sentry_lite.sdk_loggers import logger
from sentry_lite.tracing.stream_sampling import span_streaming_enabled

__all__ = ["span_for_sending", "span_hook", "warn_streaming_options"]


def span_hook(options: Mapping[str, Any]) -> Any:
    """``before_send_span`` (or its ``_experiments`` spelling), or None."""
    return options.get("before_send_span") or (options.get("_experiments") or {}).get(
        "before_send_span"
    )


def span_for_sending(options: Mapping[str, Any], span: Any) -> Dict[str, Any]:
    """The span's JSON after the user's hook has had its say."""
    hook = span_hook(options)
    if hook is None:
        return span._to_json()  # type: ignore[no-any-return]
    try:
        changed: Optional[Any] = hook(span._to_json(), {})
    except Exception:  # noqa: BLE001
        log_hook_error("before_send_span")
        return span._to_json()  # type: ignore[no-any-return]
    if isinstance(changed, dict) and "name" in changed:
        try:
            span.name = changed["name"]
            span._attributes = {}
            span.set_attributes(changed.get("attributes") or {})
        except Exception:  # noqa: BLE001
            log_hook_error("before_send_span")
    else:
        logger.debug("sentry_lite: before_send_span returned no span; keeping the original")
    return span._to_json()  # type: ignore[no-any-return]


def warn_streaming_options(options: Mapping[str, Any]) -> None:
    streaming = span_streaming_enabled(options)
    if options.get("trace_ignore_status_codes") and streaming:
        warnings.warn(
            "The `trace_ignore_status_codes` parameter is ignored in span streaming mode.",
            stacklevel=4,
        )
    if options.get("ignore_spans") and not streaming:
        warnings.warn(
            "The `ignore_spans` parameter only works when `trace_lifecycle` is set to `stream`.",
            stacklevel=4,
        )
    if options.get("before_send_span") and not streaming:
        warnings.warn(
            "The `before_send_span` parameter only works when `trace_lifecycle` is set "
            "to `stream`.",
            stacklevel=4,
        )
