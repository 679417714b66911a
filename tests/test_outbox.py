"""The durable outbox: atomic files, exclusive claims, bounds, restarts and SIGKILL."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from datetime import datetime, timezone
from typing import Any, List, Optional, Tuple

from sentry_lite.envelope import Envelope
from sentry_lite.transport.outbox import Outbox
from sentry_lite.transport.outbox_owner import OWNER_FILE
from tests.receiver import Receiver, event_envelope, messages

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _files(path: Any) -> List[str]:
    """What the outbox left in ``path`` (the DSN's claim of the directory aside)."""
    return sorted(n for n in os.listdir(path) if n != OWNER_FILE)


def _stored(path: Any) -> List[str]:
    """Envelopes on disk: ready or claimed files, not writes in progress."""
    return [n for n in _files(path) if not n.startswith(".tmp-")]


def _exactly_once(receiver: Receiver, expected: List[str], settle: float = 0.3) -> None:
    """Wait for ``expected`` messages, then make sure no duplicate trickles in."""
    receiver.wait_for(len(expected), timeout=15)
    time.sleep(settle)
    got = Counter(messages(receiver))
    assert got == Counter(expected)


# -- the spool itself ----------------------------------------------------------------------
def test_atomic_files_and_claim_lifecycle(tmp_path: Any) -> None:
    box = Outbox(str(tmp_path))
    assert box.put(event_envelope("a").serialize())
    assert box.put(event_envelope("b").serialize())
    names = _files(tmp_path)
    assert len(names) == 2 and all(n.endswith(".0.env") for n in names)
    assert not [n for n in names if n.startswith(".tmp")]
    assert oct(os.stat(tmp_path / names[0]).st_mode & 0o777) == "0o600"
    claim = box.claim()
    assert claim is not None
    assert Envelope.parse(claim.data).get_event()["message"] == "a"  # type: ignore[index]
    assert any(".claim." in n for n in _files(tmp_path))
    box.retry(claim, 30.0)
    assert any(n.endswith(".1.env") for n in _files(tmp_path))
    second = box.claim()
    assert second is not None  # "b" is due, "a" waits 30 s
    assert Envelope.parse(second.data).get_event()["message"] == "b"  # type: ignore[index]
    box.delivered(second)
    assert box.claim() is None
    assert 29 < (box.next_due() or 0) <= 30
    assert len(box) == 1


def test_two_outboxes_never_claim_the_same_file(tmp_path: Any) -> None:
    writer = Outbox(str(tmp_path))
    for i in range(200):
        writer.put(event_envelope(f"m{i}").serialize())
    a, b = Outbox(str(tmp_path)), Outbox(str(tmp_path))
    a.scan()
    b.scan()
    got: List[str] = []
    while True:
        progressed = False
        for box in (a, b, writer):
            claim = box.claim()
            if claim is not None:
                progressed = True
                got.append(Envelope.parse(claim.data).get_event()["message"])  # type: ignore[index]
                box.delivered(claim)
        if not progressed:
            break
    assert sorted(got) == sorted(f"m{i}" for i in range(200))
    assert _files(tmp_path) == []


def test_bounds_evict_oldest_as_cache_overflow(tmp_path: Any) -> None:
    evicted: List[Tuple[Optional[bytes], str]] = []
    box = Outbox(str(tmp_path), max_envelopes=3, on_evict=lambda b, r: evicted.append((b, r)))
    for i in range(5):
        box.put(event_envelope(f"m{i}").serialize())
    assert len(box) == 3
    assert [r for _, r in evicted] == ["cache_overflow"] * 2
    gone = [Envelope.parse(b).get_event()["message"] for b, _ in evicted if b]  # type: ignore[index]
    assert gone == ["m0", "m1"]

    evicted.clear()
    data = event_envelope("x" * 1000).serialize()
    small = Outbox(
        str(tmp_path / "bytes"),
        max_bytes=3 * len(data),
        on_evict=lambda b, r: evicted.append((b, r)),
    )
    for _ in range(5):
        small.put(data)
    assert len(small) == 3 and small.size_bytes <= 3 * len(data)
    assert len(evicted) == 2


def test_age_limit(tmp_path: Any) -> None:
    evicted: List[str] = []
    box = Outbox(str(tmp_path), max_age=0.2, on_evict=lambda b, r: evicted.append(r))
    box.put(event_envelope("old").serialize())
    time.sleep(0.3)
    box.scan()
    assert evicted == ["cache_overflow"]
    assert _files(tmp_path) == []


def test_claim_of_a_dead_process_is_recovered(tmp_path: Any) -> None:
    box = Outbox(str(tmp_path))
    box.put(event_envelope("orphan").serialize())
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (name,) = _files(tmp_path)
    base, attempts, _ = name.split(".")
    host = box._host
    os.rename(tmp_path / name, tmp_path / f"{base}.{attempts}.claim.{dead.pid}@{host}")
    fresh = Outbox(str(tmp_path))
    fresh.scan()
    claim = fresh.claim()
    assert claim is not None
    assert Envelope.parse(claim.data).get_event()["message"] == "orphan"  # type: ignore[index]


# -- through the transport --------------------------------------------------------------
def test_receiver_down_then_up_delivers_everything_once(
    receiver: Receiver, make_transport: Any, tmp_path: Any
) -> None:
    drops: List[Any] = []
    receiver.stop_listening()
    transport = make_transport(cache_dir=str(tmp_path), on_drop=lambda *a: drops.append(a))
    expected = [f"m{i}" for i in range(30)]
    for text in expected:
        transport.capture_envelope(event_envelope(text))
    transport.flush(0.5)
    assert len(_files(tmp_path)) == 30
    receiver.start_listening()
    _exactly_once(receiver, expected)
    assert drops == []
    assert _files(tmp_path) == []


def test_sent_at_is_the_time_of_the_delivery_not_of_the_capture(
    receiver: Receiver, make_transport: Any, tmp_path: Any
) -> None:
    """Ingest corrects clock drift with sent_at; a stale one would shift every timestamp."""
    receiver.stop_listening()
    transport = make_transport(cache_dir=str(tmp_path))
    envelope = event_envelope("late")
    envelope.headers["sent_at"] = "2000-01-01T00:00:00.000000Z"  # as if captured long ago
    transport.capture_envelope(envelope)
    transport.flush(0.5)
    receiver.start_listening()
    _exactly_once(receiver, ["late"])
    (request,) = [r for r in receiver.requests if r.envelope is not None and r.status < 300]
    assert request.envelope is not None
    sent_at = datetime.strptime(request.envelope.headers["sent_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
    assert abs(sent_at.replace(tzinfo=timezone.utc).timestamp() - time.time()) < 60


def test_4xx_is_not_retried(receiver: Receiver, make_transport: Any, tmp_path: Any) -> None:
    drops: List[Any] = []
    transport = make_transport(cache_dir=str(tmp_path), on_drop=lambda *a: drops.append(a))
    receiver.respond(status=400)
    transport.capture_envelope(event_envelope("bad"))
    transport.flush(3)
    time.sleep(0.6)
    assert len(receiver.requests) == 1
    assert _files(tmp_path) == []
    assert [(d[1], d[2], d[3]) for d in drops] == [("send_error", "error", 1)]
    assert isinstance(drops[0][0], Envelope)


def test_overflow_is_reported_to_on_drop(
    receiver: Receiver, make_transport: Any, tmp_path: Any
) -> None:
    drops: List[Any] = []
    receiver.stop_listening()
    transport = make_transport(
        cache_dir=str(tmp_path),
        cache_max_envelopes=5,
        on_drop=lambda *a: drops.append(a),
    )
    for i in range(8):
        transport.capture_envelope(event_envelope(f"m{i}"))
    transport.flush(0.5)
    assert [(d[1], d[2]) for d in drops] == [("cache_overflow", "error")] * 3
    receiver.start_listening()
    receiver.wait_for(5, timeout=15)
    # The oldest files that were not being sent at that moment were evicted.
    evicted = [d[0].get_event()["message"] for d in drops]
    assert sorted(messages(receiver) + evicted) == [f"m{i}" for i in range(8)]
    transport.flush(5)  # reports go out every 30 s, and at every flush
    receiver.wait_for(1, timeout=5, item_type="client_report")
    assert receiver.discarded() == {("error", "cache_overflow"): 3}


def test_burst_larger_than_the_queue_loses_nothing(
    receiver: Receiver, make_transport: Any, tmp_path: Any
) -> None:
    transport = make_transport(
        cache_dir=str(tmp_path), transport_queue_size=10, cache_max_envelopes=5000
    )
    expected = [f"m{i}" for i in range(1500)]
    for text in expected:
        transport.capture_envelope(event_envelope(text))
    transport.flush(30)
    _exactly_once(receiver, expected, settle=0.1)
    assert not transport.losses.totals


# -- across processes ---------------------------------------------------------------------
CHILD = textwrap.dedent(
    """
    import sys, time
    import sentry_lite
    dsn, cache, mode, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    sentry_lite.init(dsn=dsn, cache_dir=cache, shutdown_timeout=20)
    if mode == "capture":
        for i in range(count):
            sentry_lite.capture_message(f"m{i}")
        print("captured", flush=True)
        time.sleep(60)
    else:
        sentry_lite.flush(20)
        print("flushed", flush=True)
    """
)


def _child(args: List[str]) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"))
    for name in ("SENTRY_DSN", "SENTRY_CACHE_DIR"):
        env.pop(name, None)
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_sigkill_then_restart_delivers_every_event(receiver: Receiver, tmp_path: Any) -> None:
    receiver.stop_listening()
    cache = str(tmp_path / "outbox")
    proc = _child([receiver.dsn(), cache, "capture", "50"])
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    assert line == "captured", proc.stderr.read() if proc.stderr else ""
    # The spooler thread writes each envelope within milliseconds of its capture (no
    # flush, no shutdown hook): kill as soon as they are on disk. A ``.tmp-`` file is a
    # write still in progress, not an envelope on disk (counting it made this test kill
    # the child inside the 50th write now and then; the 50th was then never delivered).
    deadline = time.monotonic() + 5
    while len(_stored(cache)) < 50 and time.monotonic() < deadline:
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    assert proc.returncode == -signal.SIGKILL
    assert len(_stored(cache)) == 50
    receiver.start_listening()
    second = _child([receiver.dsn(), cache, "flush", "0"])
    out, err = second.communicate(timeout=30)
    assert "flushed" in out, err
    _exactly_once(receiver, [f"m{i}" for i in range(50)], settle=0.1)
    assert _files(cache) == []


def test_processes_sharing_a_directory_send_each_envelope_once(
    receiver: Receiver, tmp_path: Any
) -> None:
    cache = str(tmp_path / "shared")
    box = Outbox(cache, max_envelopes=10_000)
    expected = [f"m{i}" for i in range(300)]
    for text in expected:
        box.put(event_envelope(text).serialize())
    receiver.respond(delay=0.002)
    children = [_child([receiver.dsn(), cache, "flush", "0"]) for _ in range(3)]
    for child in children:
        out, err = child.communicate(timeout=40)
        assert "flushed" in out, err
    _exactly_once(receiver, expected, settle=0.1)
    assert _files(cache) == []


def test_an_unusable_cache_dir_falls_back_to_sending_directly(
    tmp_path: Any, receiver: Receiver, make_transport: Any
) -> None:
    directory = tmp_path / "outbox"
    transport = make_transport(cache_dir=str(directory))
    # The directory disappears and a file takes its place: every write fails from now on.
    shutil.rmtree(directory)
    directory.write_text("not a directory")
    for i in range(3):
        transport.capture_envelope(event_envelope(f"direct-{i}"))
    transport.flush(10)
    assert sorted(messages(receiver)) == ["direct-0", "direct-1", "direct-2"]


def test_a_claim_handed_back_during_a_scan_stays_known(tmp_path: Any, monkeypatch: Any) -> None:
    """A scan must not forget a file that another thread claimed and handed back meanwhile.

    The listing can show the file under its claim name (or under neither name: a rename
    during ``readdir``), while the sending thread's retry puts it back as ready; the scan
    then took it for a file another process had taken, and this process no longer knew
    it until the next scan: ``flush()`` found nothing due and left it on disk.
    """
    from sentry_lite.transport import outbox as outbox_module

    box = Outbox(str(tmp_path))
    box.put(event_envelope("x").serialize())
    real_scandir = os.scandir

    class Listing:
        def __init__(self, path: str) -> None:
            claim = box.claim()  # another sending thread claims it ...
            assert claim is not None
            with real_scandir(path) as entries:
                self.entries = list(entries)  # ... the listing shows the claim ...
            box.retry(claim, 0.0)  # ... and the send failed: it is handed back

        def __enter__(self) -> List[Any]:
            return self.entries

        def __exit__(self, *exc: Any) -> None:
            pass

    monkeypatch.setattr(outbox_module.os, "scandir", Listing)
    box.scan()
    monkeypatch.setattr(outbox_module.os, "scandir", real_scandir)
    assert len(box) == 1
    assert box.next_due() == 0.0
    claim = box.claim()
    assert claim is not None and Envelope.parse(claim.data).get_event()["message"] == "x"  # type: ignore[index]


def test_outbox_put_imports_nothing(tmp_path: Any, monkeypatch: Any) -> None:
    """A capture from a signal handler spills through ``put`` while the interrupted code
    may hold an import lock: an import there could deadlock (it did, with ``secrets``)."""
    box = Outbox(str(tmp_path))
    data = event_envelope("a").serialize()
    imported: List[str] = []

    class Watch:
        def find_spec(self, name: str, *args: Any) -> None:
            imported.append(name)
            return None

    for name in ("secrets", "hmac", "hashlib", "base64"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    monkeypatch.setattr(sys, "meta_path", [Watch(), *sys.meta_path])
    assert box.put(data)
    assert imported == []
