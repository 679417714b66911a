"""``import sentry_lite`` stays cheap: what only ``init`` or a first event needs loads then.

Import time is measured in bench/bench_core.py; this test keeps the reasons for it from
creeping back one import at a time (each module below once cost milliseconds here).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

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
]


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
