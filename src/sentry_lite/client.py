"""The client: options, the event pipeline and the transport of one ``init``.

``capture_event`` runs the event through the pipeline (``pipeline.py``: ignore,
sample, scopes, in-app, scrub, serialize, defaults, ``before_send``), puts the result in
an envelope and hands it to the transport. No error from here ever reaches the app;
every event that does not go out is counted (client reports).
"""

from __future__ import annotations

import os
import threading
import time
from functools import partial
from typing import Any, Callable, Dict, Mapping, Optional, Tuple

from sentry_lite.client_base import BaseClient, NonRecordingClient, log_hook_error, warn_once
from sentry_lite.consts import VERSION
from sentry_lite.data_collection import SEND, decision
from sentry_lite.dsn import Dsn
from sentry_lite.envelope import Envelope, Item
from sentry_lite.events import capture_guard
from sentry_lite.events.contexts import sdk_name
from sentry_lite.events.exceptions import event_from_exception, exc_info_from_error
from sentry_lite.events.top_level import fix_top_level
from sentry_lite.options import Options, build_options
from sentry_lite.pipeline import (
    CALLBACK_ERROR_HINT,
    OWN_EXCEPTION_HINT,
    SCOPE_HINT,
    EventPipeline,
    FinishOnce,
    Step,
)
from sentry_lite.profiler import control as profiler_control
from sentry_lite.sdk_loggers import internal_logger, logger
from sentry_lite.sdk_loggers import load as load_loggers
from sentry_lite.span_batcher import SpanBatcher
from sentry_lite.span_capture import span_for_sending, span_hook, warn_streaming_options
from sentry_lite.span_item import SPAN_CONTENT_TYPE
from sentry_lite.telemetry.capture import Telemetry
from sentry_lite.telemetry.session_flusher import SessionFlusher
from sentry_lite.telemetry.sessions_from_events import update_session_from_event
from sentry_lite.timestamps import now_iso
from sentry_lite.trace_header import envelope_trace_header
from sentry_lite.tracing.gen_ai_split import has_gen_ai_span, split_gen_ai_spans
from sentry_lite.tracing.ids import load_random, new_trace_id
from sentry_lite.tracing.stream_sampling import span_streaming_enabled
from sentry_lite.tracing.transaction import load_threading
from sentry_lite.transport.base import Transport
from sentry_lite.transport.factory import make_transport
from sentry_lite.types import Event, Hint

CHECK_IN = "check_in"
"""Event type of a cron check-in: sent as a ``check_in`` item, category ``monitor``."""

__all__ = ["BaseClient", "Client", "NonRecordingClient", "log_hook_error", "warn_once"]

# ``import sentry_lite`` leaves out ``logging`` (the SDK's loggers), ``random`` (ids and
# sampling) and ``threading`` (the thread of new spans); the client, which ``init``
# imports, loads them, so no capture after ``init`` is the one that pays for them.
load_loggers()
load_random()
load_threading()


class Client(BaseClient):
    """Holds the options, the pipeline and the transport of one ``init``.

    Integrations are set up by ``sentry_lite.init`` (the API layer) and listed here in
    ``integrations``; the client itself never imports one.
    """

    def __init__(self, dsn: Any = None, **options: Any) -> None:
        self.options = build_options(dsn, **options)
        self.dsn = self.options["dsn"]
        self.transport = make_transport(self.options)
        # As sentry_sdk's ``Client.spotlight``: None when off, else the sender (``.url``).
        self.spotlight: Optional[Transport] = _make_spotlight(self.options)
        self.integrations = {}
        self._lock = threading.Lock()
        self._closed = False
        self.pipeline = EventPipeline(
            self.options, lambda: self.integrations, warn_once, self.record_lost_event
        )
        self._profiling = profiler_control.setup(
            self.options, self._send_profile_chunk, self.record_lost_event, self._sdk_name
        )
        # -- i13: logs, metrics (their batchers start a thread on first use) --
        self.telemetry = Telemetry(self.options, self.capture_envelope, self._record_lost_item)
        self.log_batcher = self.telemetry.logs
        self.metrics_batcher = self.telemetry.metrics
        self.session_flusher = SessionFlusher(self.capture_envelope, offer_func=self.offer_envelope)
        warn_streaming_options(self.options)
        # The user on streamed spans: data_collection's user_info, else send_default_pii.
        self.sends_user_attributes = decision(self.options, "user_info") == SEND
        self.span_batcher: Optional[SpanBatcher] = None
        self.span_streaming = span_streaming_enabled(self.options)
        if self.span_streaming:
            self.span_batcher = SpanBatcher(self.capture_envelope, self.record_lost_event)
        self.span_globals_in_batch = False
        """True once the span batcher adds the global scope's attributes to each span it
        sends (then capturing a span skips them): not with ``before_send_span``, which
        must see them."""

    def use_global_attributes(self, source: Callable[[], Mapping[str, Any]]) -> None:
        """The global scope's attributes, added to logs, metrics and streamed spans when
        they are sent rather than copied into each one when it is captured."""
        self.telemetry.use_global_attributes(source)
        batcher = self.span_batcher
        if batcher is not None and span_hook(self.options) is None:
            batcher.use_global_attributes(source)
            self.span_globals_in_batch = True

    # -- state -----------------------------------------------------------------------------
    def is_active(self) -> bool:
        return not self._closed and (self.transport is not None or self.spotlight is not None)

    @property
    def parsed_dsn(self) -> Optional[Dsn]:
        return self.options.parsed_dsn

    def get_integration(self, name_or_class: Any) -> Optional[Any]:
        name = name_or_class if isinstance(name_or_class, str) else name_or_class.identifier
        return self.integrations.get(name)

    # -- capture ---------------------------------------------------------------------------
    def capture_message(
        self, message: str, level: Optional[str] = None, scope: Any = None
    ) -> Optional[str]:
        return self.capture_event({"message": message, "level": level or "info"}, None, scope)

    def capture_exception(self, error: Any = None, scope: Any = None) -> Optional[str]:
        if not self.is_active() or capture_guard.inside():
            return None
        token = capture_guard.enter()  # frame locals are repr'd here
        try:
            exc_info = exc_info_from_error(error)
            if exc_info[1] is None:
                return None
            event, hint = event_from_exception(exc_info, self.options)
        except Exception:  # noqa: BLE001
            internal_logger.exception("sentry_lite: could not build the exception event")
            self.record_lost_event("internal_sdk_error", "error")
            return None
        finally:
            capture_guard.leave(token)
        if type(self).capture_event is not Client.capture_event:
            return self.capture_event(event, hint, scope)  # an override: its own signature
        return self.capture_event(event, hint, scope, own_exception=event["exception"])

    def capture_event(
        self,
        event: Event,
        hint: Optional[Hint] = None,
        scope: Any = None,
        *,
        own_exception: Optional[Dict[str, Any]] = None,
    ) -> Optional[str]:
        """Run the pipeline; returns the event id, or None if the event was dropped.

        ``own_exception``: the event's ``exception`` section, built by the SDK from the
        exception (see ``EventPipeline.own_exception_now``)."""
        if self._closed:
            return None
        if capture_guard.inside():
            logger.debug("sentry_lite: capture from a repr or hook while building an event ignored")
            return None
        try:
            return self._capture(event, dict(hint) if hint else {}, scope, own_exception)
        except Exception:  # noqa: BLE001 - never let the SDK break the app
            internal_logger.exception("sentry_lite: internal error while capturing an event")
            self.record_lost_event("internal_sdk_error", "error")
            return None

    def _capture(
        self, event: Event, hint: Hint, scope: Any, own_exception: Optional[Dict[str, Any]] = None
    ) -> Optional[str]:
        fix_top_level(event, warn_once)  # i16: a hand-made event's wrong-typed sections
        event_id = event.get("event_id")
        if event_id is None:
            event["event_id"] = event_id = new_trace_id()  # 32 hex digits, like uuid4().hex
        kind = event.get("type")
        is_transaction = kind == "transaction"
        # A transaction's profile rides in its envelope; hooks never see it (as sentry_sdk).
        profile = event.pop("profile", None) if is_transaction else None
        pipeline = self.pipeline
        steps: Tuple[Step, ...]
        later: Optional[Tuple[Step, ...]] = None
        options = self.options
        if is_transaction:
            if options.get("before_send_transaction") is None:
                steps, later = pipeline.transaction_now, pipeline.transaction_later
            else:
                steps = pipeline.transaction_steps
        elif kind == CHECK_IN:
            steps = pipeline.checkin_steps
        elif options.get("before_send") is None and pipeline.may_finish_later():
            if own_exception is not None and event.get("exception") is own_exception:
                steps = pipeline.own_exception_now
                hint[OWN_EXCEPTION_HINT] = own_exception
            else:
                steps, later = pipeline.error_now, pipeline.error_later  # see pipeline.py
        else:
            steps = pipeline.error_steps
        if scope is not None:
            hint[SCOPE_HINT] = scope
        for step in steps:
            result = step.run(event, hint)
            if result is None:
                if hint.pop(CALLBACK_ERROR_HINT, False):
                    step = step._replace(loss_reason="callback_error")
                if kind == CHECK_IN:
                    self.record_lost_event(step.loss_reason, "monitor")
                else:
                    self._lost(step.loss_reason, is_transaction, event)
                if profile is not None:
                    profile.lost(step.loss_reason)
                return None
            event = result
        hint.pop(SCOPE_HINT, None)
        if steps is pipeline.own_exception_now:
            # Still the SDK's own section after the processors: finished when sent.
            own = hint.pop(OWN_EXCEPTION_HINT, None) is not None
            later = pipeline.own_exception_later if own else pipeline.error_later
        if not is_transaction and scope is not None and kind != CHECK_IN:
            update_session_from_event(scope, event)
        self._send(event, hint, scope, profile, later)
        return event_id

    def _send(
        self,
        event: Event,
        hint: Hint,
        scope: Any,
        profile: Any = None,
        later: Optional[Tuple[Step, ...]] = None,
    ) -> None:
        timestamp = event.get("timestamp")
        headers: Dict[str, Any] = {
            "event_id": event["event_id"],
            "sent_at": timestamp if isinstance(timestamp, str) else now_iso(),
        }
        dsc = envelope_trace_header(self, event, scope)
        if dsc:
            headers["trace"] = dsc
        envelope = Envelope(headers)
        kind = event.get("type")
        item_type = kind if kind in ("transaction", CHECK_IN) else "event"
        gen_ai_spans = None
        if kind == "transaction" and self.options.get("stream_gen_ai_spans", True):
            if later is not None and has_gen_ai_span(event.get("spans") or []):
                event = self.pipeline.finish(later, hint, event)  # the AI spans need it
                later = None
            gen_ai_spans = split_gen_ai_spans(event)
        if later is None:
            if profile is not None:
                self._add_profile(envelope, profile, event)
            envelope.add_item(Item(event, item_type))
        else:
            # An empty hint, not the capture's: its traceback would keep the frames (and
            # their locals) alive until the item is sent; add_defaults reads no hint.
            finish: Callable[[Any], Any] = partial(self.pipeline.finish, later, {})
            if profile is not None:  # built from the finished transaction, when sent
                finish = finished = FinishOnce(finish, event)
                envelope.add_item(
                    Item({}, "profile", finish=self._profile_later(profile, finished))
                )
            envelope.add_item(Item(event, item_type, finish=finish))
        if gen_ai_spans:
            envelope.add_item(
                Item(
                    {"version": 2, "items": gen_ai_spans},
                    "span",
                    headers={"item_count": len(gen_ai_spans), "content_type": SPAN_CONTENT_TYPE},
                )
            )
        for attachment in hint.get("attachments") or ():
            try:
                envelope.add_item(attachment.to_item())
            except Exception:  # noqa: BLE001
                internal_logger.warning("sentry_lite: could not read attachment", exc_info=True)
        self.capture_envelope(envelope)

    def _add_profile(self, envelope: Envelope, profile: Any, event: Event) -> None:
        payload = self._profile_payload(profile, event)
        if payload is not None:
            envelope.add_item(Item(payload, "profile"))

    def _profile_later(self, profile: Any, finished: FinishOnce) -> Callable[[Any], Any]:
        """The deferred ``profile`` item's finish; on failure an empty item, which Relay
        drops as invalid (the loss is counted here)."""
        return lambda _: self._profile_payload(profile, finished()) or {}

    def _profile_payload(self, profile: Any, event: Event) -> Optional[Dict[str, Any]]:
        """The profile item's payload for ``event``; None (counted as lost) if it fails."""
        try:
            return profile.payload(event)  # type: ignore[no-any-return]
        except Exception:  # noqa: BLE001
            internal_logger.warning("sentry_lite: could not build the profile", exc_info=True)
            self.record_lost_event("internal_sdk_error", "profile")
            return None

    def _send_profile_chunk(self, chunk: Dict[str, Any]) -> None:
        """A continuous profile chunk goes in an envelope of its own."""
        envelope = Envelope({"sent_at": now_iso()})
        envelope.add_item(
            Item(chunk, "profile_chunk", headers={"platform": chunk.get("platform", "python")})
        )
        self.capture_envelope(envelope)

    def _sdk_name(self) -> str:
        return sdk_name(sorted(self.integrations))

    def capture_envelope(self, envelope: Envelope) -> None:
        """Hand a finished envelope to the transport (and to Spotlight if enabled)."""
        self._to_spotlight(envelope)
        if self.transport is not None:
            self.transport.capture_envelope(envelope)

    def _to_spotlight(self, envelope: Envelope) -> None:
        if self.spotlight is not None:
            try:
                self.spotlight.capture_envelope(envelope)
            except Exception:  # noqa: BLE001
                internal_logger.debug("sentry_lite: spotlight failed", exc_info=True)

    def offer_envelope(self, envelope: Envelope) -> bool:
        """:meth:`capture_envelope` for a sender that keeps what the transport has no room
        for (False: not taken, nothing counted) and offers it again later."""
        transport = self.transport
        offer = getattr(transport, "offer_envelope", None)
        if offer is None:  # no transport, or a custom one of sentry_sdk's interface
            self.capture_envelope(envelope)
            return True
        if not offer(envelope):
            return False
        self._to_spotlight(envelope)  # once, when taken
        return True

    def capture_span(self, span: Any) -> None:
        """A finished streamed span (scope attributes applied) goes to the batcher."""
        batcher = self.span_batcher
        if batcher is None or self._closed:
            return
        try:
            batcher.add(span_for_sending(self.options, span), span._segment)
        except Exception:  # noqa: BLE001
            internal_logger.warning("sentry_lite: could not queue a span", exc_info=True)
            self.record_lost_event("internal_sdk_error", "span")

    def _flush_spans(self) -> None:
        if self.span_batcher is not None:
            try:
                self.span_batcher.flush()
            except Exception:  # noqa: BLE001
                internal_logger.debug("sentry_lite: flushing spans failed", exc_info=True)

    # -- losses ------------------------------------------------------------------------------
    def _lost(self, reason: str, is_transaction: bool, event: Event) -> None:
        if not is_transaction:
            self.record_lost_event(reason, "error")
            return
        self.record_lost_event(reason, "transaction")
        if reason != "event_processor":  # apply_scopes already counted the spans
            self.record_lost_event(reason, "span", len(event.get("spans") or ()) + 1)

    def record_lost_event(
        self, reason: str, data_category: str = "error", quantity: int = 1
    ) -> None:
        transport = self.transport
        if transport is not None:
            try:
                transport.record_lost_event(reason, data_category, quantity=quantity)
            except Exception:  # noqa: BLE001
                internal_logger.debug("sentry_lite: record_lost_event failed", exc_info=True)

    def _record_lost_item(
        self,
        reason: str,
        data_category: Optional[str] = None,
        item: Any = None,
        *,
        quantity: int = 1,
    ) -> None:
        """Count a lost log/metric with its item, so the transport counts its bytes too."""
        transport = self.transport
        if transport is not None:
            try:
                transport.record_lost_event(reason, data_category, item, quantity=quantity)
            except Exception:  # noqa: BLE001
                internal_logger.debug("sentry_lite: record_lost_event failed", exc_info=True)

    # -- lifecycle ---------------------------------------------------------------------------
    def flush(
        self,
        timeout: Optional[float] = None,
        callback: Optional[Callable[[int, float], None]] = None,
    ) -> None:
        if timeout is None:
            timeout = float(self.options["shutdown_timeout"])
        deadline = time.monotonic() + timeout
        self._flush_batched()
        self._flush_spans()
        self._flush_transports(timeout, callback)
        if self.session_flusher.kept_back():  # no room before: offered again, now drained
            try:
                self.session_flusher.flush(final=self._closed)
            except Exception:  # noqa: BLE001
                internal_logger.debug("sentry_lite: flushing sessions failed", exc_info=True)
            self._flush_transports(max(0.0, deadline - time.monotonic()), callback)

    def _flush_transports(
        self, timeout: float, callback: Optional[Callable[[int, float], None]]
    ) -> None:
        for transport in (self.transport, self.spotlight):
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
            if self.span_batcher is not None:  # while active: the DSCs need the client
                self._flush_spans()
            self._closed = True
        if self._profiling is not None:  # its last chunk goes out with this flush
            profiler_control.teardown(self._profiling)
            self._profiling = None
        self.flush(timeout, callback)
        self.telemetry.kill()
        self.session_flusher.kill()
        if self.span_batcher is not None:
            self.span_batcher.kill()
        for transport in (self.transport, self.spotlight):
            if transport is not None:
                try:
                    transport.kill()
                except Exception:  # noqa: BLE001
                    internal_logger.debug("sentry_lite: kill failed", exc_info=True)

    def capture_session(self, session: Any) -> None:
        """Queue an ended session; without a ``release`` it is dropped, as in sentry_sdk."""
        if not getattr(session, "release", None):
            logger.info("sentry_lite: discarded a session update: no release set")
            return
        self.session_flusher.add_session(session)

    def _flush_batched(self) -> None:
        """Hand waiting logs, metrics and sessions to the transport, so its flush sends them."""
        try:
            self.telemetry.flush()
            self.session_flusher.flush()
        except Exception:  # noqa: BLE001
            internal_logger.debug("sentry_lite: flushing logs/metrics failed", exc_info=True)

    def __repr__(self) -> str:
        return f"<sentry_lite.Client dsn={self.dsn!r} version={VERSION}>"


def _make_spotlight(options: Options) -> Optional[Transport]:
    if options.get("spotlight") is None and not os.environ.get("SENTRY_SPOTLIGHT"):
        return None  # the usual case: nothing to resolve, nothing to import
    try:
        from sentry_lite.transport.spotlight import setup_spotlight  # urllib3: on demand
    except ImportError:
        return None
    try:
        return setup_spotlight(options)
    except Exception:  # noqa: BLE001
        internal_logger.warning("sentry_lite: could not set up spotlight", exc_info=True)
        return None
