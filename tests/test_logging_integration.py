"""The logging integration: breadcrumbs, events, exceptions, levels, ignored loggers."""

from __future__ import annotations

import logging
from typing import Any, Iterator, List

import pytest

import sentry_lite
from sentry_lite.integrations.logging import (
    EventHandler,
    LoggingIntegration,
    _ignored_loggers,
    ignore_logger,
)
from tests.receiver import Receiver


@pytest.fixture
def log() -> Iterator[logging.Logger]:
    logger = logging.getLogger("tests.app")
    old = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        yield logger
    finally:
        logger.setLevel(old)


def events(receiver: Receiver, count: int) -> Any:
    sentry_lite.flush(5)
    receiver.wait_for(count)
    return receiver.events


def test_error_record_becomes_event_with_logentry(
    sentry_init: Any, receiver: Receiver, log: logging.Logger
) -> None:
    sentry_init()
    log.debug("too low for a breadcrumb")
    log.info("user %s logged in", "ada", extra={"session_kind": "sso"})
    log.error("payment %s failed: %d", "p-1", 402, extra={"gateway": "acme"})
    (event,) = events(receiver, 1)
    assert event["level"] == "error"
    assert event["logger"] == "tests.app"
    assert event["logentry"] == {
        "message": "payment %s failed: %d",
        "formatted": "payment p-1 failed: 402",
        "params": ["p-1", 402],
    }
    assert event["extra"]["gateway"] == "acme"
    crumbs = event["breadcrumbs"]["values"]
    assert [c["message"] for c in crumbs] == ["user ada logged in"]
    assert crumbs[0]["type"] == "log" and crumbs[0]["level"] == "info"
    assert crumbs[0]["category"] == "tests.app"
    assert crumbs[0]["data"] == {"session_kind": "sso"}


def test_logger_exception_carries_the_exception(
    sentry_init: Any, receiver: Receiver, log: logging.Logger
) -> None:
    sentry_init()
    try:
        int("x")
    except ValueError:
        log.exception("could not parse")
    (event,) = events(receiver, 1)
    (value,) = event["exception"]["values"]
    assert value["type"] == "ValueError"
    assert value["mechanism"] == {"type": "logging", "handled": True}
    assert event["logentry"]["formatted"] == "could not parse"
    assert value["stacktrace"]["frames"][-1]["function"] == (
        "test_logger_exception_carries_the_exception"
    )


def test_custom_levels(sentry_init: Any, receiver: Receiver, log: logging.Logger) -> None:
    sentry_init(
        integrations=[LoggingIntegration(level=logging.WARNING, event_level=logging.CRITICAL)]
    )
    log.info("not a crumb")
    log.warning("a crumb")
    log.error("a crumb too, not an event")
    log.critical("the event")
    (event,) = events(receiver, 1)
    assert event["level"] == "fatal"
    assert [c["message"] for c in event["breadcrumbs"]["values"]] == [
        "a crumb",
        "a crumb too, not an event",
    ]


def test_level_names_as_sentry_sdk(
    sentry_init: Any, receiver: Receiver, log: logging.Logger
) -> None:
    """sentry_sdk's handlers take ``logging.Handler(level=...)``, so ``"ERROR"`` works; the
    string was compared with numbers and every record was silently skipped."""
    import sentry_sdk.integrations.logging as reference

    assert reference.LoggingIntegration(event_level="ERROR")._handler.level == logging.ERROR
    sentry_init(integrations=[LoggingIntegration(level="warning", event_level="ERROR")])
    log.warning("a crumb")
    log.error("the event")
    (event,) = events(receiver, 1)
    assert event["level"] == "error"
    assert [c["message"] for c in event["breadcrumbs"]["values"]] == ["a crumb"]


def test_disabled_levels(sentry_init: Any, receiver: Receiver, log: logging.Logger) -> None:
    sentry_init(integrations=[LoggingIntegration(level=None, event_level=None)])
    log.error("nothing")
    sentry_lite.capture_message("only this")
    (event,) = events(receiver, 1)
    assert event["message"] == "only this"
    assert event["breadcrumbs"]["values"] == []


def test_ignore_logger(sentry_init: Any, receiver: Receiver) -> None:
    sentry_init()
    ignore_logger("tests.noisy")
    ignore_logger("tests.pattern.*")
    try:
        logging.getLogger("tests.noisy").error("ignored")
        logging.getLogger("tests.pattern.sub").error("ignored too")
        logging.getLogger("tests.kept").error("kept")
        (event,) = events(receiver, 1)
        assert event["logentry"]["formatted"] == "kept"
    finally:
        _ignored_loggers.discard("tests.noisy")
        from sentry_lite.integrations.logging import _ignored_patterns

        _ignored_patterns.discard("tests.pattern.*")


def test_sdk_own_logs_never_become_events(sentry_init: Any, receiver: Receiver) -> None:
    sentry_init()
    logging.getLogger("sentry_lite").error("internal")
    logging.getLogger("sentry_lite.errors").error("internal")
    sentry_lite.capture_message("marker")
    (event,) = events(receiver, 1)
    assert event["message"] == "marker"
    assert event["breadcrumbs"]["values"] == []


def test_default_integrations_off_means_no_logging_events(
    sentry_init: Any, receiver: Receiver, log: logging.Logger
) -> None:
    sentry_init(default_integrations=False)
    log.error("not captured")
    sentry_lite.capture_message("marker")
    (event,) = events(receiver, 1)
    assert event["message"] == "marker"
    assert "logging" not in event["sdk"]["integrations"]


def test_disabled_integrations(sentry_init: Any, receiver: Receiver, log: logging.Logger) -> None:
    sentry_init(disabled_integrations=[LoggingIntegration])
    log.error("not captured")
    sentry_lite.capture_message("marker")
    (event,) = events(receiver, 1)
    assert event["message"] == "marker"


def test_manual_event_handler(sentry_init: Any, receiver: Receiver) -> None:
    sentry_init(default_integrations=False)
    logger = logging.getLogger("tests.manual")
    handler = EventHandler(level=logging.WARNING)
    logger.addHandler(handler)
    try:
        logger.warning("through the handler")
        (event,) = events(receiver, 1)
        assert event["level"] == "warning"
        assert event["logentry"]["formatted"] == "through the handler"
    finally:
        logger.removeHandler(handler)


def test_init_twice_does_not_double_capture(
    sentry_init: Any, receiver: Receiver, log: logging.Logger
) -> None:
    sentry_init()
    sentry_init()
    log.error("once")
    sentry_lite.flush(5)
    receiver.wait_for(1)
    sentry_lite.capture_message("marker")
    sentry_lite.flush(5)
    receiver.wait_for(2)
    texts = sorted(e.get("message") or e["logentry"]["formatted"] for e in receiver.events)
    assert texts == ["marker", "once"]


def test_logging_an_already_captured_exception_sends_one_event(
    sentry_init: Any, receiver: Receiver, log: logging.Logger
) -> None:
    sentry_init()
    try:
        raise KeyError("once")
    except KeyError as exc:
        sentry_lite.capture_exception(exc)
        log.exception("the framework logs it too")
    sentry_lite.capture_message("marker")
    sentry_lite.flush(5)
    receiver.wait_for(2)
    kinds = sorted(e.get("message") or e["exception"]["values"][0]["type"] for e in receiver.events)
    assert kinds == ["KeyError", "marker"]


def test_a_record_is_formatted_once_for_its_event_and_breadcrumb(
    sentry_init: Any, receiver: Receiver
) -> None:
    """``getMessage`` builds the args' reprs on the app's thread (a large dict: ms each);
    the event and the breadcrumb of one record share one formatting."""
    logger = logging.getLogger("tests.formatted_once")
    logger.propagate = False  # only the SDK formats it here
    logger.addHandler(logging.NullHandler())
    formatted: List[int] = []

    class Report:
        def __str__(self) -> str:
            formatted.append(1)
            return "report"

    sentry_init()
    try:
        logger.error("sent %s", Report())
        assert len(formatted) == 1
        sentry_lite.capture_message("after")
        first, second = events(receiver, 2)
    finally:
        logger.propagate = True
    assert first["logentry"]["formatted"] == "sent report"
    assert second["breadcrumbs"]["values"][-1]["message"] == "sent report"
