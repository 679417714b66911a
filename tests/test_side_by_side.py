"""The same scenarios under sentry_sdk and sentry_lite produce the same events.

Both run in fresh interpreters against their own real receiver; the received events
are compared after removing what differs by nature (ids, timestamps, SDK identity).
Intentional differences are listed in docs/migration.md and normalised here by name.
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from typing import Any, Dict, List

import pytest

from tests.receiver import Receiver
from tests.sidebyside import SCENARIOS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_scenario(module: str, name: str) -> List[Dict[str, Any]]:
    receiver = Receiver()
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
        out = subprocess.run(
            [sys.executable, "-m", "tests.sidebyside", module, receiver.dsn(), name],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert out.returncode == 0, out.stderr
        return sorted(
            receiver.events,
            key=lambda e: (e.get("message") or "", str(e.get("logentry")), e["timestamp"]),
        )
    finally:
        receiver.close()


def normalise(event: Dict[str, Any]) -> Dict[str, Any]:
    event = copy.deepcopy(event)
    for key in ("event_id", "timestamp", "sdk", "modules"):
        event.pop(key, None)
    contexts = event.get("contexts", {})
    # Intentional: sentry-lite adds the os context the protocol describes.
    contexts.pop("os", None)
    trace = contexts.get("trace", {})
    for key in ("trace_id", "span_id"):
        assert len(trace.pop(key, "")) in (16, 32)
    for crumb in event.get("breadcrumbs", {}).get("values", []):
        assert crumb.pop("timestamp")
    for value in event.get("exception", {}).get("values", []):
        for frame in value.get("stacktrace", {}).get("frames", []):
            # The scenario's ``sdk`` argument is the module under test itself.
            frame.get("vars", {}).pop("sdk", None)
    event.get("extra", {}).pop("sys.argv", None)
    return event


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_same_events_as_sentry_sdk(name: str) -> None:
    expected = [normalise(e) for e in run_scenario("sentry_sdk", name)]
    actual = [normalise(e) for e in run_scenario("sentry_lite", name)]
    assert expected, "sentry_sdk sent nothing: the scenario tests nothing"
    assert len(actual) == len(expected)
    for got, want in zip(actual, expected):
        problems = diff(got, want)
        assert not problems, "\n".join(problems)


def diff(got: Any, want: Any, path: str = "") -> List[str]:
    """Paths where two JSON values differ, for a readable failure."""
    if isinstance(got, dict) and isinstance(want, dict):
        out: List[str] = []
        for key in sorted(set(got) | set(want), key=str):
            if key not in got:
                out.append(f"{path}.{key}: missing (sentry_sdk: {want[key]!r:.200})")
            elif key not in want:
                out.append(f"{path}.{key}: extra {got[key]!r:.200}")
            else:
                out.extend(diff(got[key], want[key], f"{path}.{key}"))
        return out
    if isinstance(got, list) and isinstance(want, list):
        if len(got) != len(want):
            return [f"{path}: {len(got)} items vs sentry_sdk's {len(want)}: {got!r:.300}"]
        out = []
        for i, (g, w) in enumerate(zip(got, want)):
            out.extend(diff(g, w, f"{path}[{i}]"))
        return out
    return [] if got == want else [f"{path}: {got!r:.200} != sentry_sdk's {want!r:.200}"]
