"""GnuBacktraceIntegration: native frames parsed out of an exception's message."""

from __future__ import annotations

from typing import Any, Callable

import sentry_lite
from sentry_lite.integrations.gnu_backtrace import GnuBacktraceIntegration
from tests.child_python import run_python
from tests.receiver import Receiver

_MESSAGE = """boom
Stack trace (most recent call first):
1. foo(int) @ 0xdeadbeef in /usr/lib/libfoo.so
2.   bar   @ 0x1f
"""


def test_frames_are_parsed_from_the_message(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    sentry_init(integrations=[GnuBacktraceIntegration()])
    try:
        raise RuntimeError(_MESSAGE)
    except RuntimeError:
        sentry_lite.capture_exception()
    sentry_lite.flush(5)
    receiver.wait_for(1)
    frames = receiver.events[0]["exception"]["values"][-1]["stacktrace"]["frames"]
    native = [(f["function"], f.get("package")) for f in frames if f.get("platform") == "native"]
    assert native == [("bar", None), ("foo(int)", "/usr/lib/libfoo.so")]  # oldest first
    value = receiver.events[0]["exception"]["values"][-1]["value"]
    assert value.endswith("<stacktrace parsed and removed by GnuBacktraceIntegration>")


_LONG_LINE_CHILD = r"""
import sentry_lite
from sentry_lite.integrations.gnu_backtrace import GnuBacktraceIntegration

sentry_lite.init(dsn="http://key@127.0.0.1:9/1", integrations=[GnuBacktraceIntegration()])
try:
    raise RuntimeError("1. f" + " " * 400_000 + "g @ 0x1")
except RuntimeError:
    sentry_lite.capture_exception()
print("captured")
"""


def test_a_long_message_line_does_not_stall_the_capture() -> None:
    """A hang guard, not a benchmark: the lazy pattern rescanned each run of spaces
    (quadratic: minutes for this line); the child now takes well under a second."""
    output = run_python(_LONG_LINE_CHILD)
    assert output.strip().splitlines()[0] == "captured"
