"""The same CPU-bound app (tests/profile_app.py) profiled by sentry_sdk and sentry_lite:
both profiles show the same hot functions in the same proportions (within sampling
noise), with the same frame data, and both pass ingest's checks."""

from __future__ import annotations

import subprocess
import sys
from typing import Any, Dict, Iterator, Tuple

import pytest

from tests.profile_app import SHARES
from tests.profile_validation import check_chunk, check_profile
from tests.receiver import Receiver

SECONDS = 2.0
"""Of work per phase: about 200 samples of the main thread."""
SIGMAS = 4.0
"""A share may differ by this many standard deviations of its sampling noise."""
FRAME_FIELDS = ("abs_path", "module", "filename", "function")


def run(sdk: str) -> Dict[str, Dict[str, Any]]:
    receiver = Receiver()
    try:
        subprocess.run(
            [sys.executable, "-m", "tests.profile_app", sdk, receiver.dsn(), str(SECONDS)],
            check=True,
            timeout=120,
        )
        items = {item.type: item.get_json() for item in receiver.items()}
        items["transactions"] = {"list": receiver.transactions}
        return items
    finally:
        receiver.close()


@pytest.fixture(scope="module")
def profiles() -> Iterator[Dict[str, Dict[str, Dict[str, Any]]]]:
    yield {sdk: run(sdk) for sdk in ("sentry_sdk", "sentry_lite")}


def main_thread_shares(payload: Dict[str, Any]) -> Tuple[Dict[str, float], int]:
    """Share of the app thread's samples spent in each of the app's functions (by the
    innermost of them on the stack)."""
    profile = payload["profile"]
    frames, stacks = profile["frames"], profile["stacks"]
    main = payload.get("transactions", [{}])[0].get("active_thread_id")
    if main is None:  # a chunk: the thread named MainThread
        main = next(
            t for t, m in profile["thread_metadata"].items() if m.get("name") == "MainThread"
        )
    counts = dict.fromkeys(SHARES, 0)
    total = 0
    for sample in profile["samples"]:
        if sample["thread_id"] != main:
            continue
        for index in stacks[sample["stack_id"]]:
            name = frames[index]["function"]
            if name in counts:
                counts[name] += 1
                total += 1
                break
    return {name: n / max(total, 1) for name, n in counts.items()}, total


def noise(share: float, samples: int) -> float:
    """SIGMAS standard deviations of a share measured from ``samples`` samples."""
    return float(SIGMAS * (share * (1 - share) / samples) ** 0.5)


@pytest.mark.parametrize("item_type", ["profile", "profile_chunk"])
def test_same_hot_functions_in_the_same_proportions(
    profiles: Dict[str, Dict[str, Dict[str, Any]]], item_type: str
) -> None:
    shares = {}
    counts: Dict[str, int] = {}
    for sdk, items in profiles.items():
        payload = items[item_type]
        check = check_profile if item_type == "profile" else check_chunk
        assert check(payload) == [], sdk
        shares[sdk], samples = main_thread_shares(payload)
        assert samples >= 50, (sdk, samples)
        counts[sdk] = samples
        for name, expected in SHARES.items():
            assert abs(shares[sdk][name] - expected) < noise(expected, samples), (sdk, shares)
    for name, expected in SHARES.items():
        both = (
            noise(expected, counts["sentry_sdk"]) ** 2 + noise(expected, counts["sentry_lite"]) ** 2
        )
        assert abs(shares["sentry_sdk"][name] - shares["sentry_lite"][name]) < both**0.5, shares


@pytest.mark.parametrize("item_type", ["profile", "profile_chunk"])
def test_same_frame_data_and_metadata(
    profiles: Dict[str, Dict[str, Dict[str, Any]]], item_type: str
) -> None:
    def app_frames(payload: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
        return {
            f["function"]: {k: f.get(k) for k in FRAME_FIELDS}
            for f in payload["profile"]["frames"]
            if f.get("module") == "__main__" or f["function"] in SHARES
        }

    sdk_frames = app_frames(profiles["sentry_sdk"][item_type])
    lite_frames = app_frames(profiles["sentry_lite"][item_type])
    for name in SHARES:
        assert lite_frames[name] == sdk_frames[name]
    sdk_payload, lite_payload = (
        profiles["sentry_sdk"][item_type],
        profiles["sentry_lite"][item_type],
    )
    assert sorted(k for k in lite_payload if k not in ("client_sdk",)) == sorted(
        k for k in sdk_payload if k not in ("client_sdk",)
    )
    for key in ("platform", "version", "release", "environment", "os", "device", "runtime"):
        assert lite_payload.get(key) == sdk_payload.get(key), key
    if item_type == "profile":
        ours, theirs = lite_payload["transactions"][0], sdk_payload["transactions"][0]
        assert sorted(ours) == sorted(theirs)
        assert ours["name"] == theirs["name"] == "transaction-profile"
