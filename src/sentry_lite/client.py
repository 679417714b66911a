"""The client: turns captured data into finished events and hands them to the transport.

The pipeline for one event, each step a plain function of the event dict:
ignore_errors / sampling -> scope data and event processors -> defaults (release,
contexts, sdk, ...) -> in_app -> scrubbing -> bounded serialisation -> ``before_send``
-> envelope -> transport. A step that raises is logged and skipped; no error from
here ever reaches the application.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from typing import TYPE_CHECKING, Any, Callable, Dict, Optional, Tuple, Type

from sentry_lite.consts import VERSION
from sentry_lite.dsn import Dsn
from sentry_lite.envelope import Envelope, Item
from sentry_lite.events.contexts import installed_modules, os_context, runtime_context, sdk_info
from sentry_lite.events.exceptions import event_from_exception, exc_info_from_error
from sentry_lite.events.frames import current_stacktrace, set_in_app
from sentry_lite.events.scrub import EventScrubber
from sentry_lite.events.serialize import serialize_event
from sentry_lite.events.types import Event, Hint
from sentry_lite.options import DEFAULTS, build_options
from sentry_lite.timestamps import now_iso
from sentry_lite.tracing.context import new_trace_id
from sentry_lite.transport.base import Transport, make_transport

if TYPE_CHECKING:
    from sentry_lite.integrations import Integration

logger = logging.getLogger("sentry_lite")
internal_logger = logging.getLogger("sentry_lite.errors")

__all__ = ["BaseClient", "Client", "NonRecordingClient", "warn_once"]

_warned: set[str] = set()


def warn_once(key: str, message: str, *args: Any) -> None:
    """Log a configuration warning once per process, not once per event."""
    if key in _warned:
        return
    _warned.add(key)
    logger.warning(message, *args)


class BaseClient:
    """The interface every client offers; this base does nothing (the no-op client)."""

    options: Dict[str, Any] = dict(DEFAULTS)
    transport: Optional[Transport] = None
    integrations: Dict[str, Integration] = {}
    dsn: Optional[str] = None

    def is_active(self) -> bool:
        return False

    def should_send_default_pii(self) -> bool:
        return bool(self.options.get("send_default_pii"))

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

    def capture_envelope(self, envelope: Envelope) -> None:
        pass

    def record_lost_event(
        self, reason: str, data_category: str = "error", quantity: int = 1
    ) -> None:
        pass

    def get_integration(self, name_or_class: Any) -> Optional[Integration]:
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
        internal_logger.warning("sentry_lite: %s raised; see docs/hooks.md", hook, exc_info=True)

    def __enter__(self) -> BaseClient:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class NonRecordingClient(BaseClient):
    """What ``get_client()`` returns before ``init``: every call is a cheap no-op."""

    instance: NonRecordingClient


NonRecordingClient.instance = NonRecordingClient()


class Client(BaseClient):
    """Holds the options, the transport and the integrations of one ``init``."""

    def __init__(self, dsn: Any = None, **options: Any) -> None:
        self.options = build_options(dsn, **options)
        self.dsn = self.options["dsn"]
        self._parsed_dsn = Dsn(self.dsn) if self.dsn else None
        self.transport = make_transport(self.options)
        self._spotlight: Optional[Transport] = None
        if self.options.get("spotlight"):
            self._spotlight = _make_spotlight(self.options)
        scrubber = self.options.get("event_scrubber")
        if scrubber is None:
            scrubber = EventScrubber(send_default_pii=self.should_send_default_pii())
        self._scrubber = scrubber
        self._contexts_base = {"runtime": runtime_context(), "os": os_context()}
        self.integrations = {}
        self._lock = threading.Lock()
        self._closed = False
        self._sdk_cache: Optional[Tuple[int, Dict[str, Any]]] = None
        self._setup_integrations()
        if self.options["functions_to_trace"]:
            from sentry_lite.tracing.decorator import instrument_functions

            instrument_functions(self.options["functions_to_trace"])

    def _setup_integrations(self) -> None:
        from sentry_lite.integrations import setup_integrations

        # Auto-enabling integrations may join this dict later, when their library is
        # imported; the sdk info on each event is built from it then.
        self.integrations = setup_integrations(self.options)

    # -- state -----------------------------------------------------------------
    def is_active(self) -> bool:
        return not self._closed and (self.transport is not None or self._spotlight is not None)

    @property
    def parsed_dsn(self) -> Optional[Dsn]:
        return self._parsed_dsn

    def get_integration(self, name_or_class: Any) -> Optional[Integration]:
        name = name_or_class if isinstance(name_or_class, str) else name_or_class.identifier
        return self.integrations.get(name)

    def _sdk_info(self) -> Dict[str, Any]:
        """The event's ``sdk``; rebuilt only when an auto-enabled integration joined."""
        count = len(self.integrations)
        cached = self._sdk_cache
        if cached is None or cached[0] != count:
            cached = (count, sdk_info(sorted(self.integrations)))
            self._sdk_cache = cached
        info = dict(cached[1])
        info["integrations"] = list(info["integrations"])
        info["packages"] = list(info["packages"])
        return info

    # -- capture -----------------------------------------------------------------
    def capture_message(
        self, message: str, level: Optional[str] = None, scope: Any = None
    ) -> Optional[str]:
        return self.capture_event({"message": message, "level": level or "info"}, None, scope)

    def capture_exception(self, error: Any = None, scope: Any = None) -> Optional[str]:
        if not self.is_active():
            return None
        try:
            exc_info = exc_info_from_error(error)
            if exc_info[1] is None:
                return None
            event, hint = event_from_exception(exc_info, self.options)
        except Exception:  # noqa: BLE001
            internal_logger.exception("sentry_lite: could not build the exception event")
            return None
        return self.capture_event(event, hint, scope)

    def capture_event(
        self, event: Event, hint: Optional[Hint] = None, scope: Any = None
    ) -> Optional[str]:
        """Run the pipeline; returns the event id, or None if the event was dropped."""
        if self._closed:
            return None
        try:
            return self._capture(event, dict(hint) if hint else {}, scope)
        except Exception:  # noqa: BLE001 - never let the SDK break the app
            internal_logger.exception("sentry_lite: internal error while capturing an event")
            return None

    def _capture(self, event: Event, hint: Hint, scope: Any) -> Optional[str]:
        options = self.options
        event_id = event.get("event_id")
        if event_id is None:
            event["event_id"] = event_id = new_trace_id()  # 32 hex digits, like uuid4().hex
        is_transaction = event.get("type") == "transaction"
        category = "transaction" if is_transaction else "error"
        if not is_transaction:
            if self._is_ignored(hint):
                self._lost("event_processor", category, event)
                return None
            if not self._sampled(event, hint):
                self._lost("sample_rate", category, event)
                return None
        if scope is not None:
            spans_before = len(event.get("spans") or ()) if is_transaction else 0
            processed = scope.apply_to_event(event, hint, options)
            if processed is None:
                self._lost("event_processor", category, event)
                return None
            event = processed
            if is_transaction:
                removed = spans_before - len(event.get("spans") or ())
                if removed > 0:  # as sentry_sdk: spans a processor dropped are counted
                    self.record_lost_event("event_processor", "span", removed)
        final = self._run_before_send(
            self._prepare(event, hint, is_transaction), hint, is_transaction
        )
        if final is None:
            return None
        self._send(final, hint, scope)
        return event_id

    def _is_ignored(self, hint: Hint) -> bool:
        ignored = self.options["ignore_errors"]
        exc_info = hint.get("exc_info")
        if not ignored or not exc_info or exc_info[0] is None:
            return False
        error_type: Type[BaseException] = exc_info[0]
        full_name = f"{error_type.__module__}.{error_type.__name__}"
        for item in ignored:
            if isinstance(item, str):
                if item == error_type.__name__ or item == full_name:
                    return True
            elif isinstance(item, type) and issubclass(error_type, item):
                return True
        return False

    def _sampled(self, event: Event, hint: Hint) -> bool:
        sampler = self.options.get("error_sampler")
        if sampler is not None:
            try:
                rate = sampler(event, hint)
            except Exception:  # noqa: BLE001
                self.log_hook_error("error_sampler")
                return True
        else:
            rate = self.options["sample_rate"]
        if isinstance(rate, bool):
            return rate
        try:
            rate = float(rate)
        except (TypeError, ValueError):
            warn_once("error_sampler_value", "sentry_lite: sample rate %r is not a number", rate)
            return True
        return rate >= 1.0 or random.random() < rate

    def _prepare(self, event: Event, hint: Hint, is_transaction: bool) -> Event:
        """Scrub and bound what came from the app, then add what the SDK knows.

        Only data of unknown shape goes through the scrubber and serializer; the SDK's
        own additions (sdk, modules, os/runtime contexts, release, ...) are JSON-safe by
        construction and are added afterwards. Size trimming, which needs the encoded
        size, happens on the transport's worker thread.
        """
        options = self.options
        if (
            options["attach_stacktrace"]
            and not is_transaction
            and "exception" not in event
            and "stacktrace" not in event
            and "threads" not in event
        ):
            event["threads"] = {
                "values": [
                    {"stacktrace": current_stacktrace(options), "crashed": False, "current": True}
                ]
            }
        if "exception" in event or "threads" in event or "stacktrace" in event:
            set_in_app(event, options)
        try:
            self._scrubber.scrub_event(event)
        except Exception:  # noqa: BLE001
            internal_logger.exception("sentry_lite: scrubber failed; dropping request data")
            event.pop("request", None)
        event = serialize_event(
            event,
            max_value_length=options["max_value_length"],
            max_request_body_size=options["max_request_body_size"],
            custom_repr=options["custom_repr"],
            size_budget=None,
        )
        if event.get("timestamp") is None:
            event["timestamp"] = now_iso()
        for key in ("release", "environment", "server_name", "dist"):
            if event.get(key) is None and options[key] is not None:
                event[key] = options[key]
        contexts = event.setdefault("contexts", {})
        for key, value in self._contexts_base.items():
            if key not in contexts:
                contexts[key] = dict(value)
        if event.get("sdk") is None:
            event["sdk"] = self._sdk_info()
        if event.get("platform") is None:
            event["platform"] = "python"
        if not is_transaction and "modules" in self.integrations and "modules" not in event:
            event["modules"] = installed_modules()  # shared, as sentry_sdk does
        return event

    def _run_before_send(self, event: Event, hint: Hint, is_transaction: bool) -> Optional[Event]:
        name = "before_send_transaction" if is_transaction else "before_send"
        hook = self.options.get(name)
        if hook is None:
            return event
        try:
            result = hook(event, hint)
        except Exception:  # noqa: BLE001
            # Documented: a hook that raises is logged and the event is sent unmodified
            # by the hook (sentry_sdk does the same), so a buggy hook never loses data.
            self.log_hook_error(name)
            return event
        if result is None:
            category = "transaction" if is_transaction else "error"
            self._lost("before_send", category, event)
            return None
        if not isinstance(result, dict):
            warn_once(
                name + "_type",
                "sentry_lite: %s returned %s instead of an event dict; sending the original",
                name,
                type(result).__name__,
            )
            return event
        # The hook may have put anything in (objects, NaN): bound it again so the worker
        # always gets strict JSON. Plain data takes the serializer's fast path.
        return serialize_event(
            result,
            max_value_length=self.options["max_value_length"],
            max_request_body_size=self.options["max_request_body_size"],
            custom_repr=self.options["custom_repr"],
            size_budget=None,
        )

    def _send(self, event: Event, hint: Hint, scope: Any) -> None:
        timestamp = event.get("timestamp")
        headers: Dict[str, Any] = {
            "event_id": event["event_id"],
            "sent_at": timestamp if isinstance(timestamp, str) else now_iso(),
        }
        dsc = self._dynamic_sampling_context(event, scope)
        if dsc:
            headers["trace"] = dsc
        envelope = Envelope(headers)
        is_transaction = event.get("type") == "transaction"
        envelope.add_item(Item(event, "transaction" if is_transaction else "event"))
        for attachment in hint.get("attachments") or ():
            try:
                envelope.add_item(attachment.to_item())
            except Exception:  # noqa: BLE001
                internal_logger.warning("sentry_lite: could not read attachment", exc_info=True)
        self.capture_envelope(envelope)

    def _dynamic_sampling_context(self, event: Event, scope: Any) -> Optional[Dict[str, Any]]:
        """The envelope's ``trace`` header, so ingest can sample the trace consistently.

        Tracing puts the DSC into ``contexts.trace.dynamic_sampling_context``; it is moved
        out of the event here (as sentry_sdk does), since it belongs in the header only.
        """
        trace = (event.get("contexts") or {}).get("trace")
        if isinstance(trace, dict):
            carried = trace.pop("dynamic_sampling_context", None)
            if carried and isinstance(carried, dict):
                return carried
        else:
            trace = {}
        getter = getattr(scope, "dynamic_sampling_context", None)
        if getter is not None:
            try:
                dsc = getter(self)
                if dsc:
                    return dsc  # type: ignore[no-any-return]
            except Exception:  # noqa: BLE001
                internal_logger.debug("sentry_lite: no DSC from scope", exc_info=True)
        trace_id = trace.get("trace_id")
        if not trace_id:
            return None
        dsc = {"trace_id": trace_id, "environment": self.options["environment"]}
        if self._parsed_dsn is not None:
            dsc["public_key"] = self._parsed_dsn.public_key
        if self.options["release"]:
            dsc["release"] = self.options["release"]
        return dsc

    def capture_envelope(self, envelope: Envelope) -> None:
        """Hand a finished envelope to the transport (and to Spotlight if enabled)."""
        if self._spotlight is not None:
            try:
                self._spotlight.capture_envelope(envelope)
            except Exception:  # noqa: BLE001
                internal_logger.debug("sentry_lite: spotlight failed", exc_info=True)
        if self.transport is not None:
            self.transport.capture_envelope(envelope)

    # -- losses ------------------------------------------------------------------
    def _lost(self, reason: str, category: str, event: Event) -> None:
        self.record_lost_event(reason, category)
        if category == "transaction":
            spans = event.get("spans") or ()
            self.record_lost_event(reason, "span", len(spans) + 1)

    def record_lost_event(
        self, reason: str, data_category: str = "error", quantity: int = 1
    ) -> None:
        transport = self.transport
        if transport is not None:
            try:
                transport.record_lost_event(reason, data_category, quantity=quantity)
            except Exception:  # noqa: BLE001
                internal_logger.debug("sentry_lite: record_lost_event failed", exc_info=True)

    # -- lifecycle ---------------------------------------------------------------
    def flush(
        self,
        timeout: Optional[float] = None,
        callback: Optional[Callable[[int, float], None]] = None,
    ) -> None:
        if timeout is None:
            timeout = float(self.options["shutdown_timeout"])
        for transport in (self.transport, self._spotlight):
            if transport is None:
                continue
            started = time.monotonic()
            try:
                transport.flush(timeout, callback)
            except Exception:  # noqa: BLE001
                internal_logger.debug("sentry_lite: flush failed", exc_info=True)
            timeout = max(0.0, timeout - (time.monotonic() - started))

    def close(
        self,
        timeout: Optional[float] = None,
        callback: Optional[Callable[[int, float], None]] = None,
    ) -> None:
        """Flush within ``timeout`` and stop background work; later captures are no-ops."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self.flush(timeout, callback)
        for transport in (self.transport, self._spotlight):
            if transport is not None:
                try:
                    transport.kill()
                except Exception:  # noqa: BLE001
                    internal_logger.debug("sentry_lite: kill failed", exc_info=True)

    def __repr__(self) -> str:
        return f"<sentry_lite.Client dsn={self.dsn!r} version={VERSION}>"


def _make_spotlight(options: Dict[str, Any]) -> Optional[Transport]:
    try:
        from sentry_lite.transport.spotlight import SpotlightTransport
    except ImportError:
        return None
    try:
        return SpotlightTransport(options)
    except Exception:  # noqa: BLE001
        internal_logger.warning("sentry_lite: could not set up spotlight", exc_info=True)
        return None
