"""What ingest (Relay's relay-profiling crate) checks in a profile, as test assertions.

``check_profile`` is the sample format "1" (a transaction's ``profile`` item),
``check_chunk`` format "2" (a ``profile_chunk``). Each returns the list of problems
(empty when ingest would accept the item), following Relay's parse and normalize steps:
required metadata, the transaction link, every sample pointing at an existing stack and
every stack at existing frames, enough samples per thread, and the duration limits.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Dict, List

HEX32 = re.compile(r"^[0-9a-f]{32}$")
MAX_PROFILE_NS = 30 * 10**9
MAX_CHUNK_SECONDS = 66.0


def _uint(value: Any) -> bool:
    """Relay reads these numbers from strings or integers."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value >= 0
    return isinstance(value, str) and value.isdigit()


def _frames_and_stacks(profile: Dict[str, Any], problems: List[str]) -> None:
    frames = profile.get("frames")
    stacks = profile.get("stacks")
    if not isinstance(frames, list) or not isinstance(stacks, list):
        problems.append("profile.frames and profile.stacks must be lists")
        return
    for frame in frames:
        if not isinstance(frame, dict):
            problems.append(f"frame is not an object: {frame!r}")
            continue
        for key in ("abs_path", "filename", "function", "module"):
            if frame.get(key) is not None and not isinstance(frame[key], str):
                problems.append(f"frame.{key} is not a string: {frame!r}")
        lineno = frame.get("lineno")
        if lineno is not None and not _uint(lineno):
            problems.append(f"frame.lineno is not a number: {frame!r}")
        if "in_app" in frame and not isinstance(frame["in_app"], bool):
            problems.append(f"frame.in_app is not a bool: {frame!r}")
    for stack in stacks:
        if not isinstance(stack, list) or not all(
            isinstance(i, int) and 0 <= i < len(frames) for i in stack
        ):
            problems.append(f"MalformedStacks: {stack!r}")
            break


def _samples_per_thread(samples: List[Dict[str, Any]], stacks: List[Any]) -> Dict[str, int]:
    counts: Dict[str, int] = {}
    for sample in samples:
        stack_id = sample.get("stack_id")
        if isinstance(stack_id, int) and 0 <= stack_id < len(stacks) and stacks[stack_id]:
            key = str(sample.get("thread_id"))
            counts[key] = counts.get(key, 0) + 1
    return counts


def check_profile(item: Dict[str, Any]) -> List[str]:
    problems: List[str] = []
    if item.get("version") != "1":
        problems.append("version must be '1'")
    if item.get("platform") != "python":
        problems.append("platform must be 'python'")
    if not HEX32.match(str(item.get("event_id"))):
        problems.append("event_id must be 32 hex digits")
    try:
        datetime.fromisoformat(str(item.get("timestamp")).replace("Z", "+00:00"))
    except ValueError:
        problems.append(f"timestamp is not RFC 3339: {item.get('timestamp')!r}")
    if not isinstance((item.get("device") or {}).get("architecture"), str):
        problems.append("device.architecture missing")
    os_ = item.get("os") or {}
    if not isinstance(os_.get("name"), str) or not isinstance(os_.get("version"), str):
        problems.append("os.name/os.version missing")
    transactions = item.get("transactions") or []
    if len(transactions) != 1:
        problems.append("exactly one transaction expected")
        return problems
    txn = transactions[0]
    if not HEX32.match(str(txn.get("id"))) or not HEX32.match(str(txn.get("trace_id"))):
        problems.append("transaction id/trace_id must be 32 hex digits")
    if not txn.get("name"):
        problems.append("transaction name missing")
    start, end = txn.get("relative_start_ns"), txn.get("relative_end_ns")
    if not (_uint(start) and _uint(end) and int(start) < int(end)):
        problems.append(f"relative_start_ns < relative_end_ns fails: {start!r}, {end!r}")
        return problems
    profile = item.get("profile") or {}
    _frames_and_stacks(profile, problems)
    samples = profile.get("samples") or []
    stacks = profile.get("stacks") or []
    for sample in samples:
        if not (_uint(sample.get("elapsed_since_start_ns")) and _uint(sample.get("thread_id"))):
            problems.append(f"sample fields are not numbers: {sample!r}")
            break
        if not (isinstance(sample.get("stack_id"), int) and sample["stack_id"] < len(stacks)):
            problems.append(f"MalformedSamples: {sample!r}")
            break
    kept = [s for s in samples if int(start) <= int(s["elapsed_since_start_ns"]) <= int(end)]
    if not any(n > 1 for n in _samples_per_thread(kept, stacks).values()):
        problems.append("NotEnoughSamples: no thread has two samples in the transaction")
    if kept and int(kept[-1]["elapsed_since_start_ns"]) > MAX_PROFILE_NS:
        problems.append("DurationIsTooLong")
    return problems


def check_chunk(item: Dict[str, Any]) -> List[str]:
    problems: List[str] = []
    if item.get("version") != "2":
        problems.append("version must be '2'")
    if item.get("platform") != "python":
        problems.append("platform must be 'python'")
    for key in ("chunk_id", "profiler_id"):
        if not HEX32.match(str(item.get(key))):
            problems.append(f"{key} must be 32 hex digits")
    sdk = item.get("client_sdk") or {}
    if not isinstance(sdk.get("name"), str) or not isinstance(sdk.get("version"), str):
        problems.append("client_sdk.name/version missing")
    profile = item.get("profile") or {}
    _frames_and_stacks(profile, problems)
    samples = profile.get("samples") or []
    stacks = profile.get("stacks") or []
    for sample in samples:
        if not isinstance(sample.get("timestamp"), float) or not isinstance(
            sample.get("thread_id"), str
        ):
            problems.append(f"sample fields have the wrong types: {sample!r}")
            break
        if not (isinstance(sample.get("stack_id"), int) and sample["stack_id"] < len(stacks)):
            problems.append(f"MalformedSamples: {sample!r}")
            break
    if not any(n > 1 for n in _samples_per_thread(samples, stacks).values()):
        problems.append("NotEnoughSamples")
    times = [s["timestamp"] for s in samples if isinstance(s.get("timestamp"), float)]
    if times and max(times) - min(times) > MAX_CHUNK_SECONDS:
        problems.append("DurationIsTooLong")
    return problems
