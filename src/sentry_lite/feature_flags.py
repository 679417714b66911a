"""``sentry_lite.feature_flags``: record flag evaluations for error events and spans.

``add_feature_flag(name, result)`` on each evaluation: the isolation scope keeps the
latest ones (errors carry them in ``contexts.flags``; a request or task forks its own)
and the running span records them as ``flag.evaluation.<name>``: span data, first ten
only, or with ``trace_lifecycle="stream"`` attributes of the streamed span, as with
sentry_sdk. The feature-flag integrations call it through ``integration_api``.
"""

from __future__ import annotations

from sentry_lite.limits import DEFAULT_FLAG_CAPACITY
from sentry_lite.scope import Scope
from sentry_lite.scope.flags import FlagBuffer
from sentry_lite.sdk_loggers import logger
from sentry_lite.tracing.span import Span

__all__ = ["DEFAULT_FLAG_CAPACITY", "FlagBuffer", "add_feature_flag"]


def add_feature_flag(flag: str, result: bool) -> None:
    """Record that ``flag`` evaluated to ``result`` here. Never raises."""
    try:
        Scope.get_isolation_scope().flags.set(flag, result)
        scope = Scope.get_current_scope()
        if Scope.get_client().span_streaming:
            streamed = scope.streamed_span
            if streamed is not None:  # a no-op span ignores it
                streamed.set_attribute(f"flag.evaluation.{flag}", result)
        else:
            span = scope.span
            if isinstance(span, Span):
                span.set_flag(f"flag.evaluation.{flag}", result)
    except Exception:  # noqa: BLE001 - recording a flag must never break the app
        logger.debug("could not record a feature flag", exc_info=True)
