"""Trace and span ids: random hex of the protocol's widths; and the trace's ``sample_rand``.

Every random number the SDK draws comes from here, from the ``random`` module's shared
generator (so ``random.seed()`` makes ids and sampling repeatable, as in sentry_sdk).
``random`` costs about 0.8 ms to import (``bisect``, ``hashlib``'s sha512, ``math``), so
it is not loaded at ``import sentry_lite``: ``init`` calls :func:`load_random`, and
before ``init`` the first id or sample drawn does. Until then ``_getrandbits``,
``_random`` and ``_Random`` are stand-ins that load ``random``, rebind all three to its
functions and call through; from then on the functions below call ``random``'s directly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from random import Random

__all__ = [
    "load_random",
    "new_sample_rand",
    "new_span_id",
    "new_trace_id",
    "sample_rand_from_trace_id",
]


def load_random() -> None:
    """Bind ``random``'s functions now (``init`` calls this; idempotent)."""
    global _getrandbits, _random, _Random
    import random  # buys import time: loads at init or at the first id, not at import

    _getrandbits = random.getrandbits
    _random = random.random
    _Random = random.Random


def _first_getrandbits(k: int) -> int:
    load_random()
    return _getrandbits(k)


def _first_random() -> float:
    load_random()
    return _random()


def _first_Random(seed: str) -> Random:  # noqa: N802 - stands for the class random.Random
    load_random()
    return _Random(seed)


_getrandbits: Callable[[int], int] = _first_getrandbits
_random: Callable[[], float] = _first_random
_Random: Callable[[str], Random] = _first_Random


def new_trace_id() -> str:
    """32 lowercase hex digits (random.getrandbits: 5x cheaper than uuid4)."""
    return "%032x" % _getrandbits(128)  # noqa: UP031 - fastest zero-padded hex


def new_span_id() -> str:
    """16 lowercase hex digits."""
    return "%016x" % _getrandbits(64)  # noqa: UP031 - fastest zero-padded hex


def new_sample_rand() -> float:
    """A fresh ``sample_rand``: uniform in [0, 1) with six decimal digits."""
    return int(_random() * 1_000_000) / 1_000_000


def sample_rand_from_trace_id(trace_id: str, lower: float = 0.0, upper: float = 1.0) -> float:
    """Deterministic in [lower, upper) with 6 digits, seeded by the trace id (as sentry_sdk)."""
    low, high = int(lower * 1_000_000), int(upper * 1_000_000)
    try:
        scaled = _Random(trace_id).randrange(low, high)
    except ValueError:
        scaled = low
    return scaled / 1_000_000
