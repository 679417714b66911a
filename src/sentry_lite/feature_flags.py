"""``sentry_lite.feature_flags``: record flag evaluations for error events and spans.

``add_feature_flag(name, result)`` on each evaluation: the isolation scope keeps the
latest ones (errors carry them in ``contexts.flags``) and the running span records the
first ten as ``flag.evaluation.<name>`` data, as with sentry_sdk.
"""

from __future__ import annotations

from sentry_lite.limits import DEFAULT_FLAG_CAPACITY
from sentry_lite.scope import Scope
from sentry_lite.scope.flags import FlagBuffer

__all__ = ["DEFAULT_FLAG_CAPACITY", "FlagBuffer", "add_feature_flag"]


def add_feature_flag(flag: str, result: bool) -> None:
    """Record that ``flag`` evaluated to ``result`` here."""
    try:
        Scope.get_isolation_scope().flags.set(flag, result)
        span = Scope.get_current_scope().span
        set_flag = getattr(span, "set_flag", None)
        if set_flag is not None:
            set_flag(f"flag.evaluation.{flag}", result)
    except Exception:  # noqa: BLE001 - recording a flag must never break the app
        import logging

        logging.getLogger("sentry_lite").debug("could not record a feature flag", exc_info=True)
