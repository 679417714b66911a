"""The outbox's files: their names, and whether a claim's owner is still there.

``<created-µs>-<random>.<attempts>.env``
    Ready to send. Its *mtime* is the wall-clock time of the next attempt, so every
    process sharing the directory sees the same backoff schedule.
``<created-µs>-<random>.<attempts>.claim.<pid>@<host>``
    Being sent by that process. Claiming is an atomic ``rename``: of several processes
    that try, exactly one succeeds, so an envelope is never sent twice concurrently.
``.tmp-<pid>-<random>``
    A write in progress. Files only get their final name by ``rename`` once complete,
    so a crash never leaves a torn envelope behind.
"""

from __future__ import annotations

import os
from typing import Optional, Tuple

__all__ = ["CLAIM", "READY", "TMP", "Claim", "created", "host_name", "owner_gone", "parse_name"]

READY = ".env"
CLAIM = ".claim."
TMP = ".tmp-"


class Claim:
    """An envelope this process has the exclusive right to send."""

    __slots__ = ("attempts", "base", "data", "path")

    def __init__(self, base: str, attempts: int, path: str, data: bytes) -> None:
        self.base = base
        self.attempts = attempts
        self.path = path
        self.data = data


def host_name() -> str:
    """This host as it appears in claim names (no dots or ``@``)."""
    import socket  # only with cache_dir set

    return socket.gethostname().replace(".", "_").replace("@", "_") or "host"


def parse_name(name: str) -> Tuple[Optional[str], int]:
    """``(base, attempts)`` of a ready or claimed file; ``(None, 0)`` for anything else."""
    parts = name.split(".")
    if len(parts) < 3:
        return None, 0
    try:
        return parts[0], int(parts[1])
    except ValueError:
        return None, 0


def created(base: str) -> float:
    """Wall-clock time of a file's first write, from its name."""
    try:
        return int(base.split("-", 1)[0]) / 1e6
    except ValueError:
        return 0.0


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def owner_gone(name: str, pid: int, host: str, held_here: bool) -> Optional[bool]:
    """Whether the process named in claim file ``name`` is gone; None if it cannot tell.

    ``pid``/``host`` are this process's; ``held_here`` whether this process holds the
    claim. A claim with our own pid that we do not hold is a previous process's that had
    our pid. Another host's processes cannot be checked (the caller goes by age).
    """
    owner = name.split(CLAIM, 1)[1]
    pid_text, _, owner_host = owner.partition("@")
    try:
        owner_pid = int(pid_text)
    except ValueError:
        return None
    if owner_host != host:
        return None
    if owner_pid == pid:
        return not held_here
    return not _pid_alive(owner_pid)
