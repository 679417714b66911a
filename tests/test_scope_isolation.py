"""Scope data never leaks between threads, asyncio tasks or isolation scopes."""

from __future__ import annotations

import asyncio
import random
import threading
from typing import Any, Dict, List

import sentry_lite
from tests.receiver import Receiver

N_TASKS = 300
N_THREADS = 100


def by_tag(events: List[Dict[str, Any]], key: str) -> Dict[str, Dict[str, Any]]:
    return {e["tags"][key]: e for e in events}


def test_hundreds_of_asyncio_tasks_keep_their_own_data(
    sentry_init: Any, receiver: Receiver
) -> None:
    sentry_init(transport_queue_size=2000)
    sentry_lite.set_tag("process", "shared")
    mismatches: List[str] = []

    async def worker(i: int) -> None:
        with sentry_lite.isolation_scope():
            sentry_lite.set_tag("task", str(i))
            sentry_lite.set_user({"id": f"user-{i}"})
            sentry_lite.add_breadcrumb(message=f"crumb-{i}")
            await asyncio.sleep(random.random() / 100)
            scope = sentry_lite.get_isolation_scope()
            if scope._tags.get("task") != str(i):
                mismatches.append(f"task {i} read {scope._tags.get('task')}")
            sentry_lite.capture_message(f"msg-{i}")

    async def main() -> None:
        await asyncio.gather(*(worker(i) for i in range(N_TASKS)))

    asyncio.run(main())
    sentry_lite.flush(20)
    receiver.wait_for(N_TASKS, timeout=30)
    assert mismatches == []
    events = by_tag(receiver.events, "task")
    assert len(events) == N_TASKS
    for key, event in events.items():
        assert event["message"] == f"msg-{key}"
        assert event["user"] == {"id": f"user-{key}"}
        assert event["tags"] == {"process": "shared", "task": key}
        assert [c["message"] for c in event["breadcrumbs"]["values"]] == [f"crumb-{key}"]
    # Nothing set inside leaked into the outer scope.
    assert sentry_lite.get_isolation_scope()._tags == {"process": "shared"}


def test_hundreds_of_threads_keep_their_own_data(sentry_init: Any, receiver: Receiver) -> None:
    sentry_init(transport_queue_size=2000)
    barrier = threading.Barrier(N_THREADS)
    mismatches: List[str] = []

    def worker(i: int) -> None:
        # A new thread starts with its own empty scopes.
        sentry_lite.set_tag("thread", str(i))
        sentry_lite.set_extra("n", i)
        barrier.wait()
        if sentry_lite.get_isolation_scope()._tags.get("thread") != str(i):
            mismatches.append(str(i))
        sentry_lite.capture_message(f"thread-{i}")

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(N_THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sentry_lite.flush(20)
    receiver.wait_for(N_THREADS, timeout=30)
    assert mismatches == []
    events = by_tag(receiver.events, "thread")
    assert len(events) == N_THREADS
    for key, event in events.items():
        assert event["message"] == f"thread-{key}"
        assert event["tags"] == {"thread": key}
        assert event["extra"]["n"] == int(key)


def test_nested_isolation_and_new_scope_restore(sentry_init: Any, receiver: Receiver) -> None:
    sentry_init()
    sentry_lite.set_tag("level", "outer")
    with sentry_lite.isolation_scope():
        sentry_lite.set_tag("level", "iso")
        with sentry_lite.new_scope() as scope:
            scope.set_tag("current", "yes")
            sentry_lite.capture_message("deep")
        sentry_lite.capture_message("iso")
    sentry_lite.capture_message("outer")
    sentry_lite.flush(5)
    receiver.wait_for(3)
    events = {e["message"]: e for e in receiver.events}
    deep, iso, outer = events["deep"], events["iso"], events["outer"]
    assert deep["tags"] == {"level": "iso", "current": "yes"}
    assert iso["tags"] == {"level": "iso"}
    assert outer["tags"] == {"level": "outer"}


def test_scope_restored_when_block_raises(sentry_init: Any) -> None:
    sentry_init()
    before = sentry_lite.get_isolation_scope()
    try:
        with sentry_lite.isolation_scope():
            raise RuntimeError
    except RuntimeError:
        pass
    assert sentry_lite.get_isolation_scope() is before
