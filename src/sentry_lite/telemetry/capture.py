"""A client's logs and metrics: ``before_send_log``/``before_send_metric``, then the batchers.

With no hook configured the app thread only appends the record; the client's global
attributes (SDK, runtime, release, environment, server) are added on the batcher's
thread. With a hook they are added first, so the hook sees the record as sentry_sdk
shows it, and the hook runs on the app thread as in sentry_sdk.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Mapping, Optional

from sentry_lite.data_collection import SEND, decision
from sentry_lite.envelope import Envelope
from sentry_lite.sdk_loggers import internal_logger as logger
from sentry_lite.telemetry.attributes import global_attributes
from sentry_lite.telemetry.batcher import Batcher, LogBatcher, MetricsBatcher

__all__ = ["Telemetry", "hook_option"]


Hook = Callable[[Dict[str, Any], Dict[str, Any]], Optional[Dict[str, Any]]]


def hook_option(options: Mapping[str, Any], name: str) -> Optional[Hook]:
    """The hook set as ``name`` or, as sentry_sdk still accepts it, ``_experiments[name]``."""
    hook = options.get(name)
    if hook is None:
        hook = (options.get("_experiments") or {}).get(name)
    return hook if callable(hook) else None


class Telemetry:
    """The log and metric batchers of one client and the hooks in front of them."""

    __slots__ = (
        "before_send_log",
        "before_send_metric",
        "global_source",
        "globals",
        "logs",
        "metrics",
        "send_pii",
    )

    def __init__(
        self,
        options: Mapping[str, Any],
        capture: Callable[[Envelope], None],
        record_lost: Callable[..., None],
    ) -> None:
        self.globals = global_attributes(options)
        self.global_source: Optional[Callable[[], Mapping[str, Any]]] = None
        self.send_pii = decision(options, "user_info") == SEND  # data_collection or PII
        """Read once: whether user attributes join logs and metrics."""
        self.before_send_log = hook_option(options, "before_send_log")
        self.before_send_metric = hook_option(options, "before_send_metric")
        log_globals = {} if self.before_send_log is not None else self.globals
        metric_globals = {} if self.before_send_metric is not None else self.globals
        self.logs = LogBatcher(capture, record_lost, log_globals)
        self.metrics = MetricsBatcher(capture, record_lost, metric_globals)

    def use_global_attributes(self, source: Callable[[], Mapping[str, Any]]) -> None:
        """The global scope's attributes (``source()``), below every record's own.

        They are the same on nearly every record, so instead of a copy per record they are
        read once per batch by a batcher without a hook, and merged before the hook runs
        by one with a hook (the hook sees what will be sent). A value set there applies
        to the records whose batch has not gone out yet.
        """
        self.global_source = source
        for batcher, hook in (
            (self.logs, self.before_send_log),
            (self.metrics, self.before_send_metric),
        ):
            if hook is None:
                batcher.use_scope_globals(source)

    def capture_log(self, record: Dict[str, Any]) -> None:
        self._add(record, self.before_send_log, self.logs, "before_send_log")

    def capture_metric(self, record: Dict[str, Any]) -> None:
        self._add(record, self.before_send_metric, self.metrics, "before_send_metric")

    def _add(
        self, record: Dict[str, Any], hook: Optional[Hook], batcher: Batcher, name: str
    ) -> None:
        if hook is not None:
            attributes = dict(self.globals)
            source = self.global_source
            if source is not None:
                attributes.update(source())
            attributes.update(record["attributes"])
            record["attributes"] = attributes
            try:
                result = hook(record, {})
            except Exception:  # noqa: BLE001 - a user hook never breaks the app
                logger.warning("sentry_lite: %s raised; see docs/hooks.md", name, exc_info=True)
                batcher.record_lost(record, "callback_error")
                return
            if result is None:
                batcher.record_lost(record, "before_send")
                return
            record = result
        batcher.add(record)

    def flush(self) -> None:
        self.logs.flush()
        self.metrics.flush()

    def kill(self) -> None:
        self.logs.kill()
        self.metrics.kill()
