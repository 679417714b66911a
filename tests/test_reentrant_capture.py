"""A capture that re-enters the capture path on its own thread never blocks (issue 16).

Signal handlers run between two bytecodes of the main thread, ``__del__`` and weakref
callbacks wherever the garbage collector runs: inside our own critical sections too. The
nested capture must return at once; at worst its envelope is dropped and counted.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from typing import Any, Callable

import pytest

import sentry_lite
from sentry_lite.scope import Scope
from tests.receiver import Receiver, messages

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

STORM = textwrap.dedent(
    """
    import os, signal, sys, time
    import sentry_lite

    sentry_lite.init(dsn=sys.argv[1], cache_dir=sys.argv[2] or None)
    handled = [0]

    def handler(signum, frame):
        handled[0] += 1
        sentry_lite.capture_message("from the signal handler")

    signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, 0.002, 0.002)
    end = time.monotonic() + 1.5
    loops = 0
    while time.monotonic() < end:
        try:
            raise ValueError(loops)
        except ValueError:
            sentry_lite.capture_exception()
        loops += 1
    signal.setitimer(signal.ITIMER_REAL, 0)
    sentry_lite.flush(5)
    print(loops, handled[0])
    """
)


@pytest.mark.parametrize("outbox", [False, True])
def test_signal_handler_capturing_during_a_capture_loop_never_hangs(
    receiver: Receiver, tmp_path: Any, outbox: bool
) -> None:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.join(ROOT, "src"), ROOT]))
    cache = str(tmp_path / "outbox") if outbox else ""
    done = subprocess.run(
        [sys.executable, "-c", STORM, receiver.dsn(), cache],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,  # before the fix: hung in every run on the first nested capture
    )
    assert done.returncode == 0, done.stderr
    loops, handled = map(int, done.stdout.split())
    assert loops > 0 and handled > 50
    assert "from the signal handler" in messages(receiver)


def _on_own_thread(action: Callable[[], None]) -> None:
    """Run ``action`` on a fresh thread; fail (instead of hanging the suite) if it blocks."""
    finished = threading.Event()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            action()
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            finished.set()

    threading.Thread(target=run, daemon=True).start()
    assert finished.wait(10), "a re-entrant capture blocked"
    assert not errors, errors


def _transport() -> Any:
    client = Scope.get_global_scope().client
    assert client is not None
    return client.transport


def test_capture_inside_the_queue_lock_is_dropped_and_counted(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    sentry_init()
    transport = _transport()
    sentry_lite.capture_message("first")  # threads started, queue in use
    sentry_lite.flush(5)

    def nested() -> None:
        with transport._worker._lock:  # as if a signal landed inside submit()
            sentry_lite.capture_message("nested")

    _on_own_thread(nested)
    assert transport.losses.totals["error", "queue_overflow"] == 1
    sentry_lite.capture_message("after")
    sentry_lite.flush(5)
    assert messages(receiver) == ["first", "after"]
    assert receiver.discarded().get(("error", "queue_overflow")) == 1


def test_loss_recorded_inside_the_loss_lock_is_deferred_not_lost(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    sentry_init()
    transport = _transport()
    losses = transport.losses

    def nested() -> None:
        with transport._worker._lock, losses._lock:  # a drop inside a drop
            sentry_lite.capture_message("nested")

    _on_own_thread(nested)
    assert losses.pending()
    assert losses.totals["error", "queue_overflow"] == 1
    sentry_lite.flush(5)
    assert receiver.discarded().get(("error", "queue_overflow")) == 1


def test_spill_inside_the_outbox_lock_is_refused_and_counted(
    sentry_init: Callable[..., Any], receiver: Receiver, tmp_path: Any
) -> None:
    sentry_init(cache_dir=str(tmp_path / "outbox"))
    transport = _transport()

    def nested() -> None:
        with transport._worker._lock, transport.outbox._lock:
            sentry_lite.capture_message("nested")

    _on_own_thread(nested)
    assert transport.losses.totals["error", "queue_overflow"] == 1
    assert len(transport.outbox) == 0


def test_flush_from_inside_the_queue_lock_returns_at_once(
    sentry_init: Callable[..., Any],
) -> None:
    sentry_init()
    transport = _transport()
    sentry_lite.capture_message("start the threads")

    def nested() -> None:
        with transport._worker._lock:  # a SIGTERM handler that flushes, say
            assert transport._worker.flush(30) is False

    _on_own_thread(nested)
