"""``import sentry_lite`` stays cheap: what only ``init`` or a first event needs loads then.

Import time is measured in bench/bench_core.py; this test keeps the reasons for it from
creeping back one import at a time (each module below once cost milliseconds here).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.receiver import Receiver

LOADED_LATER = [
    "sentry_lite.client",  # at init
    "sentry_lite.pipeline",
    "sentry_lite.events.serialize",
    "sentry_lite.transport.http",
    "sentry_lite.profiler.engine",
    "urllib3",
    "certifi",
    "ssl",
    "http.client",
    "json",
    "asyncio",
    "urllib.parse",  # first baggage header
    "inspect",  # first @monitor
    "importlib.metadata",  # never: the event's modules come from a scan of sys.path
    "email",
    "typing_extensions",  # only where the running Python lacks a name
    "sentry_lite.logger",  # first sentry_lite.logger / metrics / traces attribute
    "sentry_lite.metrics",
    "sentry_lite.traces",
    "sentry_lite.tracing.streamed",  # first streamed span
    "sentry_lite.telemetry.session",  # first session
    "platform",  # first event's contexts, first streamed segment
    "decimal",  # never: a sample rate that is a Decimal means its module is loaded
    "numbers",
    "sentry_lite.consts",  # with the client (its span conventions, option defaults)
    "sentry_lite.types",  # only for type checkers
    "sentry_lite.debug_logging",  # at init
]

STDLIB_LOADED_AT_INIT = [
    "logging",  # the SDK's loggers load it on first use (sentry_lite.sdk_loggers)
    "traceback",  # what logging brings
    "linecache",
    "tokenize",
    "textwrap",
    "string",
    "weakref",
    "threading",  # the client; spans bind current_thread then
    "random",  # ids and sampling (sentry_lite.tracing.ids)
    "datetime",  # the Python module: the classes come from _datetime (lean_stdlib)
    "copy",
]
"""Standard-library modules ``import sentry_lite`` does not load (about 7 ms of it once):
``init`` loads them, so that no capture after it pays for them."""


def test_lazy_submodules_still_resolve() -> None:
    code = (
        "import sentry_lite\n"
        "from sentry_lite import metrics\n"
        "print(sentry_lite.logger.__name__, metrics.__name__, sentry_lite.traces.__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["sentry_lite.logger", "sentry_lite.metrics", "sentry_lite.traces"]


@pytest.mark.skipif(sys.version_info < (3, 11), reason="typing names come from typing_extensions")
def test_import_sentry_lite_leaves_heavy_modules_for_later() -> None:
    code = (
        "import sys\nimport sentry_lite\n"
        f"print(' '.join(m for m in {LOADED_LATER!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == []


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)


def test_stdlib_modules_load_at_init_not_at_import(receiver: Receiver) -> None:
    code = f"""
import json, sys
preloaded = [m for m in {STDLIB_LOADED_AT_INIT!r} if m in sys.modules]  # site, say
import sentry_lite
before = [m for m in {STDLIB_LOADED_AT_INIT!r} if m in sys.modules and m not in preloaded]
sentry_lite.init({receiver.dsn()!r}, release="r@1")
after = [m for m in ("logging", "threading", "random") if m in sys.modules]
import logging
from sentry_lite import sdk_loggers
bound = sdk_loggers.logger.__dict__.get("warning") == logging.getLogger("sentry_lite").warning
span = sentry_lite.start_span(op="t")  # ids, sample rand, thread: all bound at init
span.finish()
event_id = sentry_lite.capture_message("after a lean import")
sentry_lite.flush(5)
print(json.dumps({{"before": before, "after": after, "bound": bound, "id": event_id}}))
"""
    out = _run(code)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    # Before 3.11 typing_extensions (needed there) imports inspect, which brings these two.
    old_python = {"linecache", "tokenize"} if sys.version_info < (3, 11) else set()
    assert set(result["before"]) <= old_python
    assert result["after"] == ["logging", "threading", "random"]
    assert result["bound"] is True
    receiver.wait_for(1)
    (event,) = receiver.events
    assert event["message"] == "after a lean import"
    assert event["event_id"] == result["id"]
    assert event["release"] == "r@1"


def test_sdk_logger_before_logging_is_loaded_is_the_real_logger() -> None:
    """A log call before anything imported ``logging`` loads it and goes to the real
    ``sentry_lite`` logger: handlers added later see records with the caller's line."""
    code = """
import sys
import sentry_lite
from sentry_lite.sdk_loggers import internal_logger, logger
assert "logging" not in sys.modules
logger.warning("first %s", "warning")  # no handler yet: logging's last resort, stderr
import logging
records = []
class Keep(logging.Handler):
    def emit(self, record):
        records.append((record.name, record.getMessage(), record.funcName, record.module))
logging.getLogger("sentry_lite").addHandler(Keep())
def caller():
    logger.warning("second")
    internal_logger.warning("third")
caller()
print(records)
"""
    out = _run(code)
    assert out.returncode == 0, out.stderr
    assert "first warning" in out.stderr
    assert out.stdout.strip() == str(
        [
            ("sentry_lite", "second", "caller", "<string>"),
            ("sentry_lite.errors", "third", "caller", "<string>"),
        ]
    )
