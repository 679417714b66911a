"""AsyncioIntegration: task errors, per-task scopes, task spans, concurrent nesting."""

from __future__ import annotations

import asyncio
from typing import Any, Callable, Dict

import sentry_lite
from sentry_lite.integrations.asyncio import AsyncioIntegration, enable_asyncio_integration
from tests.receiver import Receiver

Init = Callable[..., Any]


def test_concurrent_tasks_nest_their_spans(sentry_init: Init, receiver: Receiver) -> None:
    sentry_init(traces_sample_rate=1.0, integrations=[AsyncioIntegration()])

    async def worker(name: str) -> None:
        with sentry_lite.start_span(op="work", name=name):
            await asyncio.sleep(0.01)
            with sentry_lite.start_span(op="step", name=name + ".step"):
                await asyncio.sleep(0.01)

    async def main() -> None:
        with sentry_lite.start_transaction(op="task", name="gather"):
            await asyncio.gather(worker("a"), worker("b"), worker("c"))

    asyncio.run(main())
    sentry_lite.flush(5)
    (txn,) = receiver.transactions
    root = txn["contexts"]["trace"]["span_id"]
    spans: Dict[str, Dict[str, Any]] = {s["description"]: s for s in txn["spans"]}
    for name in "abc":
        work = spans[name]
        step = spans[name + ".step"]
        assert step["parent_span_id"] == work["span_id"]
        task = next(s for s in txn["spans"] if s["span_id"] == work["parent_span_id"])
        assert task["op"] == "function" and task["origin"] == "auto.function.asyncio"
        assert task["description"].endswith("worker")
        assert task["parent_span_id"] == root


def test_task_spans_off(sentry_init: Init, receiver: Receiver) -> None:
    sentry_init(traces_sample_rate=1.0, integrations=[AsyncioIntegration(task_spans=False)])

    async def job() -> None:
        with sentry_lite.start_span(op="work"):
            await asyncio.sleep(0)

    async def main() -> None:
        with sentry_lite.start_transaction(name="t") as txn:
            await asyncio.create_task(job())
            assert sentry_lite.get_current_span() is txn

    asyncio.run(main())
    sentry_lite.flush(5)
    (event,) = receiver.transactions
    assert [s["op"] for s in event["spans"]] == ["work"]
    assert event["spans"][0]["parent_span_id"] == event["contexts"]["trace"]["span_id"]


def test_task_exception_is_captured(sentry_init: Init, receiver: Receiver) -> None:
    sentry_init(integrations=[AsyncioIntegration()])

    async def failing() -> None:
        sentry_lite.set_tag("task", "own")
        raise RuntimeError("task failed")

    async def main() -> None:
        sentry_lite.set_tag("main", "yes")
        task = asyncio.create_task(failing())
        try:
            await task
        except RuntimeError:
            pass
        sentry_lite.capture_message("main after task")

    asyncio.run(main())
    sentry_lite.flush(5)
    events = {e.get("message") or "error": e for e in receiver.events}
    error = events["error"]
    assert error["exception"]["values"][-1]["mechanism"] == {"type": "asyncio", "handled": False}
    assert error["tags"] == {"main": "yes", "task": "own"}
    assert "task" not in events["main after task"]["tags"], "task scope stays in the task"


def test_not_enabled_by_default(sentry_init: Init, receiver: Receiver) -> None:
    sentry_init()
    assert sentry_lite.get_client().get_integration("asyncio") is None

    async def failing() -> None:
        raise RuntimeError("unseen")

    async def main() -> None:
        try:
            await asyncio.create_task(failing())
        except RuntimeError:
            pass

    asyncio.run(main())
    sentry_lite.flush(5)
    assert receiver.events == []


def test_enable_later_and_results_pass_through(sentry_init: Init) -> None:
    sentry_init()
    enable_asyncio_integration()
    assert sentry_lite.get_client().get_integration("asyncio") is not None

    async def value() -> int:
        return 42

    async def main() -> int:
        return await asyncio.create_task(value())

    assert asyncio.run(main()) == 42
