"""The durable outbox: an on-disk spool so undelivered envelopes survive outages and restarts.

One file per envelope (its serialized, uncompressed bytes) in ``cache_dir``; the names
and what they mean are in ``spoolfiles.py``. A claim whose process is gone (same host,
dead pid) or that is older than :data:`OUTBOX_STALE_CLAIM_AGE` is turned back into a
ready file.

The spool is bounded by count, bytes and age; the oldest ready files go first, and the
owner is told about each eviction (reported as ``cache_overflow``). Delivery is
at-least-once: a process killed between the server's "accepted" and the ``unlink``
re-sends that one envelope on the next start.
"""

from __future__ import annotations

import heapq
import os
import time
from typing import Callable, Dict, List, Optional, Set, Tuple

from sentry_lite.limits import (
    CACHE_MAX_AGE,
    CACHE_MAX_BYTES,
    CACHE_MAX_ENVELOPES,
    MAX_CACHED_BODIES,
    OUTBOX_RESCAN_INTERVAL,
    OUTBOX_STALE_CLAIM_AGE,
    OUTBOX_STALE_TMP_AGE,
)
from sentry_lite.sdk_loggers import internal_logger as logger
from sentry_lite.transport.reentry import held_here, new_lock
from sentry_lite.transport.spoolfiles import (
    CLAIM,
    READY,
    TMP,
    Claim,
    created,
    host_name,
    owner_gone,
    parse_name,
)

__all__ = [
    "CACHE_MAX_AGE",
    "CACHE_MAX_BYTES",
    "CACHE_MAX_ENVELOPES",
    "Claim",
    "Outbox",
]

FSYNC = False
"""fsync each file: survives power loss, not just process death, at ~1 ms per envelope."""


class Outbox:
    def __init__(
        self,
        directory: str,
        max_envelopes: int = CACHE_MAX_ENVELOPES,
        max_bytes: int = CACHE_MAX_BYTES,
        max_age: float = CACHE_MAX_AGE,
        on_evict: Optional[Callable[[Optional[bytes], str], None]] = None,
    ) -> None:
        self.directory = os.path.abspath(os.path.expanduser(directory))
        self.max_envelopes = max(1, int(max_envelopes))
        self.max_bytes = max(1, int(max_bytes))
        self.max_age = float(max_age)
        self.on_evict = on_evict
        os.makedirs(self.directory, mode=0o700, exist_ok=True)
        self._lock = new_lock()
        self._host = host_name()
        self._reset_state()

    def _reset_state(self) -> None:
        self._pid = os.getpid()
        self._suffix = f"{CLAIM}{self._pid}@{self._host}"
        # base -> (attempts, size, due wall time)
        self._ready: Dict[str, Tuple[int, int, float]] = {}
        self._by_due: List[Tuple[float, str]] = []
        self._by_age: List[str] = []
        self._bytes = 0
        self._claimed: Set[str] = set()
        self._bodies: Dict[str, bytes] = {}
        self._last_scan = 0.0

    def after_fork(self) -> None:
        """A forked child keeps the directory but not the parent's claims or index."""
        self._lock = new_lock()
        self._reset_state()

    # -- bookkeeping ------------------------------------------------------
    def _add(self, base: str, attempts: int, size: int, due: float) -> None:
        old = self._ready.get(base)
        if old is not None:
            self._bytes -= old[1]
        else:
            heapq.heappush(self._by_age, base)
        self._ready[base] = (attempts, size, due)
        self._bytes += size
        heapq.heappush(self._by_due, (due, base))

    def _remove(self, base: str) -> Optional[Tuple[int, int, float]]:
        entry = self._ready.pop(base, None)
        if entry is not None:
            self._bytes -= entry[1]
        return entry

    def __len__(self) -> int:
        with self._lock:
            return len(self._ready) + len(self._claimed)

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def _path(self, name: str) -> str:
        return os.path.join(self.directory, name)

    # -- writing ----------------------------------------------------------
    def put(self, data: bytes, delay: float = 0.0) -> bool:
        """Store one envelope atomically; False if it could not be written.

        Also False (the caller counts the loss) when this thread holds the lock: a signal
        handler or ``__del__`` interrupted the outbox's own bookkeeping (see reentry.py).
        """
        if held_here(self._lock):
            return False
        if os.getpid() != self._pid:
            self.after_fork()
        now = time.time()
        # os.urandom, not a lazily imported ``secrets``: this runs on app threads, where a
        # signal handler's capture that needs the same import would deadlock on its lock.
        base = f"{int(now * 1e6):017d}-{os.urandom(6).hex()}"
        tmp = self._path(f"{TMP}{self._pid}-{os.urandom(6).hex()}")
        final = self._path(f"{base}.0{READY}")
        try:
            self._make_room(len(data))
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                view = memoryview(data)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
                if FSYNC:
                    os.fsync(fd)
            finally:
                os.close(fd)
            due = now + max(0.0, delay)
            if delay > 0:
                os.utime(tmp, (now, due))
            os.rename(tmp, final)
        except OSError as exc:
            logger.warning("sentry_lite: cannot write to cache_dir %s: %s", self.directory, exc)
            try:
                os.unlink(tmp)
            except OSError:
                pass
            return False
        with self._lock:
            self._add(base, 0, len(data), due)
            if len(self._bodies) < MAX_CACHED_BODIES:
                self._bodies[base] = data
        return True

    def _make_room(self, incoming: int) -> None:
        """Evict the oldest ready envelopes until one more of ``incoming`` bytes fits."""
        while True:
            with self._lock:
                count = len(self._ready) + len(self._claimed)
                if count < self.max_envelopes and self._bytes + incoming <= self.max_bytes:
                    return
                victim = self._oldest()
                if victim is None:
                    return
            self._evict(victim, "cache_overflow")

    def _oldest(self) -> Optional[str]:
        while self._by_age:
            base = self._by_age[0]
            if base in self._ready:
                return base
            heapq.heappop(self._by_age)
        return None

    def _evict(self, base: str, reason: str) -> None:
        with self._lock:
            entry = self._remove(base)
            body = self._bodies.pop(base, None)
        if entry is None:
            return
        path = self._path(f"{base}.{entry[0]}{READY}")
        if body is None:
            try:
                with open(path, "rb") as fh:
                    body = fh.read()
            except OSError:
                body = None
        try:
            os.unlink(path)
        except FileNotFoundError:
            return  # another process took it: not ours to report
        except OSError:
            pass
        if self.on_evict is not None:
            try:
                self.on_evict(body, reason)
            except Exception:
                logger.debug("sentry_lite: on_evict failed", exc_info=True)

    # -- reading ----------------------------------------------------------
    def next_due(self) -> Optional[float]:
        """Seconds until the next ready envelope is due (0.0: now), None if none is known."""
        self._maybe_scan()
        with self._lock:
            while self._by_due:
                due, base = self._by_due[0]
                entry = self._ready.get(base)
                if entry is None or entry[2] != due:
                    heapq.heappop(self._by_due)
                    continue
                return max(0.0, due - time.time())
        return None

    def claim(self) -> Optional[Claim]:
        """Take the most overdue ready envelope, if any is due now."""
        if os.getpid() != self._pid:
            self.after_fork()
        while True:
            with self._lock:
                if not self._by_due:
                    return None
                due, base = self._by_due[0]
                entry = self._ready.get(base)
                if entry is None or entry[2] != due:
                    heapq.heappop(self._by_due)
                    continue
                if due > time.time():
                    return None
                heapq.heappop(self._by_due)
                self._remove(base)
                attempts = entry[0]
                body = self._bodies.pop(base, None)
                self._claimed.add(base)
            src = self._path(f"{base}.{attempts}{READY}")
            dst = self._path(f"{base}.{attempts}{self._suffix}")
            try:
                os.rename(src, dst)
            except OSError:
                # Another process claimed (or evicted) it first.
                with self._lock:
                    self._claimed.discard(base)
                continue
            try:
                now = time.time()
                os.utime(dst, (now, now))
                if body is None:
                    with open(dst, "rb") as fh:
                        body = fh.read()
            except OSError as exc:
                logger.debug("sentry_lite: cannot read %s: %s", dst, exc)
                self._forget(base, dst)
                continue
            return Claim(base, attempts, dst, body)

    def _forget(self, base: str, path: str) -> None:
        with self._lock:
            self._claimed.discard(base)
        try:
            os.unlink(path)
        except OSError:
            pass

    def delivered(self, claim: Claim) -> None:
        """The server accepted it: remove it for good."""
        self._forget(claim.base, claim.path)

    def discard(self, claim: Claim) -> None:
        """It must not be retried (a 4xx): remove it; the caller reports the loss."""
        self._forget(claim.base, claim.path)

    def retry(self, claim: Claim, delay: float) -> None:
        """Hand it back for another attempt in ``delay`` seconds."""
        attempts = claim.attempts + 1
        dst = self._path(f"{claim.base}.{attempts}{READY}")
        due = time.time() + max(0.0, delay)
        try:
            os.utime(claim.path, (time.time(), due))
            os.rename(claim.path, dst)
        except OSError as exc:
            logger.debug("sentry_lite: cannot release %s: %s", claim.path, exc)
            with self._lock:
                self._claimed.discard(claim.base)
            return
        with self._lock:
            self._claimed.discard(claim.base)
            self._add(claim.base, attempts, len(claim.data), due)

    def release_all(self) -> None:
        """Give back every claim this process holds (used at shutdown)."""
        with self._lock:
            claimed = list(self._claimed)
        for name in os.listdir(self.directory):
            if name.endswith(self._suffix) and name.split(".", 1)[0] in claimed:
                base, attempts = parse_name(name)
                if base is None:
                    continue
                try:
                    os.rename(self._path(name), self._path(f"{base}.{attempts}{READY}"))
                except OSError:
                    pass

    # -- scanning ---------------------------------------------------------
    def _maybe_scan(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_scan < OUTBOX_RESCAN_INTERVAL:
            return
        self._last_scan = now
        try:
            self.scan()
        except OSError as exc:
            logger.debug("sentry_lite: cannot scan cache_dir: %s", exc)

    def scan(self) -> None:
        """Sync the index with the directory: new files, lost claims, expired files."""
        if os.getpid() != self._pid:
            self.after_fork()
        self._last_scan = time.monotonic()
        wall = time.time()
        seen: Set[str] = set()
        expired: List[str] = []
        with self._lock:
            # Files written during the scan are not "gone"; nor is one that was claimed
            # and handed back (retry) meanwhile: the listing may have caught neither name.
            known_before = dict(self._ready)
        with os.scandir(self.directory) as entries:
            for entry in entries:
                name = entry.name
                if name.startswith(TMP):
                    self._sweep_tmp(entry, wall)
                    continue
                base, attempts = parse_name(name)
                if base is None:
                    continue
                if name.endswith(READY):
                    seen.add(base)
                    try:
                        st = entry.stat()
                    except OSError:
                        continue
                    if self.max_age and wall - created(base) > self.max_age:
                        expired.append(base)
                    with self._lock:
                        known = self._ready.get(base)
                        new = known is None and base not in self._claimed
                        moved = known is not None and (
                            known[0] != attempts or abs(known[2] - st.st_mtime) > 0.05
                        )
                        if new or moved:
                            self._add(base, attempts, st.st_size, st.st_mtime)
                elif CLAIM in name and self._recover_claim(entry, base, attempts, wall):
                    seen.add(base)
        with self._lock:
            for base in [b for b in known_before.keys() - seen if b in self._ready]:
                if self._ready[base] == known_before[base]:
                    self._remove(base)  # claimed or removed by another process
                    self._bodies.pop(base, None)
            if self._by_due and len(self._by_due) > 4 * len(self._ready) + 64:
                self._by_due = [(e[2], b) for b, e in self._ready.items()]
                heapq.heapify(self._by_due)
                self._by_age = list(self._ready)
                heapq.heapify(self._by_age)
        for base in expired:
            self._evict(base, "cache_overflow")
        self._make_room(0)

    def _recover_claim(
        self, entry: os.DirEntry[str], base: str, attempts: int, wall: float
    ) -> bool:
        """Turn an abandoned claim back into a ready file; True if it did."""
        stale = owner_gone(entry.name, self._pid, self._host, base in self._claimed)
        if not stale:
            try:
                stale = wall - entry.stat().st_mtime > OUTBOX_STALE_CLAIM_AGE
            except OSError:
                return False
        if not stale:
            return False
        ready = self._path(f"{base}.{attempts}{READY}")
        try:
            os.utime(entry.path, (wall, wall))
            os.rename(entry.path, ready)
            size = os.stat(ready).st_size
        except OSError:
            return False
        with self._lock:
            self._add(base, attempts, size, wall)
        return True

    def _sweep_tmp(self, entry: os.DirEntry[str], wall: float) -> None:
        try:
            if wall - entry.stat().st_mtime > OUTBOX_STALE_TMP_AGE:
                os.unlink(entry.path)
        except OSError:
            pass
