"""The event pipeline: the ordered list of steps an event goes through before it is sent.

Each step is a plain function ``(event, hint) -> event | None`` with a name; ``None``
drops the event, counted under the step's loss reason (client reports). The order, for
error events (:attr:`EventPipeline.error_steps`)::

    drop_ignored_error -> sample_error -> apply_scopes -> attach_stacktrace
    -> mark_in_app -> scrub -> serialize -> stamp -> add_defaults -> before_send

for transactions (:attr:`EventPipeline.transaction_steps`)::

    apply_scopes -> scrub -> serialize -> stamp -> add_defaults -> before_send_transaction

and for cron check-ins (:attr:`EventPipeline.checkin_steps`), which are never sampled
and carry only the trace context of the scopes (as sentry_sdk sends them)::

    apply_checkin_scope -> serialize -> add_checkin_defaults -> before_send

Serializing is the last step that must run on the capturing thread: after it the event is
the SDK's own copy, which the app can no longer change. (Scrubbing stays before it, as in
sentry_sdk: what the serializer cuts at its depth limit shows the scrubbed value.)
Without a ``before_send`` hook (nothing to show the finished event to), an event's
``add_defaults`` (:attr:`EventPipeline.error_later`: release, contexts, sdk, modules)
runs when the envelope is encoded, on the sending thread, so the app does not wait for it
(errors only once the installed modules are known: see :meth:`may_finish_later`).

An error built by ``capture_exception`` goes further (:attr:`EventPipeline.own_exception_now`):
its ``exception`` section is the SDK's own copy from the start, so scrubbing and checking
it wait for the sending thread too (late_parts.py), unless a processor replaced it. Process
extras (``sys.argv``) are added by ``add_defaults``, wherever that runs.

A step that raises is logged and the event continues unchanged by it (the SDK never
breaks the app, and a broken step must not lose the event either). Scrubbing and the
bounded serializer only see data of unknown shape; what the SDK adds itself
(``add_defaults``: release, contexts, sdk...) is JSON-safe by construction.
"""

from __future__ import annotations

import random
from typing import Any, Callable, Dict, NamedTuple, Optional, Tuple, Type

from sentry_lite.client_base import before_send_drop_callbacks, log_hook_error
from sentry_lite.data_collection import provided_by_user
from sentry_lite.events import capture_guard
from sentry_lite.events.contexts import (
    installed_modules,
    modules_known,
    os_context,
    runtime_context,
    sdk_info,
)
from sentry_lite.events.frames import current_stacktrace, set_in_app
from sentry_lite.events.scrub import EventScrubber
from sentry_lite.events.serialize import serialize_event
from sentry_lite.late_parts import add_process_extras, drop_locals, finish_exception
from sentry_lite.options import Options
from sentry_lite.sdk_loggers import internal_logger, logger
from sentry_lite.timestamps import now_iso
from sentry_lite.types import Event, Hint

__all__ = ["OWN_EXCEPTION_HINT", "SCOPE_HINT", "EventPipeline", "FinishOnce", "Step"]


SCOPE_HINT = "sentry_lite.scope"
"""Hint key that carries a capture's scopes to ``apply_scopes`` (removed there, before any
processor or hook sees the hint)."""


OWN_EXCEPTION_HINT = "sentry_lite.own_exception"
"""Hint key: the event's ``exception`` section as ``capture_exception`` built it. Hidden
from processors; kept only while the event still holds that very section, and then the
steps of :attr:`EventPipeline.own_exception_now` leave it to ``finish_exception``."""


CALLBACK_ERROR_HINT = "sentry_lite.callback_error"
"""Hint key set when ``before_send``/``before_send_transaction`` raised: the drop is
counted as ``callback_error``, not ``before_send``."""


class Step(NamedTuple):
    run: Callable[[Event, Hint], Optional[Event]]
    loss_reason: str
    """The client-report reason when this step drops the event."""


class EventPipeline:
    """The steps of one client, bound to its options (built once per ``init``)."""

    def __init__(
        self,
        options: Options,
        integrations: Callable[[], Dict[str, Any]],
        warn_once: Callable[..., None],
        record_lost: Callable[[str, str, int], None],
    ) -> None:
        self.options = options
        self._integrations = integrations
        self._warn_once = warn_once
        self._record_lost = record_lost
        scrubber = options.get("event_scrubber")
        if provided_by_user(options):
            # i11data: as sentry_sdk, data_collection replaces the scrubber: it decides
            # per category what is sent, and a denylist would undo what it lets through.
            if scrubber is not None:
                logger.warning("sentry_lite: event_scrubber is ignored when data_collection is set")
            scrubber = None
        elif scrubber is None:
            scrubber = EventScrubber(send_default_pii=options.send_default_pii)
        self.scrubber: Optional[EventScrubber] = scrubber
        self._contexts_base = {"runtime": runtime_context(), "os": os_context()}
        self._sdk_cache: Optional[Tuple[int, Dict[str, Any]]] = None
        self.error_steps: Tuple[Step, ...] = (
            Step(self.drop_ignored_error, "event_processor"),
            Step(self.sample_error, "sample_rate"),
            Step(self.apply_scopes, "event_processor"),
            Step(self.attach_stacktrace, "internal_sdk_error"),
            Step(self.mark_in_app, "internal_sdk_error"),
            Step(self.scrub, "internal_sdk_error"),
            Step(self.serialize, "internal_sdk_error"),
            Step(self.stamp, "internal_sdk_error"),
            Step(self.add_defaults, "internal_sdk_error"),
            Step(self.before_send, "before_send"),
        )
        self.error_now: Tuple[Step, ...] = self.error_steps[:8]
        """The steps up to ``stamp``: what must run on the capturing thread."""
        self.error_later: Tuple[Step, ...] = self.error_steps[8:9]
        """``add_defaults``: with no ``before_send``, run by :meth:`finish`."""
        self.own_exception_now: Tuple[Step, ...] = (
            *self.error_steps[:5],
            Step(self.scrub_but_exception, "internal_sdk_error"),
            Step(self.serialize_but_exception, "internal_sdk_error"),
            self.error_steps[7],
        )
        """As :attr:`error_now` for an exception event the SDK built (``capture_exception``):
        its ``exception`` section is already the SDK's own copy (frames' locals were
        serialized as the frames were read), so checking and scrubbing it can wait."""
        self.own_exception_later: Tuple[Step, ...] = (
            Step(self.finish_exception, "internal_sdk_error"),
            *self.error_later,
        )
        self.transaction_steps: Tuple[Step, ...] = (
            Step(self.apply_scopes, "event_processor"),
            Step(self.scrub, "internal_sdk_error"),
            Step(self.serialize, "internal_sdk_error"),
            Step(self.stamp, "internal_sdk_error"),
            Step(self.add_defaults, "internal_sdk_error"),
            Step(self.before_send_transaction, "before_send"),
        )
        self.transaction_now: Tuple[Step, ...] = self.transaction_steps[:4]
        self.transaction_later: Tuple[Step, ...] = self.transaction_steps[4:5]
        """As for errors, with no ``before_send_transaction`` (and no AI spans, which
        read what ``add_defaults`` adds when the envelope is built; a profile waits for
        the finished transaction: ``FinishOnce``)."""
        self.checkin_steps: Tuple[Step, ...] = (
            Step(self.apply_checkin_scope, "event_processor"),
            Step(self.serialize, "internal_sdk_error"),
            Step(self.add_checkin_defaults, "internal_sdk_error"),
            Step(self.before_send, "before_send"),
        )

    # -- errors only ----------------------------------------------------------------------
    def drop_ignored_error(self, event: Event, hint: Hint) -> Optional[Event]:
        """``ignore_errors``: by class (subclasses too) or by (qualified) name."""
        ignored = self.options["ignore_errors"]
        exc_info = hint.get("exc_info")
        if not ignored or not exc_info or exc_info[0] is None:
            return event
        error_type: Type[BaseException] = exc_info[0]
        full_name = f"{error_type.__module__}.{error_type.__name__}"
        for item in ignored:
            if isinstance(item, str):
                if item == error_type.__name__ or item == full_name:
                    return None
            elif isinstance(item, type) and issubclass(error_type, item):
                return None
        return event

    def sample_error(self, event: Event, hint: Hint) -> Optional[Event]:
        """``error_sampler`` if set, else ``sample_rate``."""
        sampler = self.options.get("error_sampler")
        if sampler is not None:
            try:
                rate = sampler(event, _without_sdk_keys(hint))
            except Exception:  # noqa: BLE001
                log_hook_error("error_sampler")
                return event
        else:
            rate = self.options["sample_rate"]
        if isinstance(rate, bool):
            return event if rate else None
        try:
            rate = float(rate)
        except (TypeError, ValueError):
            self._warn_once(
                "error_sampler_value", "sentry_lite: sample rate %r is not a number", rate
            )
            return event
        return event if rate >= 1.0 or random.random() < rate else None

    def attach_stacktrace(self, event: Event, hint: Hint) -> Optional[Event]:
        """``attach_stacktrace``: the current stack on events that carry none."""
        if (
            self.options["attach_stacktrace"]
            and "exception" not in event
            and "stacktrace" not in event
            and "threads" not in event
        ):
            event["threads"] = {
                "values": [
                    {
                        "stacktrace": current_stacktrace(self.options),
                        "crashed": False,
                        "current": True,
                    }
                ]
            }
        return event

    def mark_in_app(self, event: Event, hint: Hint) -> Optional[Event]:
        if "exception" in event or "threads" in event or "stacktrace" in event:
            set_in_app(event, self.options)
        return event

    # -- every event ----------------------------------------------------------------------
    def apply_scopes(self, event: Event, hint: Hint) -> Optional[Event]:
        """The capture's scopes: their data, then error and event processors."""
        scope = hint.pop(SCOPE_HINT, None)
        if scope is None:
            return event
        own = hint.pop(OWN_EXCEPTION_HINT, None)
        is_transaction = event.get("type") == "transaction"
        spans_before = len(event.get("spans") or ()) if is_transaction else 0
        processed: Optional[Event] = scope.apply_to_event(event, hint, self.options)
        if processed is None:
            if is_transaction:
                self._record_lost("event_processor", "span", spans_before + 1)
            return None
        if is_transaction:
            removed = spans_before - len(processed.get("spans") or ())
            if removed > 0:  # as sentry_sdk: spans a processor dropped are counted
                self._record_lost("event_processor", "span", removed)
        elif own is not None and processed.get("exception") is own:
            hint[OWN_EXCEPTION_HINT] = own  # a processor that swapped it gets it checked now
        return processed

    def scrub(self, event: Event, hint: Hint) -> Optional[Event]:
        """Denylisted keys and, without ``send_default_pii``, personal data."""
        return self._scrub(event, True)

    def _scrub(self, event: Event, exception: bool) -> Event:
        if self.scrubber is None:
            return event
        try:
            self.scrubber.scrub_event(event, exception=exception)
        except Exception:  # noqa: BLE001
            internal_logger.exception("sentry_lite: scrubber failed; dropping request data")
            event.pop("request", None)
        return event

    def serialize(self, event: Event, hint: Hint) -> Optional[Event]:
        """Bounded strict-JSON copy of what came from the app (sizes trimmed later, on
        the sending thread, where the encoded size is known)."""
        return self._serialize(event, None)

    def _serialize(self, event: Event, defer: Optional[str]) -> Event:
        options = self.options
        token = capture_guard.enter()  # reprs run here: their captures are ignored
        try:
            return serialize_event(
                event,
                max_value_length=options["max_value_length"],
                max_request_body_size=options["max_request_body_size"],
                custom_repr=options["custom_repr"],
                size_budget=None,
                defer=defer,
            )
        finally:
            capture_guard.leave(token)

    def scrub_but_exception(self, event: Event, hint: Hint) -> Optional[Event]:
        """:meth:`scrub`, but not the SDK-built exception (:meth:`finish_exception` does)."""
        return self._scrub(event, OWN_EXCEPTION_HINT not in hint)

    def serialize_but_exception(self, event: Event, hint: Hint) -> Optional[Event]:
        """:meth:`serialize`, handing the SDK-built exception through unchecked."""
        return self._serialize(event, "exception" if OWN_EXCEPTION_HINT in hint else None)

    def finish_exception(self, event: Event, hint: Hint) -> Optional[Event]:
        """The SDK-built exception, scrubbed and checked on the sending thread. If that
        fails, the locals go: an unscrubbed frame must never be sent."""
        try:
            finish_exception(event, self.scrubber, self._serialize_part)
        except Exception:  # noqa: BLE001
            internal_logger.exception("sentry_lite: could not finish the exception")
            drop_locals(event)
        return event

    def _serialize_part(self, part: Event) -> Event:
        return self._serialize(part, None)

    def stamp(self, event: Event, hint: Hint) -> Optional[Event]:
        """The capture time, taken now even when the steps after it run later."""
        if event.get("timestamp") is None:
            event["timestamp"] = now_iso()
        return event

    def add_defaults(self, event: Event, hint: Hint) -> Optional[Event]:
        """What the SDK knows: release, environment, contexts, sdk, modules."""
        options = self.options
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
        if event.get("type") != "transaction":
            integrations = self._integrations()
            if "modules" in integrations and "modules" not in event:
                event["modules"] = installed_modules()  # shared, as sentry_sdk does
            add_process_extras(event, integrations, self.scrubber, self._serialize_part)
        return event

    def may_finish_later(self) -> bool:
        """May an error event's ``add_defaults`` wait for the sending thread? Not before
        the installed modules are known: their first read opens a file per distribution,
        and a sending thread competing with a busy app for the GIL waits up to a switch
        interval (5 ms) after each one, sending nothing meanwhile (seconds, measured)."""
        return modules_known() or "modules" not in self._integrations()

    def finish(self, steps: Tuple[Step, ...], hint: Hint, event: Event) -> Event:
        """Run ``steps`` deferred to the sending thread (see the module docstring). None
        of them drops an event; one that raises is logged and skipped."""
        for step in steps:
            try:
                result = step.run(event, hint)
            except Exception:  # noqa: BLE001
                internal_logger.exception("sentry_lite: %s failed", step.run.__name__)
                continue
            if result is not None:
                event = result
        return event

    # -- check-ins only ----------------------------------------------------------------
    def apply_checkin_scope(self, event: Event, hint: Hint) -> Optional[Event]:
        """Only the trace context: no tags, breadcrumbs, user or processors (the
        check-in protocol has no place for them)."""
        scope = hint.pop(SCOPE_HINT, None)
        contexts = event.get("contexts")
        trace = contexts.get("trace") if isinstance(contexts, dict) else None
        if trace is None and scope is not None:
            trace = scope.trace_context(self.options.tracing_enabled)
        event["contexts"] = {"trace": trace if trace is not None else {}}
        return event

    def add_checkin_defaults(self, event: Event, hint: Hint) -> Optional[Event]:
        """Timestamp, release, environment, server name, sdk and platform."""
        options = self.options
        if event.get("timestamp") is None:
            event["timestamp"] = now_iso()
        for key in ("release", "environment", "server_name", "dist"):
            if event.get(key) is None and options[key] is not None:
                event[key] = options[key]
        if event.get("sdk") is None:
            event["sdk"] = self._sdk_info()
        if event.get("platform") is None:
            event["platform"] = "python"
        return event

    def before_send(self, event: Event, hint: Hint) -> Optional[Event]:
        result = self._run_hook("before_send", event, hint)
        if result is None:
            for callback in before_send_drop_callbacks:
                try:
                    callback(hint)
                except Exception:  # noqa: BLE001
                    logger.debug("sentry_lite: a drop callback failed", exc_info=True)
        return result

    def before_send_transaction(self, event: Event, hint: Hint) -> Optional[Event]:
        spans_before = len(event.get("spans") or ())
        result = self._run_hook("before_send_transaction", event, hint)
        if result is not None:
            removed = spans_before - len(result.get("spans") or ())
            if removed > 0:  # as sentry_sdk: spans the hook dropped are counted
                self._record_lost("before_send", "span", removed)
        return result

    # -- helpers --------------------------------------------------------------------------
    def _sdk_info(self) -> Dict[str, Any]:
        """The event's ``sdk``; rebuilt only when an auto-enabled integration joined."""
        integrations = self._integrations()
        count = len(integrations)
        cached = self._sdk_cache
        if cached is None or cached[0] != count:
            cached = (count, sdk_info(sorted(integrations)))
            self._sdk_cache = cached
        info = dict(cached[1])
        info["integrations"] = list(info["integrations"])
        info["packages"] = list(info["packages"])
        return info

    def _run_hook(self, name: str, event: Event, hint: Hint) -> Optional[Event]:
        hook = self.options.get(name)
        if hook is None:
            return event
        token = capture_guard.enter()  # a hook that reports would run itself again
        try:
            result = hook(event, hint)
        except Exception:  # noqa: BLE001
            # As sentry_sdk 2.75: the event is dropped and counted as ``callback_error``
            # (the hook may have been the one thing keeping secrets out); logged.
            log_hook_error(name)
            hint[CALLBACK_ERROR_HINT] = True
            return None
        finally:
            capture_guard.leave(token)
        if result is None:
            return None
        if not isinstance(result, dict):
            self._warn_once(
                name + "_type",
                "sentry_lite: %s returned %s instead of an event dict; sending the original",
                name,
                type(result).__name__,
            )
            return event
        # The hook may have put anything in (objects, NaN): bound it again so the worker
        # always gets strict JSON. Plain data takes the serializer's fast path.
        return self.serialize(result, hint)


class FinishOnce:
    """An event's deferred steps, run once for whichever item reads it first (a profiled
    transaction's item and its profile's, which is built from the finished event). The
    items run it under the envelope's finishing lock, so there is no race to guard."""

    __slots__ = ("_event", "_steps")

    def __init__(self, steps: Callable[[Event], Event], event: Event) -> None:
        self._steps: Optional[Callable[[Event], Event]] = steps
        self._event = event

    def __call__(self, _payload: Any = None) -> Event:
        steps = self._steps
        if steps is not None:
            self._steps = None
            self._event = steps(self._event)
        return self._event


def _without_sdk_keys(hint: Hint) -> Hint:
    """The hint as a user hook may see it: without the keys the steps pass each other."""
    if SCOPE_HINT not in hint and OWN_EXCEPTION_HINT not in hint:
        return hint
    return {k: v for k, v in hint.items() if k not in (SCOPE_HINT, OWN_EXCEPTION_HINT)}
