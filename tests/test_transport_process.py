"""Process life cycle: fork (gunicorn --preload), interpreter shutdown, asyncio apps."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from typing import Any, Callable, Dict, List, Optional

import pytest

import sentry_lite
from tests.receiver import Receiver, messages

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _fork_and_capture(child_message: str) -> None:
    pid = os.fork()
    if pid == 0:  # the child: a gunicorn worker forked from a preloaded master
        code = 1
        try:
            sentry_lite.capture_message(child_message)
            sentry_lite.flush(5)
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


@pytest.mark.parametrize("outbox", [False, True])
def test_fork_gives_the_child_its_own_worker(
    sentry_init: Callable[..., Any], receiver: Receiver, tmp_path: Any, outbox: bool
) -> None:
    sentry_init(cache_dir=str(tmp_path) if outbox else None)
    sentry_lite.capture_message("parent-before")
    sentry_lite.flush(5)
    _fork_and_capture("child")
    sentry_lite.capture_message("parent-after")
    sentry_lite.flush(5)
    receiver.wait_for(3)
    time.sleep(0.2)
    assert Counter(messages(receiver)) == {"parent-before": 1, "child": 1, "parent-after": 1}


def test_fork_with_queued_events_sends_them_once(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    sentry_init()
    receiver.respond(hang=True, times=1)
    for name in ("p1", "p2", "p3"):  # p1 hangs in flight, p2 and p3 wait in the queue
        sentry_lite.capture_message(name)
    receiver_deadline = time.monotonic() + 5
    while receiver.behaviour.times != 0 and time.monotonic() < receiver_deadline:
        time.sleep(0.01)
    _fork_and_capture("child")
    receiver.respond()  # release p1
    sentry_lite.flush(5)
    receiver.wait_for(4)
    time.sleep(0.2)
    assert Counter(messages(receiver)) == {"p1": 1, "p2": 1, "p3": 1, "child": 1}


def test_asyncio_app_is_never_blocked(sentry_init: Callable[..., Any], receiver: Receiver) -> None:
    sentry_init()
    receiver.respond(delay=0.02)

    async def handler(i: int) -> float:
        await asyncio.sleep(0)
        start = time.perf_counter()
        sentry_lite.capture_message(f"task-{i}")
        return time.perf_counter() - start

    async def main() -> List[float]:
        return list(await asyncio.gather(*(handler(i) for i in range(50))))

    durations = asyncio.run(main())
    # Waiting on the network would cost 50 x 20 ms; capturing costs well under 1 ms each.
    assert sum(durations) < 0.5
    sentry_lite.flush(10)
    assert (
        len(receiver.events)
        + sum(
            q
            for (c, _), q in sentry_lite.get_client().transport.losses.totals.items()  # type: ignore[union-attr]
            if c == "error"
        )
        == 50
    )


def test_many_app_threads_with_outbox_deliver_exactly_once(
    sentry_init: Callable[..., Any], receiver: Receiver, tmp_path: Any
) -> None:
    sentry_init(cache_dir=str(tmp_path), cache_max_envelopes=10_000, transport_queue_size=20)

    def app(n: int) -> None:
        for i in range(50):
            sentry_lite.capture_message(f"t{n}-{i}")

    threads = [threading.Thread(target=app, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sentry_lite.flush(30)
    receiver.wait_for(400, timeout=30)
    time.sleep(0.2)
    counts = Counter(messages(receiver))
    assert len(counts) == 400 and max(counts.values()) == 1


# -- interpreter shutdown, in real subprocesses ---------------------------------------------
SHUTDOWN_SCRIPT = textwrap.dedent(
    """
    import sys, time
    import sentry_lite
    options = dict(dsn=sys.argv[1], shutdown_timeout=float(sys.argv[2]))
    if sys.argv[3] != "-":
        options["cache_dir"] = sys.argv[3]
    sentry_lite.init(**options)
    for i in range(5):
        sentry_lite.capture_message(f"m{i}")
    time.sleep(0.2)  # the first request is now hanging
    print(time.time(), flush=True)
    """
)


def _run(script: str, *args: str, timeout: float = 30) -> tuple[str, str, float]:
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"))
    env.pop("SENTRY_DSN", None)
    proc = subprocess.Popen(
        [sys.executable, "-c", script, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    out, err = proc.communicate(timeout=timeout)
    ended = time.time()
    assert proc.returncode == 0, err
    return out, err, ended


@pytest.mark.parametrize("outbox", [False, True])
def test_shutdown_with_hung_receiver_is_bounded(
    receiver: Receiver, tmp_path: Any, outbox: bool
) -> None:
    receiver.respond(hang=True)
    timeout = 1.0
    cache = str(tmp_path / "outbox") if outbox else "-"
    out, err, ended = _run(SHUTDOWN_SCRIPT, receiver.dsn(), str(timeout), cache)
    main_done = float(out.strip().splitlines()[-1])
    shutdown = ended - main_done
    assert timeout - 0.05 <= shutdown <= timeout + 0.2, (shutdown, err)
    assert "Traceback" not in err
    if outbox:
        # Nothing was lost: the next process with this directory delivers all five.
        receiver.drop_hung()  # m0's hung request never completes
        receiver.respond()
        receiver.clear()
        out, err, _ = _run(SHUTDOWN_SCRIPT, receiver.dsn(), "5", cache)
        receiver.wait_for(10)
        time.sleep(0.2)
        assert Counter(messages(receiver)) == {f"m{i}": 2 for i in range(5)}


CAPTURE_AT_EXIT = textwrap.dedent(
    """
    import atexit, sys, threading
    import sentry_lite

    def late():  # registered first, so it runs after sentry_lite's own atexit hook
        before = threading.active_count()
        for i in range(50):
            sentry_lite.capture_message(f"late-{i}")
        print("threads", before, threading.active_count(), flush=True)

    atexit.register(late)
    sentry_lite.init(dsn=sys.argv[1], shutdown_timeout=1)
    if sys.argv[2] == "capture":
        sentry_lite.capture_message("early")
    """
)


@pytest.mark.parametrize("mode", ["capture", "idle"])
def test_no_thread_is_started_during_shutdown(receiver: Receiver, mode: str) -> None:
    start = time.time()
    out, err, ended = _run(CAPTURE_AT_EXIT, receiver.dsn(), mode)
    assert ended - start < 5
    line = next(x for x in out.splitlines() if x.startswith("threads"))
    _, before, after = line.split()
    assert int(after) <= int(before)
    assert "Traceback" not in err and "Exception" not in err, err
    assert messages(receiver) == (["early"] if mode == "capture" else [])


def test_a_capture_racing_interpreter_exit_is_contained(receiver: Receiver) -> None:
    script = textwrap.dedent(
        """
        import sys, threading, sentry_lite
        sentry_lite.init(dsn=sys.argv[1], shutdown_timeout=0.5)
        def spam():
            while True:
                sentry_lite.capture_message("spam")
        threading.Thread(target=spam, daemon=True).start()
        import time; time.sleep(0.2)
        """
    )
    _, err, _ = _run(script, receiver.dsn())
    assert "Traceback" not in err, err


def test_worker_threads_are_daemons(sentry_init: Callable[..., Any], tmp_path: Any) -> None:
    sentry_init(cache_dir=str(tmp_path))
    sentry_lite.capture_message("x")
    sentry_lite.flush(5)
    ours: Dict[str, Optional[bool]] = {
        t.name: t.daemon for t in threading.enumerate() if t.name.startswith("sentry_lite.")
    }
    assert ours and all(ours.values())
