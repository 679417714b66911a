"""One ``cache_dir`` belongs to one ingest project: a second DSN is refused, loudly.

Why: the outbox's files are sent to the DSN of whichever process drains them; two apps
(or two clients) with different DSNs sharing a directory would send project A's events
to project B. The first user writes its envelope endpoint to :data:`OWNER_FILE`; a client
with another DSN finds a different one there and gets no outbox (a warning says why and
what to do), so its envelopes go out directly and are counted when they cannot.
"""

from __future__ import annotations

import os

__all__ = ["OWNER_FILE", "claim_directory"]

OWNER_FILE = ".sentry-lite-owner"
"""In the cache directory: the envelope endpoint (host, project) its files belong to."""


def claim_directory(directory: str, owner: str) -> None:
    """Record ``owner`` in ``directory``, or raise ValueError if another DSN owns it."""
    os.makedirs(directory, mode=0o700, exist_ok=True)
    path = os.path.join(directory, OWNER_FILE)
    data = owner.encode("utf-8")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        with open(path, "rb") as fh:
            found = fh.read()
        if found and found != data:
            raise ValueError(
                f"it holds envelopes for {found.decode('utf-8', 'replace')}, not for "
                f"{owner}; give each DSN its own cache_dir"
            ) from None
        return  # ours (or another process is writing the same claim right now)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
