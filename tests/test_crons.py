"""Crons: ``capture_checkin`` and ``monitor`` on the wire, as ``check_in`` items.

Check-ins carry only what the protocol allows (no tags, breadcrumbs, extra or user),
are never sampled, pass ``before_send``, and are rate limited and counted under the
``monitor`` category.
"""

from __future__ import annotations

import asyncio
from typing import Any, Callable, Dict, List

import pytest

import sentry_lite
from sentry_lite.crons import MonitorStatus, capture_checkin, monitor
from sentry_lite.crons.schedules import interval_schedule, timezone_name
from tests.receiver import Receiver

ALLOWED_KEYS = {
    "type",
    "event_id",
    "timestamp",
    "platform",
    "release",
    "environment",
    "server_name",
    "sdk",
    "check_in_id",
    "monitor_slug",
    "status",
    "duration",
    "monitor_config",
    "contexts",
}


def check_ins(receiver: Receiver) -> List[Dict[str, Any]]:
    return [item.get_json() for item in receiver.items("check_in")]


def test_capture_checkin_sends_a_check_in_item(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    sentry_init(release="r@1", environment="prod")
    sentry_lite.set_tag("tag", "x")
    sentry_lite.set_user({"id": "7"})
    sentry_lite.add_breadcrumb(message="crumb")
    sentry_lite.set_extra("extra", 1)
    config = {
        "schedule": {"type": "crontab", "value": "0 * * * *"},
        "timezone": "Europe/Vienna",
        "checkin_margin": 5,
        "max_runtime": 30,
        "failure_issue_threshold": 2,
        "recovery_threshold": 3,
    }
    check_in_id = capture_checkin(
        monitor_slug="hourly", status=MonitorStatus.OK, duration=1.5, monitor_config=config
    )
    sentry_lite.flush(5)
    (item,) = check_ins(receiver)
    assert check_in_id == item["check_in_id"] and len(check_in_id) == 32
    assert set(item) <= ALLOWED_KEYS
    assert item["monitor_slug"] == "hourly"
    assert item["status"] == "ok"
    assert item["duration"] == 1.5
    assert item["monitor_config"] == config
    assert item["release"] == "r@1" and item["environment"] == "prod"
    assert list(item["contexts"]) == ["trace"]
    assert item["contexts"]["trace"]["trace_id"]
    (envelope,) = receiver.envelopes
    assert [i.type for i in envelope.items] == ["check_in"]
    assert envelope.headers["trace"]["trace_id"] == item["contexts"]["trace"]["trace_id"]


def test_monitor_decorator_and_context_manager(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    sentry_init()

    @sentry_lite.monitor(monitor_slug="job")
    def job(x: int) -> int:
        return x * 2

    @sentry_lite.monitor(monitor_slug="async-job")
    async def async_job() -> str:
        await asyncio.sleep(0)
        return "done"

    assert job(2) == 4
    assert asyncio.run(async_job()) == "done"
    with pytest.raises(ZeroDivisionError), monitor("block"):
        1 / 0  # noqa: B018
    sentry_lite.flush(5)
    items = check_ins(receiver)
    by_slug: Dict[str, List[Dict[str, Any]]] = {}
    for item in items:
        by_slug.setdefault(item["monitor_slug"], []).append(item)
    for slug, final in (("job", "ok"), ("async-job", "ok"), ("block", "error")):
        start, end = by_slug[slug]
        assert start["status"] == "in_progress" and start["duration"] is None
        assert end["status"] == final and end["duration"] >= 0
        assert start["check_in_id"] == end["check_in_id"]


def test_sample_rate_does_not_apply_and_before_send_does(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    def before_send(event: Dict[str, Any], hint: Dict[str, Any]) -> Any:
        return None if event.get("monitor_slug") == "dropped" else event

    sentry_init(sample_rate=0.0, before_send=before_send)
    assert capture_checkin(monitor_slug="kept") is not None
    assert capture_checkin(monitor_slug="dropped") is None
    sentry_lite.flush(5)
    assert [i["monitor_slug"] for i in check_ins(receiver)] == ["kept"]
    sentry_lite.get_client().close(timeout=5)
    assert receiver.discarded().get(("monitor", "before_send")) == 1


def test_rate_limited_check_ins_are_counted_as_monitor(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    sentry_init()
    receiver.respond(headers={"X-Sentry-Rate-Limits": "60:monitor:key:quota"}, times=1)
    capture_checkin(monitor_slug="first")
    sentry_lite.flush(5)
    capture_checkin(monitor_slug="limited")
    sentry_lite.capture_message("errors still flow")
    sentry_lite.get_client().close(timeout=5)
    assert [i["monitor_slug"] for i in check_ins(receiver)] == ["first"]
    assert len(receiver.events) == 1
    assert receiver.discarded().get(("monitor", "ratelimit_backoff")) == 1


def test_without_a_client_nothing_is_sent_and_nothing_raises() -> None:
    from tests.conftest import reset_sdk

    reset_sdk()
    assert capture_checkin(monitor_slug="x", check_in_id="1") is None
    with monitor("x"):
        pass


def test_schedules() -> None:
    from datetime import timedelta, timezone

    assert interval_schedule(60) == {"type": "interval", "value": 1, "unit": "minute"}
    assert interval_schedule(7200.0) == {"type": "interval", "value": 2, "unit": "hour"}
    assert interval_schedule(86400 * 3) == {"type": "interval", "value": 3, "unit": "day"}
    assert interval_schedule(90) is None and interval_schedule(30) is None
    assert timezone_name(timezone.utc) == "UTC"
    assert timezone_name(timezone(timedelta(hours=2))) == "Etc/GMT-2"
    assert timezone_name(timezone(timedelta(hours=5, minutes=30))) is None
    from zoneinfo import ZoneInfo

    assert timezone_name(ZoneInfo("Europe/Vienna")) == "Europe/Vienna"


def test_top_level_names() -> None:
    assert sentry_lite.monitor is monitor
    assert sentry_lite.crons.capture_checkin is capture_checkin
    assert "monitor" in sentry_lite.__all__ and "crons" in sentry_lite.__all__


def test_event_processors_and_error_sampler_do_not_see_check_ins(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    seen: List[Any] = []

    def sampler(event: Dict[str, Any], hint: Dict[str, Any]) -> float:
        seen.append(event)
        return 0.0

    sentry_init(error_sampler=sampler)
    with sentry_lite.isolation_scope() as scope:
        scope.add_event_processor(lambda event, hint: None)  # drops every event
        capture_checkin(monitor_slug="kept", status="ok")
        sentry_lite.capture_message("dropped")
    sentry_lite.flush(5)
    assert [i["monitor_slug"] for i in check_ins(receiver)] == ["kept"]
    assert receiver.events == []
    assert len(seen) == 1 and seen[0].get("message") == "dropped"
