"""Cutting a text at ``max_value_length`` bytes: the same cut and note as sentry_sdk's
``strip_string``, side by side, without encoding all of a huge text to cut it."""

from __future__ import annotations

import tracemalloc
from typing import Any, Optional, Tuple

import sentry_sdk.utils as sdk_utils
from hypothesis import given, settings
from hypothesis import strategies as st

from sentry_lite.events.reprs import strip_text

# ASCII, two-, three- and four-byte characters, so cuts land inside a character too.
texts = st.text(alphabet=st.sampled_from("ab é日😀"), max_size=60)


def _sdk(text: str, max_length: int) -> Tuple[Any, Optional[Any]]:
    result = sdk_utils.strip_string(text, max_length)
    return getattr(result, "value", result), getattr(result, "metadata", None)


@settings(max_examples=400, deadline=None)
@given(text=texts, max_length=st.integers(3, 70))
def test_cut_and_note_match_sentry_sdk(text: str, max_length: int) -> None:
    # Below 3 sentry_sdk slices with a negative end (``max_length=0`` keeps all but the
    # last 3 bytes); sentry-lite keeps none (docs/migration.md).
    assert strip_text(text, max_length) == _sdk(text, max_length)


def test_a_huge_text_keeps_its_head_and_full_size() -> None:
    for text in ("x" * 5_000_000, "é" * 2_000_000):
        cut, note = strip_text(text, 1000)
        assert cut == _sdk(text, 1000)[0] and cut.endswith("...")
        assert len(cut.encode("utf-8")) <= 1000
        assert note == {"len": len(text.encode("utf-8")), "rem": [["!limit", "x", 997, 1000]]}


def test_cutting_a_huge_text_does_not_copy_it() -> None:
    """The cut copies only the head of an ASCII text: a 50 MB one (a fingerprint, a tag, a
    log line) once made a 50 MB encoded copy per cut on the capturing thread. (A
    non-ASCII one is still encoded once, for its size in bytes in the ``_meta`` note.)"""
    text = "x" * 50_000_000
    tracemalloc.start()
    try:
        strip_text(text, 1000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 100_000
