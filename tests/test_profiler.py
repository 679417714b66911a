"""Profiling end to end against the real receiver: transaction profiles, continuous
profile chunks, losses counted, and what ingest would accept (tests/profile_validation.py)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
import threading
import time
import warnings
from typing import Any, Callable, Dict, List, Tuple

import pytest

import sentry_lite
from sentry_lite.profiler import continuous, control, transaction_profile
from tests.conftest import require
from tests.profile_validation import check_chunk, check_profile
from tests.receiver import Receiver

Init = Callable[..., Any]


class Losses(Dict[Tuple[str, str], int]):
    def __call__(self, envelope: Any, reason: str, category: str, quantity: int) -> None:
        self[category, reason] = self.get((category, reason), 0) + quantity


def busy(seconds: float, ticks: int = 0) -> None:
    """CPU work the profiler should see (named so a test can find it in the frames): at
    least ``seconds`` long, and on until the profiler took ``ticks`` more ticks (a loaded
    machine can starve its thread), for at most 10 s."""
    profiling = control.current
    engine = profiling.engine if profiling is not None else None
    target = engine.ticks + ticks if engine is not None else 0
    start = time.perf_counter()
    end = start + seconds
    while True:
        sum(range(200))
        now = time.perf_counter()
        if now >= end and (engine is None or engine.ticks >= target or now - start > 10):
            return


def sampled(seconds: float = 0.05) -> None:
    """Busy long enough for a profile to be sent (5 ticks, well over the minimum of 2)."""
    busy(seconds, ticks=5)


def functions(profile: Dict[str, Any]) -> List[str]:
    return [f["function"] for f in profile["frames"]]


def profile_items(receiver: Receiver) -> List[Dict[str, Any]]:
    return [i.get_json() for i in receiver.items("profile")]


def chunk_items(receiver: Receiver) -> List[Dict[str, Any]]:
    return [i.get_json() for i in receiver.items("profile_chunk")]


def close() -> None:
    sentry_lite.flush(timeout=5)
    sentry_lite.get_client().close(timeout=5)


# -- transaction profiles -----------------------------------------------------------------


def test_profile_rides_in_the_transactions_envelope_and_is_valid(
    sentry_init: Init, receiver: Receiver
) -> None:
    with pytest.warns(DeprecationWarning, match="Transaction-based profiling"):
        sentry_init(traces_sample_rate=1.0, profiles_sample_rate=1.0, release="r@1")
    with sentry_lite.start_transaction(name="work", op="task"):
        busy(0.1, ticks=5)
    close()
    [envelope] = [e for e in receiver.envelopes if any(i.type == "profile" for i in e.items)]
    assert [i.type for i in envelope.items] == ["profile", "transaction"]
    profile = envelope.items[0].get_json()
    txn = envelope.items[1].get_json()
    assert check_profile(profile) == []
    link = profile["transactions"][0]
    assert link["id"] == txn["event_id"] and link["name"] == "work"
    assert link["trace_id"] == txn["contexts"]["trace"]["trace_id"]
    assert link["active_thread_id"] == str(threading.main_thread().ident)
    assert profile["release"] == "r@1" and profile["timestamp"] == txn["start_timestamp"]
    assert "busy" in functions(profile["profile"])
    assert 0.09e9 < int(link["relative_end_ns"]) < 5e9
    names = {m.get("name") for m in profile["profile"]["thread_metadata"].values()}
    assert "MainThread" in names
    assert not any(n.startswith("sentry_lite.") for n in names if n), "never our threads"


@pytest.mark.parametrize(
    ("options", "profiled", "lost"),
    [
        ({"profiles_sample_rate": 1.0}, 1, 0),
        ({"profiles_sample_rate": 0.0}, 0, 0),
        ({}, 0, 0),
        ({"profiles_sampler": lambda ctx: 0}, 0, 1),
        ({"profiles_sampler": lambda ctx: None}, 0, 1),
        ({"profiles_sampler": lambda ctx: "1"}, 0, 1),
        ({"profiles_sampler": lambda ctx: True}, 1, 0),
        ({"_experiments": {"profiles_sample_rate": 1.0}}, 1, 0),
    ],
)
def test_sample_rates_and_sampler(
    sentry_init: Init, receiver: Receiver, options: Dict[str, Any], profiled: int, lost: int
) -> None:
    losses = Losses()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        sentry_init(traces_sample_rate=1.0, on_drop=losses, **options)
    with sentry_lite.start_transaction(name="t"):
        busy(0.05, ticks=5 if profiled else 0)
    close()
    assert len(receiver.transactions) == 1
    assert len(profile_items(receiver)) == profiled
    assert losses.get(("profile", "sample_rate"), 0) == lost


def test_a_fixed_rate_is_read_once_and_only_when_valid() -> None:
    from sentry_lite.profiler.transaction_profile import fixed_rate

    assert fixed_rate({"profiles_sample_rate": 1}) == 1.0
    assert fixed_rate({"_experiments": {"profiles_sample_rate": 0.5}}) == 0.5
    # No fixed rate: the per-transaction path decides (and warns where sentry_sdk does).
    assert fixed_rate({"profiles_sample_rate": 1.0, "profiles_sampler": lambda c: 0}) is None
    assert fixed_rate({"profiles_sample_rate": 2.0}) is None
    assert fixed_rate({"profiles_sample_rate": "1"}) is None
    assert fixed_rate({}) is None


def test_profiles_sampler_gets_the_traces_sampler_context(sentry_init: Init) -> None:
    seen: Dict[str, Dict[str, Any]] = {}

    def traces_sampler(ctx: Dict[str, Any]) -> float:
        seen["traces"] = ctx
        return 1.0

    def profiles_sampler(ctx: Dict[str, Any]) -> float:
        seen["profiles"] = ctx
        return 0.0

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        sentry_init(traces_sampler=traces_sampler, profiles_sampler=profiles_sampler)
    sentry_lite.start_transaction(
        name="checkout", op="http", custom_sampling_context={"path": "/buy"}
    ).finish()
    assert seen["profiles"] == seen["traces"]
    assert seen["profiles"]["path"] == "/buy"
    assert seen["profiles"]["transaction_context"]["name"] == "checkout"


def test_unsampled_transactions_are_not_profiled_nor_counted(
    sentry_init: Init, receiver: Receiver
) -> None:
    losses = Losses()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        sentry_init(traces_sample_rate=0.0, profiles_sample_rate=1.0, on_drop=losses)
    with sentry_lite.start_transaction(name="t"):
        busy(0.03)
    close()
    assert profile_items(receiver) == []
    assert ("profile", "sample_rate") not in losses


def test_raising_profiles_sampler_does_not_break_the_transaction(
    sentry_init: Init, receiver: Receiver
) -> None:
    def sampler(ctx: Dict[str, Any]) -> float:
        raise ValueError("boom")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        sentry_init(traces_sample_rate=1.0, profiles_sampler=sampler)
    with sentry_lite.start_transaction(name="t"):
        pass
    close()
    assert len(receiver.transactions) == 1 and profile_items(receiver) == []


def test_too_short_profile_is_dropped_and_counted(sentry_init: Init, receiver: Receiver) -> None:
    losses = Losses()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        sentry_init(traces_sample_rate=1.0, profiles_sample_rate=1.0, on_drop=losses)
    with sentry_lite.start_transaction(name="instant"):
        pass
    close()
    assert len(receiver.transactions) == 1 and profile_items(receiver) == []
    assert losses[("profile", "insufficient_data")] == 1


def test_dropped_transaction_counts_its_profile(sentry_init: Init, receiver: Receiver) -> None:
    losses = Losses()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        sentry_init(
            traces_sample_rate=1.0,
            profiles_sample_rate=1.0,
            on_drop=losses,
            before_send_transaction=lambda event, hint: None,
            trace_ignore_status_codes={404},
        )
    with sentry_lite.start_transaction(name="dropped by the hook"):
        sampled()
    with sentry_lite.start_transaction(name="ignored status") as txn:
        txn.set_http_status(404)
        sampled()
    close()
    assert receiver.transactions == [] and profile_items(receiver) == []
    assert losses[("profile", "before_send")] == 1
    assert losses[("profile", "event_processor")] == 1


def test_profile_stops_at_the_maximum_duration(
    sentry_init: Init, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transaction_profile, "MAX_PROFILE_DURATION_NS", int(0.1e9))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        sentry_init(traces_sample_rate=1.0, profiles_sample_rate=1.0)
    with sentry_lite.start_transaction(name="long"):
        busy(0.3, ticks=5)
    close()
    [profile] = profile_items(receiver)
    assert check_profile(profile) == []
    last = max(int(s["elapsed_since_start_ns"]) for s in profile["profile"]["samples"])
    assert last <= 0.1e9
    assert int(profile["transactions"][0]["relative_end_ns"]) <= 0.15e9


def test_deep_stack_keeps_its_leaf_frames(sentry_init: Init, receiver: Receiver) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        sentry_init(traces_sample_rate=1.0, profiles_sample_rate=1.0)

    def dive(depth: int) -> None:
        if depth:
            dive(depth - 1)
        else:
            busy(0.1, ticks=5)

    with sentry_lite.start_transaction(name="deep"):
        dive(300)
    close()
    [profile] = profile_items(receiver)
    assert check_profile(profile) == []
    data = profile["profile"]
    main = str(threading.main_thread().ident)
    stacks = [data["stacks"][s["stack_id"]] for s in data["samples"] if s["thread_id"] == main]
    deepest = max(stacks, key=len)
    assert len(deepest) == 128
    leaf_functions = [data["frames"][i]["function"] for i in deepest[:2]]
    assert "busy" in leaf_functions, leaf_functions  # the leaf end is kept
    assert data["frames"][deepest[-1]]["function"].endswith("dive")


def test_invalid_profiler_mode_disables_profiling_only(
    sentry_init: Init, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        sentry_init(traces_sample_rate=1.0, profiles_sample_rate=1.0, profiler_mode="nope")
    assert "cannot set up the profiler" in caplog.text
    with sentry_lite.start_transaction(name="t"):
        busy(0.03)
    close()
    assert len(receiver.transactions) == 1 and profile_items(receiver) == []


# -- continuous profiling -----------------------------------------------------------------


def test_manual_lifecycle_sends_the_chunk_at_stop(sentry_init: Init, receiver: Receiver) -> None:
    sentry_init(traces_sample_rate=1.0, profile_session_sample_rate=1.0, release="r@2")
    sentry_lite.profiler.start_profiler()
    assert control.profiler_id() is not None
    with sentry_lite.start_transaction(name="profiled"), sentry_lite.start_span(op="work"):
        sampled(0.1)
    sentry_lite.profiler.stop_profiler()
    assert control.profiler_id() is None
    with sentry_lite.start_transaction(name="not profiled"):
        busy(0.02)
    close()
    chunks = chunk_items(receiver)
    assert len(chunks) == 1
    [chunk] = chunks
    assert check_chunk(chunk) == []
    assert chunk["release"] == "r@2" and "busy" in functions(chunk["profile"])
    [item] = receiver.items("profile_chunk")
    assert item.headers["platform"] == "python"
    by_name = {t["transaction"]: t for t in receiver.transactions}
    profiled = by_name["profiled"]
    assert profiled["contexts"]["profile"] == {"profiler_id": chunk["profiler_id"]}
    assert profiled["contexts"]["trace"]["data"]["profiler_id"] == chunk["profiler_id"]
    assert all(s["data"]["profiler_id"] == chunk["profiler_id"] for s in profiled["spans"])
    assert "profile" not in by_name["not profiled"]["contexts"]


def test_each_manual_session_gets_its_own_profiler_id(
    sentry_init: Init, receiver: Receiver
) -> None:
    sentry_init(profile_session_sample_rate=1.0)
    for _ in range(2):
        sentry_lite.profiler.start_profiler()
        sampled()
        sentry_lite.profiler.stop_profiler()
    close()
    ids = [c["profiler_id"] for c in chunk_items(receiver)]
    assert len(ids) == 2 and ids[0] != ids[1]


def test_deprecated_session_functions_warn_and_work(sentry_init: Init, receiver: Receiver) -> None:
    sentry_init(profile_session_sample_rate=1.0)
    with pytest.warns(DeprecationWarning):
        sentry_lite.profiler.start_profile_session()
    sampled()
    with pytest.warns(DeprecationWarning):
        sentry_lite.profiler.stop_profile_session()
    close()
    assert len(chunk_items(receiver)) == 1


def test_teardown_profiler_stops_and_sends_what_it_sampled(
    sentry_init: Init, receiver: Receiver
) -> None:
    """sentry_sdk's ``profiler.teardown_profiler`` (fixtures call it between tests)."""
    sentry_init(profile_session_sample_rate=1.0)
    sentry_lite.profiler.start_profiler()
    sampled()
    sentry_lite.profiler.teardown_profiler()
    assert control.profiler_id() is None
    assert sentry_lite.profiler.has_profiling_enabled({"profiles_sample_rate": 0.5})
    close()
    assert len(chunk_items(receiver)) == 1


def test_unsampled_session_never_profiles(sentry_init: Init, receiver: Receiver) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sentry_init(traces_sample_rate=1.0, profile_session_sample_rate=0.0)
    assert not [w for w in caught if "Transaction-based profiling" in str(w.message)]
    sentry_lite.profiler.start_profiler()
    with sentry_lite.start_transaction(name="t"):
        busy(0.03)
    sentry_lite.profiler.stop_profiler()
    close()
    assert chunk_items(receiver) == []
    assert "profile" not in receiver.transactions[0]["contexts"]


def test_trace_lifecycle_samples_while_a_root_span_is_open(
    sentry_init: Init, receiver: Receiver
) -> None:
    sentry_init(traces_sample_rate=1.0, profile_session_sample_rate=1.0, profile_lifecycle="trace")
    sentry_lite.profiler.start_profiler()  # a no-op in trace mode
    assert control.profiler_id() is None
    busy(0.05)  # no root span: nothing sampled
    with sentry_lite.start_transaction(name="root"):
        sampled(0.1)
    close()  # the last chunk goes out when the client closes
    [chunk] = chunk_items(receiver)
    assert check_chunk(chunk) == []
    [txn] = receiver.transactions
    assert txn["contexts"]["profile"]["profiler_id"] == chunk["profiler_id"]
    start, end = (txn["start_timestamp"], txn["timestamp"])
    stamps = [s["timestamp"] for s in chunk["profile"]["samples"]]
    assert len(stamps) >= 2
    from datetime import datetime

    t0 = datetime.fromisoformat(start.replace("Z", "+00:00")).timestamp()
    t1 = datetime.fromisoformat(end.replace("Z", "+00:00")).timestamp()
    assert t0 - 0.05 <= min(stamps) and max(stamps) <= t1 + 0.05


def test_chunks_are_sent_periodically(
    sentry_init: Init, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(continuous, "_CHUNK_NS", int(0.1e9))
    sentry_init(profile_session_sample_rate=1.0)
    sentry_lite.profiler.start_profiler()
    busy(0.35, ticks=30)
    sentry_lite.profiler.stop_profiler()
    close()
    chunks = chunk_items(receiver)
    assert len(chunks) >= 3
    assert len({c["profiler_id"] for c in chunks}) == 1
    assert len({c["chunk_id"] for c in chunks}) == len(chunks)
    for chunk in chunks:
        stamps = [s["timestamp"] for s in chunk["profile"]["samples"]]
        assert max(stamps) - min(stamps) < 0.2


def test_trace_lifecycle_chunk_is_not_lost_at_exit(receiver: Receiver, tmp_path: Any) -> None:
    """The process ends with a root span just finished and no flush: the atexit close
    sends the last chunk (sentry_sdk loses it in trace mode)."""
    script = tmp_path / "app.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import time, sentry_lite
            sentry_lite.init(dsn={receiver.dsn()!r}, traces_sample_rate=1.0,
                             profile_session_sample_rate=1.0, profile_lifecycle="trace")
            def work():
                end = time.perf_counter() + 0.1
                while time.perf_counter() < end:
                    pass
            with sentry_lite.start_transaction(name="last"):
                work()
            """
        )
    )
    subprocess.run([sys.executable, str(script)], check=True, timeout=60)
    [chunk] = chunk_items(receiver)
    assert check_chunk(chunk) == []
    assert "work" in functions(chunk["profile"])
    assert receiver.transactions[0]["contexts"]["profile"]["profiler_id"] == chunk["profiler_id"]


def test_gevent_mode_samples_from_a_native_thread(receiver: Receiver, tmp_path: Any) -> None:
    require(importlib.util.find_spec("gevent") is not None, "gevent is not installed")
    script = tmp_path / "app.py"
    script.write_text(
        textwrap.dedent(
            f"""
            from gevent import monkey
            monkey.patch_all()
            import time, gevent, sentry_lite
            from sentry_lite.profiler import control
            sentry_lite.init(dsn={receiver.dsn()!r}, traces_sample_rate=1.0,
                             profile_session_sample_rate=1.0)
            assert control.current.engine.gevent
            def spin():
                end = time.perf_counter() + 0.15
                while time.perf_counter() < end:
                    pass
            sentry_lite.profiler.start_profiler()
            with sentry_lite.start_transaction(name="green"):
                spin()
            sentry_lite.profiler.stop_profiler()
            sentry_lite.flush(5)
            """
        )
    )
    subprocess.run([sys.executable, str(script)], check=True, timeout=60)
    [chunk] = chunk_items(receiver)
    assert check_chunk(chunk) == []
    assert "spin" in functions(chunk["profile"])
