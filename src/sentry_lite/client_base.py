"""The client interface and the no-op client that stands in before ``init``.

Split from ``client.py`` so that ``import sentry_lite`` (scopes, the API) does not load
the event pipeline, the serializer and the transport: those load at ``init``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional

from sentry_lite.dsn import Dsn
from sentry_lite.options import DEFAULTS, Options
from sentry_lite.sdk_loggers import internal_logger, logger

if TYPE_CHECKING:
    from sentry_lite.types import Event, Hint

__all__ = ["BaseClient", "NonRecordingClient", "log_hook_error", "warn_once"]


def log_hook_error(hook: str) -> None:
    """A user hook raised: log it with its traceback; the SDK carries on."""
    internal_logger.warning("sentry_lite: %s raised; see docs/hooks.md", hook, exc_info=True)


_warned: set[str] = set()


def warn_once(key: str, message: str, *args: Any) -> None:
    """Log a configuration warning once per process, not once per event."""
    if key in _warned:
        return
    _warned.add(key)
    logger.warning(message, *args)


class BaseClient:
    """The interface every client offers; this base does nothing (the no-op client)."""

    options: Options = Options(DEFAULTS)
    transport: Any = None
    integrations: Dict[str, Any] = {}
    """identifier -> Integration instance (set up by ``sentry_lite.init``)."""
    dsn: Optional[str] = None
    spotlight: Any = None
    """The Spotlight sender (``.url``, ``.capture_envelope``), None when Spotlight is off."""
    sends_user_attributes = False
    """May the user go on streamed spans (``data_collection`` user_info, else PII)?"""
    span_streaming = False
    """``trace_lifecycle="stream"``, read once when the client is made (asked per span)."""
    span_globals_in_batch = False
    """Does the span batcher add the global scope's attributes (see ``Client``)?"""

    def is_active(self) -> bool:
        return False

    def should_send_default_pii(self) -> bool:
        return self.options.send_default_pii

    @property
    def parsed_dsn(self) -> Optional[Dsn]:
        return None

    def capture_event(
        self, event: Event, hint: Optional[Hint] = None, scope: Any = None
    ) -> Optional[str]:
        return None

    def capture_message(
        self, message: str, level: Optional[str] = None, scope: Any = None
    ) -> Optional[str]:
        return None

    def capture_exception(self, error: Any = None, scope: Any = None) -> Optional[str]:
        return None

    def capture_envelope(self, envelope: Any) -> None:
        pass

    def record_lost_event(
        self, reason: str, data_category: str = "error", quantity: int = 1
    ) -> None:
        pass

    def get_integration(self, name_or_class: Any) -> Optional[Any]:
        return None

    def flush(
        self,
        timeout: Optional[float] = None,
        callback: Optional[Callable[[int, float], None]] = None,
    ) -> None:
        pass

    def close(
        self,
        timeout: Optional[float] = None,
        callback: Optional[Callable[[int, float], None]] = None,
    ) -> None:
        pass

    def log_hook_error(self, hook: str) -> None:
        log_hook_error(hook)

    def __enter__(self) -> BaseClient:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class NonRecordingClient(BaseClient):
    """What ``get_client()`` returns before ``init``: every call is a cheap no-op."""

    instance: NonRecordingClient


NonRecordingClient.instance = NonRecordingClient()


# -- i11core: integrations told when before_send drops an event ---------------------------

before_send_drop_callbacks: List[Callable[[Dict[str, Any]], None]] = []
"""Called with the hint of an error event ``before_send`` dropped: the dedupe integration
forgets that exception, so the next capture of it is not taken for a duplicate."""
