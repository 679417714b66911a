"""Release-health sessions on a scope: ``start_session``/``end_session`` as in sentry_sdk.

A session is kept on the scope it was started on (the isolation scope for the top-level
API and the web integrations); errors captured while it is active mark it (see
``sentry_lite.telemetry.sessions_from_events``). Ended sessions go to the client, which
sends application sessions as they are and request sessions as per-minute counts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Optional, Type

from sentry_lite.client_base import BaseClient
from sentry_lite.scope.data import ScopeData
from sentry_lite.sdk_loggers import internal_logger as logger

if TYPE_CHECKING:
    from sentry_lite.telemetry.session import Session

__all__ = ["ScopeSessions", "auto_session_tracking_on"]

_session_class: Optional[Type[Session]] = None


def _session_type() -> Type[Session]:
    """``Session``; its module is imported by the first one, not at import time, and
    looked up once (an import statement per web request costs ~0.7 µs)."""
    global _session_class
    if _session_class is None:
        from sentry_lite.telemetry.session import Session

        _session_class = Session
    return _session_class


def auto_session_tracking_on(scope: Any, client: BaseClient) -> bool:
    """``auto_session_tracking`` (default on) unless this scope stopped it; needs a release."""
    forced = scope._force_auto_session_tracking
    if forced is None:
        forced = bool(client.options.get("auto_session_tracking", True))
    return bool(forced) and bool(client.options.get("release"))


class ScopeSessions(ScopeData):
    """The session methods of ``Scope`` (mixed in; the fields live in ``ScopeData``)."""

    __slots__ = ()

    def get_client(self) -> BaseClient:
        raise NotImplementedError

    def start_session(self, *args: Any, **kwargs: Any) -> None:
        """End the running session, if any, and start one (``session_mode="application"``
        or ``"request"``)."""
        session_mode = kwargs.pop("session_mode", "application")
        self.start_request_session(self.get_client().options, session_mode)

    def start_request_session(
        self, options: Mapping[str, Any], session_mode: str = "request"
    ) -> None:
        """``start_session`` as the web integrations call it, once per request: the
        client's ``options`` given, no keywords to parse (``start_session`` ends here)."""
        if self._session is not None:
            self.end_session()
        user = self._user
        if session_mode == "request" and not user:
            self._session = (_session_class or _session_type()).for_request(
                options.get("release"), options.get("environment")
            )
            return
        self._session = _session_type()(
            release=options.get("release"),
            environment=options.get("environment"),
            user=user,
            session_mode=session_mode,
        )

    def end_session(self, *args: Any, **kwargs: Any) -> None:
        self.end_session_for(None)

    def end_session_for(self, client: Optional[BaseClient]) -> None:
        """``end_session``, the session going to ``client`` (None: the active client),
        for a caller that has it in hand (the web integrations, once per request)."""
        session = self._session
        self._session = None
        if session is None:
            return
        try:
            session.close()
            if client is None:
                client = self.get_client()
            capture = getattr(client, "capture_session", None)
            if capture is not None:
                capture(session)
        except Exception:  # noqa: BLE001 - never break the app
            logger.debug("sentry_lite: could not end the session", exc_info=True)

    def stop_auto_session_tracking(self, *args: Any, **kwargs: Any) -> None:
        """End the session and start none automatically on this scope until resumed."""
        self.end_session()
        self._force_auto_session_tracking = False

    def resume_auto_session_tracking(self) -> None:
        self._force_auto_session_tracking = None

    def set_user(self, value: Any) -> None:
        """Set the user; the running session takes its id (``did``) from it."""
        super().set_user(value)
        session = self.get_isolation_scope()._session
        if session is not None and value:
            session.update(user=value)

    @classmethod
    def get_isolation_scope(cls) -> Any:
        raise NotImplementedError
