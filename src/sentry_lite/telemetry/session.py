"""A release-health session (https://develop.sentry.dev/sdk/telemetry/sessions/).

Cheap to start, because a web request starts one: the id (a uuid4) and the timestamps
are only made into text when an application session is sent; request sessions are only
counted into per-minute aggregates and never need them.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Dict, Optional, Union

from sentry_lite.timestamps import format_timestamp

if TYPE_CHECKING:
    import uuid

__all__ = ["Session"]


def _as_datetime(value: Union[float, datetime]) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
    return datetime.fromtimestamp(value, timezone.utc)


class Session:
    """One session: ``ok`` while running, then ``exited``, ``crashed`` or ``abnormal``."""

    __slots__ = (
        "_sid",
        "_started",
        "_timestamp",
        "did",
        "duration",
        "environment",
        "errors",
        "ip_address",
        "release",
        "session_mode",
        "status",
        "user_agent",
    )

    def __init__(
        self,
        sid: Optional[Union[str, uuid.UUID]] = None,
        did: Optional[str] = None,
        timestamp: Optional[datetime] = None,
        started: Optional[Union[float, datetime]] = None,
        duration: Optional[float] = None,
        status: Optional[str] = None,
        release: Optional[str] = None,
        environment: Optional[str] = None,
        user_agent: Optional[str] = None,
        ip_address: Optional[str] = None,
        errors: Optional[int] = None,
        user: Optional[Any] = None,
        session_mode: str = "application",
    ) -> None:
        self._sid: Optional[uuid.UUID] = None
        self._started: Union[float, datetime] = time.time() if started is None else started
        self._timestamp: Union[float, datetime, None] = None
        self.status = status or "ok"
        self.did: Optional[str] = None
        self.release: Optional[str] = release
        self.environment: Optional[str] = environment
        self.duration: Optional[float] = duration
        self.user_agent: Optional[str] = None
        self.ip_address: Optional[str] = None
        self.errors = 0
        self.session_mode = session_mode
        if sid is not None or did is not None or timestamp is not None or user:
            self.update(sid=sid, did=did, timestamp=timestamp, user=user)
        if user_agent is not None:
            self.user_agent = user_agent
        if ip_address is not None:
            self.ip_address = ip_address
        if errors is not None:
            self.errors = errors

    @classmethod
    def for_request(cls, release: Optional[str], environment: Optional[str]) -> Session:
        """A request-mode session without a user, as a web request starts one: what
        ``Session(release=..., environment=..., session_mode="request")`` makes, without
        parsing thirteen keywords per request."""
        session = cls.__new__(cls)
        session._sid = None
        session._started = time.time()
        session._timestamp = None
        session.status = "ok"
        session.did = None
        session.release = release
        session.environment = environment
        session.duration = None
        session.user_agent = None
        session.ip_address = None
        session.errors = 0
        session.session_mode = "request"
        return session

    # -- lazily made fields -----------------------------------------------------------------
    @property
    def sid(self) -> uuid.UUID:
        if self._sid is None:
            import uuid  # only application sessions are sent with an id (~2 ms to import)

            self._sid = uuid.uuid4()
        return self._sid

    @property
    def started(self) -> datetime:
        return _as_datetime(self._started)

    @property
    def started_minute(self) -> int:
        """Minutes since the epoch: the key of request aggregates."""
        started = self._started
        seconds = started.timestamp() if isinstance(started, datetime) else started
        return int(seconds // 60)

    @property
    def timestamp(self) -> datetime:
        return _as_datetime(self._timestamp if self._timestamp is not None else time.time())

    @property
    def truncated_started(self) -> datetime:
        return self.started.replace(second=0, microsecond=0)

    # -- changes ------------------------------------------------------------------------------
    def update(
        self,
        sid: Optional[Union[str, uuid.UUID]] = None,
        did: Optional[str] = None,
        timestamp: Optional[datetime] = None,
        started: Optional[datetime] = None,
        duration: Optional[float] = None,
        status: Optional[str] = None,
        release: Optional[str] = None,
        environment: Optional[str] = None,
        user_agent: Optional[str] = None,
        ip_address: Optional[str] = None,
        errors: Optional[int] = None,
        user: Optional[Any] = None,
    ) -> None:
        if user and isinstance(user, dict):
            if ip_address is None:
                ip_address = user.get("ip_address")
            if did is None:
                did = user.get("id") or user.get("email") or user.get("username")
        if sid is not None:
            import uuid

            self._sid = sid if isinstance(sid, uuid.UUID) else uuid.UUID(str(sid))
        if did is not None:
            self.did = str(did)
        self._timestamp = timestamp if timestamp is not None else time.time()
        for name, value in (
            ("duration", duration),
            ("release", release),
            ("environment", environment),
            ("ip_address", ip_address),
            ("user_agent", user_agent),
            ("errors", errors),
            ("status", status),
        ):
            if value is not None:
                setattr(self, name, value)
        if started is not None:
            self._started = started

    def close(self, status: Optional[str] = None) -> None:
        if status is None and self.status == "ok":
            status = "exited"
        if status is not None:
            self.status = status
            self._timestamp = time.time()

    def mark_error(self, crashed: bool) -> None:
        """An error event was captured while this session ran (unhandled: ``crashed``)."""
        self.errors += 1
        if crashed:
            self.status = "crashed"

    # -- wire form ------------------------------------------------------------------------------
    def get_json_attrs(self, with_user_info: Optional[bool] = True) -> Dict[str, Any]:
        attrs: Dict[str, Any] = {}
        if self.release is not None:
            attrs["release"] = self.release
        if self.environment is not None:
            attrs["environment"] = self.environment
        if with_user_info:
            if self.ip_address is not None:
                attrs["ip_address"] = self.ip_address
            if self.user_agent is not None:
                attrs["user_agent"] = self.user_agent
        return attrs

    def to_json(self) -> Dict[str, Any]:
        rv: Dict[str, Any] = {
            "sid": str(self.sid),
            "init": True,
            "started": format_timestamp(self.started.timestamp()),
            "timestamp": format_timestamp(self.timestamp.timestamp()),
            "status": self.status,
        }
        if self.errors:
            rv["errors"] = self.errors
        if self.did is not None:
            rv["did"] = self.did
        if self.duration is not None:
            rv["duration"] = self.duration
        attrs = self.get_json_attrs()
        if attrs:
            rv["attrs"] = attrs
        return rv
