"""Every shortcut of the serializer and the scrubber gives what the general path gives.

The shortcuts (``events.fastcopy``, the frame-locals copy and memo in
``events.serialize``, the scrubber's plain-dict skips, query-string scan and memory of
clean containers) are turned off by ``sentry_lite.shortcuts``. Here hypothesis builds
hostile events, runs them with the switch on and off, and compares the JSON text of the
results byte for byte, ``_meta`` included. The general walker is the reference.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import sys
import uuid
from collections import deque
from collections.abc import Mapping
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sentry_lite import shortcuts
from sentry_lite.events import serialize as serialize_module
from sentry_lite.events import walker as walker_module
from sentry_lite.events.scrub import EventScrubber
from sentry_lite.events.serialize import serialize_event, serialize_value

SETTINGS = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# -- hostile values ------------------------------------------------------------------------


class RaisingRepr:
    def __repr__(self) -> str:
        raise RuntimeError("repr exploded")


class HugeRepr:
    def __repr__(self) -> str:
        return "h" * 20_000


class NonStrRepr:
    def __repr__(self) -> Any:
        return 42


class RaisingBool:
    def __bool__(self) -> bool:
        raise RuntimeError("bool exploded")

    def __len__(self) -> int:
        raise RuntimeError("len exploded")

    def __repr__(self) -> str:
        return "<RaisingBool>"


class RaisingEq:
    """A dict key or value whose comparison raises (hash by identity, so it can be a key)."""

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("eq exploded")

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return "<RaisingEq>"


class CollidingKey(RaisingEq):
    """Hashes like a cached key name, so a verdict look-up compares it, and that raises."""

    def __init__(self, like: str) -> None:
        self.like = like

    def __hash__(self) -> int:
        return hash(self.like)

    def __str__(self) -> str:
        return self.like


class RaisingHash:
    def __hash__(self) -> int:
        raise RuntimeError("hash exploded")

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("eq exploded")

    def __repr__(self) -> str:
        return "<RaisingHash>"


class StrKey(str):
    """A str subclass whose methods lie: the scrubber and the serializer read its chars."""

    def __str__(self) -> str:
        return "password"

    def lower(self) -> str:  # type: ignore[override]
        raise RuntimeError("lower exploded")


class IntSub(int):
    pass


class Color(enum.Enum):
    RED = 1
    TOKEN = "token"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 10**700


class SentryRepr:
    def __init__(self, result: Any) -> None:
        self.result = result

    def __sentry_repr__(self) -> Any:
        return self.result


class OddMapping(Mapping):  # type: ignore[type-arg]
    def __init__(self, data: Dict[Any, Any], fail: bool) -> None:
        self.data = data
        self.fail = fail

    def __getitem__(self, key: Any) -> Any:
        return self.data[key]

    def __iter__(self) -> Iterator[Any]:
        if self.fail:
            raise RuntimeError("iter exploded")
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


class SurrogateRepr:
    def __repr__(self) -> str:
        return "\ud800 lone"


class AppError(Exception):
    """An app's own exception: BaseException's repr, shown in place among locals."""


class ReprError(Exception):
    def __repr__(self) -> str:
        return "ReprError()"


class SentryReprError(Exception):
    def __sentry_repr__(self) -> str:
        return "shown by its hook"


class MappingError(Exception, Mapping):  # type: ignore[type-arg]
    """An exception the walker treats as a mapping, not by its repr."""

    def __getitem__(self, key: Any) -> Any:
        raise KeyError(key)

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __len__(self) -> int:
        return 0


class BrokenTz(dt.tzinfo):
    def utcoffset(self, when: Optional[dt.datetime]) -> dt.timedelta:
        raise RuntimeError("utcoffset exploded")

    def dst(self, when: Optional[dt.datetime]) -> dt.timedelta:
        raise RuntimeError("dst exploded")

    def __repr__(self) -> str:
        return "BrokenTz()"


def doubling(depth: int, leaf: Any) -> Any:
    """2**depth paths over depth+1 objects: a DAG that would blow up a naive walk."""
    node: Any = leaf
    for level in range(depth):
        node = (
            {"a": node, "b": [node, node], "password": f"s{level}"} if level % 2 else [node, node]
        )
    return node


def nested(depth: int, leaf: Any) -> Any:
    """Containers ``depth`` deep: at the edge of the walker's depth limits."""
    node: Any = leaf
    for level in range(depth):
        node = {"d": node} if level % 3 else [node]
    return node


DATETIMES = [
    dt.datetime(2024, 5, 1, 12, 30, 1, 5),
    dt.datetime(2024, 5, 1, tzinfo=dt.timezone(dt.timedelta(hours=3))),
    dt.datetime.min,
    dt.datetime.max,
    dt.datetime.min.replace(tzinfo=dt.timezone.utc),
    dt.datetime.max.replace(tzinfo=dt.timezone(dt.timedelta(hours=-5))),
    dt.datetime.min.replace(tzinfo=dt.timezone(dt.timedelta(hours=5))),
    dt.datetime(9999, 12, 31, 22, tzinfo=dt.timezone(dt.timedelta(hours=-3))),
]
datetimes = st.one_of(
    st.sampled_from(DATETIMES),
    st.builds(lambda: dt.datetime(2024, 1, 1, tzinfo=BrokenTz())),  # unhashable: no sample
)

KEY_NAMES = [
    "password",
    "Pass-Word",
    "TOKEN",
    "x_api_key",
    "session",
    "ip_address",
    "ok",
    "a",
    "user",
    "data",
    "values",
    "frames",
    "vars",
    "description",
    "_meta",
    "",
    "caf\u00e9",
    "\ud800",
]

huge_ints = st.sampled_from([5000, -5000, 700, 64, -63]).map(
    lambda e: 10**e if e > 100 else -(10**-e) if e < -100 else 2**e if e > 0 else -(2**-e)
)
"""Built, not sampled: hypothesis would repr a sampled 5000-digit int, which raises."""

text = st.one_of(
    st.text(max_size=12),
    st.text(alphabet=st.characters(min_codepoint=0xD7F0, max_codepoint=0xE010), max_size=6),
    st.sampled_from([3, 9, 10, 11, 12, 39, 40, 41, 300, 5000]).map(lambda n: "y" * n),
    st.sampled_from([2, 3, 9, 10, 11, 14]).map(lambda n: "\u00e9" * n),
    st.sampled_from(KEY_NAMES),
)

leaf = st.one_of(
    text,
    st.binary(max_size=12),
    st.builds(bytearray, st.binary(max_size=12)),
    st.just(b"\xff\xfe\x80" * 40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(),
    huge_ints,
    st.builds(IntSub, st.integers()),
    st.booleans(),
    st.none(),
    datetimes,
    st.sampled_from([Color.RED, Color.TOKEN, Level.LOW, Level.HIGH]),
    st.builds(RaisingRepr),
    st.builds(HugeRepr),
    st.builds(NonStrRepr),
    st.builds(RaisingBool),
    st.builds(RaisingEq),
    st.builds(RaisingHash),
    st.builds(SentryRepr, st.one_of(text, st.integers(), st.none())),
    st.builds(
        AppError,
        st.one_of(
            text,
            st.integers(),
            st.builds(RaisingRepr),
            st.builds(HugeRepr),
            st.builds(NonStrRepr),
            st.builds(SurrogateRepr),
        ),
    ),
    st.builds(ValueError, text),
    st.builds(KeyError, huge_ints),
    st.builds(ReprError),
    st.builds(SentryReprError),
    st.builds(MappingError),
    st.sampled_from([Decimal("1.5"), uuid.UUID(int=7), dt.date(2024, 1, 2)]),
    st.builds(lambda n: deque(range(n)), st.integers(0, 12)),
    st.builds(doubling, st.integers(6, 13), st.sampled_from(["x", 1, None])),
    st.builds(nested, st.integers(50, 66), st.sampled_from(["x", 1, b"b"])),
)

key = st.one_of(
    text,
    st.integers(),
    huge_ints,
    st.sampled_from([None, True, 1.5, (1, "a"), Color.TOKEN]),
    st.builds(CollidingKey, st.sampled_from(["password", "ok", "a", "data"])),
    st.builds(RaisingEq),
    st.builds(StrKey, st.sampled_from(["x", "token", "ok"])),
)


def _dict(pairs: List[Tuple[Any, Any]]) -> Dict[Any, Any]:
    """A dict from pairs, leaving out a key whose insertion raises (its __eq__)."""
    out: Dict[Any, Any] = {}
    for name, value in pairs:
        try:
            out[name] = value
        except Exception:
            pass
    return out


def _containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    pairs = st.lists(st.tuples(key, children), max_size=14)
    return st.one_of(
        st.lists(children, max_size=14),
        st.builds(_dict, pairs),
        st.builds(tuple, st.lists(children, max_size=4)),
        st.sets(st.one_of(st.integers(), st.text(max_size=4)), max_size=5),
        st.frozensets(st.integers(), max_size=3),
        st.builds(lambda p, f: OddMapping(_dict(p), f), pairs, st.booleans()),
    )


tree = st.recursive(leaf, _containers, max_leaves=40)


def _nodes(value: Any, found: List[Any], seen: set) -> None:  # type: ignore[type-arg]
    if id(value) in seen or len(found) > 200:
        return
    if type(value) in (dict, list):
        seen.add(id(value))
        found.append(value)
        items = value.values() if type(value) is dict else value
        for item in list(items):
            _nodes(item, found, seen)


@st.composite
def wired(draw: st.DrawFn, base: st.SearchStrategy[Any] = tree) -> Any:
    """A tree whose dicts and lists get extra references to each other: cycles and
    shared sub-objects (a DAG), as application data has."""
    value = draw(base)
    found: List[Any] = []
    _nodes(value, found, set())
    if found:
        for _ in range(draw(st.integers(0, 4))):
            into = found[draw(st.integers(0, len(found) - 1))]
            item = found[draw(st.integers(0, len(found) - 1))]
            name = draw(st.sampled_from(KEY_NAMES))
            try:
                if type(into) is dict:
                    into[name] = item
                else:
                    into.append(item)
            except Exception:
                pass  # a key whose __eq__ raises is in the way
    return value


# -- event shapes --------------------------------------------------------------------------

query = st.lists(
    st.tuples(
        st.sampled_from(["password", "token", "a", "b", "ok", "Pass-Word", "x%20y", "q+r", ""]),
        st.sampled_from(["1", "secret", "%41", "a+b", "", "x;y"]),
        st.sampled_from(["=", ""]),
    ),
    max_size=5,
).map(lambda parts: "&".join(k + eq + v for k, v, eq in parts))

frame = st.fixed_dictionaries(
    {
        "filename": st.one_of(text, st.none()),
        "function": text,
        "lineno": st.one_of(st.integers(), huge_ints),
        "in_app": st.booleans(),
        "context_line": st.one_of(text, st.none()),
        "pre_context": st.lists(text, max_size=3),
    },
    optional={"vars": st.one_of(wired(), st.builds(dict))},
)

stack_holder = st.fixed_dictionaries(
    {
        "values": st.lists(
            st.fixed_dictionaries(
                {"type": text, "value": text},
                optional={
                    "stacktrace": st.fixed_dictionaries(
                        {"frames": st.one_of(st.lists(frame, max_size=4), wired())}
                    ),
                    "mechanism": wired(),
                },
            ),
            max_size=3,
        )
    },
    optional={"extra_key": tree},
)

span = st.fixed_dictionaries(
    {
        "span_id": text,
        "op": text,
        "description": st.one_of(text, st.sampled_from(["SELECT " + "c, " * 400, "\ud800 q"])),
        "start_timestamp": st.one_of(st.floats(), st.integers()),
    },
    optional={
        "data": st.one_of(wired(), st.builds(_dict, st.lists(st.tuples(text, leaf), max_size=6))),
        "tags": st.builds(_dict, st.lists(st.tuples(text, leaf), max_size=4)),
        "odd": leaf,
    },
)

request = st.fixed_dictionaries(
    {},
    optional={
        "url": text,
        "method": st.sampled_from(["GET", "POST"]),
        "query_string": st.one_of(query, leaf),
        "headers": st.one_of(
            st.builds(_dict, st.lists(st.tuples(text, text), max_size=6)), wired()
        ),
        "cookies": st.one_of(text, wired()),
        "data": wired(),
        "env": st.builds(_dict, st.lists(st.tuples(text, text), max_size=4)),
        "other": leaf,
    },
)

contexts = st.builds(
    lambda trace, rest, os: {"trace": trace, **rest, **os},
    st.fixed_dictionaries(
        {"trace_id": text, "span_id": text},
        optional={"data": st.one_of(wired(), st.builds(_dict, st.lists(st.tuples(text, leaf))))},
    ),
    st.builds(_dict, st.lists(st.tuples(st.one_of(text, key), wired()), max_size=4)),
    st.one_of(st.just({}), st.fixed_dictionaries({"os": wired(), "runtime": wired()})),
)

breadcrumbs = st.one_of(
    st.fixed_dictionaries(
        {
            "values": st.lists(
                st.one_of(
                    st.fixed_dictionaries(
                        {"message": text, "category": text, "timestamp": datetimes},
                        optional={"data": wired(), "level": text},
                    ),
                    leaf,
                ),
                max_size=6,
            )
        }
    ),
    wired(),
)

event = st.fixed_dictionaries(
    {"event_id": st.just("e" * 32), "message": text},
    optional={
        "level": text,
        "timestamp": st.one_of(datetimes, st.floats(), text),
        "tags": st.one_of(st.builds(_dict, st.lists(st.tuples(text, leaf), max_size=5)), leaf),
        "extra": st.one_of(wired(), st.builds(RaisingBool)),
        "user": st.one_of(wired(), st.builds(RaisingBool)),
        "contexts": st.one_of(contexts, leaf),
        "request": st.one_of(request, leaf),
        "breadcrumbs": breadcrumbs,
        "exception": st.one_of(stack_holder, leaf),
        "threads": stack_holder,
        "stacktrace": st.fixed_dictionaries({"frames": st.lists(frame, max_size=3)}),
        "spans": st.one_of(st.lists(span, max_size=5), st.just([]), leaf),
        "measurements": st.one_of(st.just({}), wired()),
        "type": st.just("transaction"),
        "_meta": st.one_of(wired(), st.just({"extra": {"a": {"": {"len": 3}}}})),
    },
).flatmap(
    lambda ev: st.builds(
        lambda odd: {**ev, **odd},
        st.builds(_dict, st.lists(st.tuples(key, wired()), max_size=2)),
    )
)

options = st.fixed_dictionaries(
    {
        "max_value_length": st.sampled_from([None, 0, 1, 5, 12, 40, 1000, -1]),
        "max_request_body_size": st.sampled_from(["medium", "always"]),
        "size_budget": st.sampled_from([None, None, 2_000, 50_000]),
    }
)


# -- comparing ----------------------------------------------------------------------------


def text_of(result: Any) -> str:
    return json.dumps(result, sort_keys=True, allow_nan=False)


def clone(value: Any, memo: Optional[Dict[int, Any]] = None) -> Any:
    """Copy the dicts and lists (which the scrubber may change), keeping cycles and shared
    sub-objects as they are; anything else is kept as the same object."""
    memo = {} if memo is None else memo
    kind = type(value)
    if kind is not dict and kind is not list:
        return value
    if id(value) in memo:
        return memo[id(value)]
    if kind is list:
        new_list: List[Any] = []
        memo[id(value)] = new_list
        new_list.extend(clone(item, memo) for item in value)
        return new_list
    new_dict: Dict[Any, Any] = {}
    memo[id(value)] = new_dict
    for name, item in list(value.items()):
        new_dict[name] = clone(item, memo)
    return new_dict


@contextmanager
def text_budget_of(size: Optional[int]) -> Iterator[None]:
    """The text budget of a frame's locals set to ``size`` on both paths (None: as in
    use, 1,000,000 characters), small enough here to run out."""
    if size is None:
        yield
        return
    with (
        mock.patch.object(walker_module, "text_budget", lambda _limit: size),
        mock.patch.object(serialize_module, "text_budget", lambda _limit: size),
    ):
        yield


def both(run: Callable[[], Any]) -> Tuple[str, str]:
    fast = text_of(run())
    with shortcuts.disabled():
        general = text_of(run())
    return fast, general


@pytest.fixture(autouse=True)
def _shortcuts_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """On here even in a run with SENTRY_LITE_SHORTCUTS=0: these tests compare both."""
    monkeypatch.setattr(shortcuts, "enabled", True)


@pytest.fixture(autouse=True)
def _default_int_limit() -> Iterator[None]:
    setter = getattr(sys, "set_int_max_str_digits", None)
    if setter is None:
        yield
        return
    before = sys.get_int_max_str_digits()  # type: ignore[attr-defined]
    setter(4300)
    try:
        yield
    finally:
        setter(before)


# -- the properties -----------------------------------------------------------------------


@SETTINGS
@given(ev=event, opts=options, text_budget=st.sampled_from([None, 0, 40]))
def test_serialize_event_same_with_shortcuts_off(
    ev: Dict[str, Any], opts: Dict[str, Any], text_budget: Optional[int]
) -> None:
    """Also with a text budget small enough for the reprs of a section to run out."""
    if text_budget is None:
        fast, general = both(lambda: serialize_event(ev, **opts))
    else:
        with mock.patch.object(serialize_module, "text_budget", lambda _limit: text_budget):
            fast, general = both(lambda: serialize_event(ev, **opts))
    assert fast == general


@SETTINGS
@given(ev=event, opts=options, pii=st.booleans())
def test_scrub_then_serialize_same_with_shortcuts_off(
    ev: Dict[str, Any], opts: Dict[str, Any], pii: bool
) -> None:
    scrubber = EventScrubber(send_default_pii=pii)
    scrubber.scrub_event(clone(ev))  # learn the key verdicts, so the skips are taken

    def run() -> Any:
        copy = clone(ev)
        scrubber.scrub_event(copy)
        return [serialize_event(copy, **opts), serialize_event({"m": copy.get("_meta")})]

    fast, general = both(run)
    assert fast == general


@settings(SETTINGS, max_examples=60)
@given(
    frames=st.lists(
        st.builds(_dict, st.lists(st.tuples(st.one_of(text, key), wired()), max_size=12)),
        min_size=1,
        max_size=4,
    ),
    shared=wired(),
    max_value_length=st.sampled_from([None, 0, 3, 12, 40, 1000]),
    text_budget=st.sampled_from([None, 0, 25, 120, 600]),
)
def test_frame_locals_same_with_shortcuts_off(
    frames: List[Dict[Any, Any]],
    shared: Any,
    max_value_length: Optional[int],
    text_budget: Optional[int],
) -> None:
    """The locals copy and the memo shared by the frames of one stack; also with a text
    budget small enough to run out (walker.text_budget: 1,000,000 chars in use)."""
    for frame_locals in frames:
        frame_locals["shared"] = shared
        frame_locals["self_ref"] = frame_locals

    def run() -> Any:
        memo: Dict[int, Tuple[Any, ...]] = {}
        return [
            serialize_value(dict(f), is_vars=True, max_value_length=max_value_length, memo=memo)
            for f in frames
        ]

    with text_budget_of(text_budget):
        fast, general = both(run)
    assert fast == general


@settings(SETTINGS, max_examples=25)
@given(frames=st.lists(st.builds(dict, st.dictionaries(text, wired(), max_size=6)), max_size=5))
def test_captured_frames_scrubbed_and_serialized_same(frames: List[Dict[str, Any]]) -> None:
    """Frame vars as capture makes them (memo, shared results), then the scrubber's memory
    of clean containers and the frames shortcut of the serializer."""
    shared = {"password": "p", "ok": [1, {"token": "t"}], "n": "x"}
    for frame_locals in frames:
        frame_locals["request"] = shared
    scrubber = EventScrubber()

    def run() -> Any:
        memo: Dict[int, Tuple[Any, ...]] = {}
        built = [
            {"function": "f", "lineno": 1, "vars": serialize_value(f, is_vars=True, memo=memo)}
            for f in frames
        ]
        ev = {"exception": {"values": [{"type": "E", "stacktrace": {"frames": built}}]}}
        scrubber.scrub_event(ev)
        return serialize_event(ev, size_budget=None)

    run()
    fast, general = both(run)
    assert fast == general


@SETTINGS
@given(spans=st.lists(span, max_size=8), max_value_length=st.sampled_from([None, 0, 12, 40]))
def test_spans_same_with_shortcuts_off(spans: List[Any], max_value_length: Any) -> None:
    scrubber = EventScrubber()

    def run() -> Any:
        ev = {"type": "transaction", "spans": clone(spans)}
        scrubber.scrub_event(ev)
        return serialize_event(ev, max_value_length=max_value_length, size_budget=None)

    run()
    fast, general = both(run)
    assert fast == general


@SETTINGS
@given(req=request, pii=st.booleans())
def test_request_same_with_shortcuts_off(req: Dict[str, Any], pii: bool) -> None:
    scrubber = EventScrubber(send_default_pii=pii)

    def run() -> Any:
        ev = {"request": clone(req)}
        scrubber.scrub_event(ev)
        return serialize_event(ev, max_value_length=40, size_budget=None)

    run()
    fast, general = both(run)
    assert fast == general


# -- the shortcuts are taken (otherwise the properties above prove nothing) ----------------


def test_shortcuts_are_taken_on_typical_events(monkeypatch: pytest.MonkeyPatch) -> None:
    made: List[int] = []

    class CountingWalker(serialize_module.Walker):
        __slots__ = ()

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            made.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(serialize_module, "Walker", CountingWalker)
    typical = {
        "event_id": "e" * 32,
        "message": "m",
        "tags": {"a": "b"},
        "extra": {"n": 1, "d": {"k": [1, 2]}},
        "contexts": {"trace": {"trace_id": "t", "data": {"x": 1}}, "mine": {"a": 1}},
        "request": {"url": "http://h/", "headers": {"H": "v"}, "data": {"q": 1}},
        "breadcrumbs": {"values": [{"message": "c", "data": {"i": 1}}]},
        "spans": [{"span_id": "s", "description": "d", "data": {"db.system": "pg"}}],
        "exception": {
            "values": [{"type": "E", "stacktrace": {"frames": [{"lineno": 1, "vars": {"a": "1"}}]}}]
        },
    }
    serialize_event(typical, size_budget=None)
    serialize_value({"a": 1, "b": "x"}, is_vars=True)
    # The exception an ``except ... as exc`` frame holds is repr'd in place.
    assert serialize_value({"exc": KeyError("k")}, is_vars=True) == {"exc": "KeyError('k')"}
    # Locals holding containers longer than the databag breadth are cut on the fast path.
    long_locals = {"samples": [0.5] * 150, "by_id": {str(n): n for n in range(40)}}
    cut = serialize_value(long_locals, is_vars=True)
    assert cut == {"samples": ["0.5"] * 10, "by_id": {str(n): repr(n) for n in range(10)}}
    assert made == []
    with shortcuts.disabled():
        serialize_event(typical, size_budget=None)
        serialize_value({"a": 1, "b": "x"}, is_vars=True)
    assert len(made) == 2


def test_scrubber_shortcuts_are_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    scrubber = EventScrubber()
    walked: List[int] = []
    clean = scrubber._clean

    def counting(*args: Any) -> Any:
        walked.append(1)
        return clean(*args)

    monkeypatch.setattr(scrubber, "_clean", counting)
    typical = {
        "request": {"headers": {"Host": "h"}, "query_string": "a=1&b=2"},
        "contexts": {"trace": {"data": {"x": 1}}, "mine": {"a": 1}},
        "breadcrumbs": {"values": [{"data": {"i": 1}}]},
        "spans": [{"data": {"db.system": "pg"}}],
    }
    scrubber.scrub_event(clone(typical))  # learns that these keys are harmless
    walked.clear()
    scrubber.scrub_event(clone(typical))
    assert walked == []
    with shortcuts.disabled():
        scrubber.scrub_event(clone(typical))
    assert len(walked) >= 5


@pytest.mark.parametrize("text_budget", [0, 30, 150, 400, 700, 1000, 1200])
def test_text_budget_same_with_shortcuts_off(text_budget: int) -> None:
    """Short texts (the fast copy's) spend the budget too, the memo is reused across
    frames only while no text of it would be cut short, depth cuts get short reprs."""
    word = "w" * 40  # short enough for the fast copy at this max_value_length, > MIN_TEXT
    shared = {"k": [word, word + "b", [[[[word, "er"] * 3]]]], "n": word + "n"}
    frames = [
        {"a": word, "b": "two", "c": [word, "x2", word, "x4"], "s": shared, "t": word},
        {"s": shared, "u": "u" * 30, "v": [word] * 6},
        {"s": shared, "w": [shared, shared]},
    ]

    def run() -> Any:
        memo: Dict[int, Tuple[Any, ...]] = {}
        return [
            serialize_value(dict(f), is_vars=True, max_value_length=400, memo=memo) for f in frames
        ]

    with text_budget_of(text_budget):
        fast, general = both(run)
        last = run()
    assert fast == general
    cut = [text for text in (last[0]["t"], last[1]["u"]) if text.endswith("...")]
    assert len(cut) == {0: 2, 30: 2, 150: 2, 400: 1, 700: 0, 1000: 0, 1200: 0}[text_budget]


@pytest.mark.parametrize("text_budget", [None, 0, 30, 400, 1100])
@pytest.mark.parametrize("max_value_length", [8, 40, 1000])
def test_exceptions_in_locals_same_with_shortcuts_off(
    text_budget: Optional[int], max_value_length: int
) -> None:
    """The exception of an ``except ... as exc`` frame is repr'd in place, unless the
    walker would show it otherwise (its own hook, a mapping) or cut its text."""
    errors = [
        ValueError("v"),
        AppError("a" * 30),
        AppError(RaisingRepr()),
        AppError(SurrogateRepr()),
        AppError(NonStrRepr()),
        KeyError(10**5000),
        ReprError(),
        SentryReprError(),
        MappingError(),
    ]
    frame = {
        "exc": errors[0],
        "app_error": errors[1],
        "hooked": errors[7],
        "mapping": errors[8],
        "plain": [errors[0], errors[1], errors[7], errors[8]],
        "errors": errors,  # a repr that raises: the walker takes the whole list
        "by_name": {f"e{n}": error for n, error in enumerate(errors)},
        "after": ["s" * 240] * 5,  # cut once the exceptions' texts spent the budget
    }

    def run() -> Any:
        return serialize_value(dict(frame), is_vars=True, max_value_length=max_value_length)

    with text_budget_of(text_budget):
        fast, general = both(run)
    assert fast == general
    shown = run()
    if max_value_length == 1000 and text_budget is None:
        assert shown["exc"] == "ValueError('v')"
        assert shown["hooked"] == shown["errors"][7] == "shown by its hook"
        assert shown["mapping"] == shown["by_name"]["e8"] == {}


@pytest.mark.parametrize("text_budget", [1500, 2500, 3500])
def test_texts_in_containers_spend_the_budget(text_budget: int) -> None:
    """Texts inside a local's list or dict spend the budget as the walker spends them:
    past it the later ones are cut, at the same place on both paths."""
    frame = {
        "words": ["w" * 100] * 10,
        "by_key": {f"k{n}": "d" * 100 for n in range(10)},
        "more": ("m" * 100,) * 10,
    }

    def run() -> Any:
        return serialize_value(dict(frame), is_vars=True, max_value_length=1000)

    with text_budget_of(text_budget):
        fast, general = both(run)
        shown = run()
    assert fast == general
    texts = [*shown["words"], *shown["by_key"].values(), *shown["more"]]
    cut = [text for text in texts if len(text) < 102]
    assert len(cut) == {1500: 16, 2500: 6, 3500: 0}[text_budget]


def test_an_exception_local_runs_app_code_once() -> None:
    """An exception whose args are not plain leaves goes straight to the walker: the
    args' own ``__repr__`` (app code, maybe slow, maybe huge) runs once, not first on the
    fast path and then again on the walker's when the text turns out too long."""
    calls: List[int] = []

    class Counted:
        def __repr__(self) -> str:
            calls.append(1)
            return "c" * 30_000

    shown = serialize_value({"exc": AppError(Counted())}, is_vars=True, max_value_length=1000)
    assert shown["exc"].startswith("AppError(ccc") and len(shown["exc"]) == 1000
    assert calls == [1]


def test_plain_data_after_the_scrub_budget_is_spent_is_the_same_without_shortcuts() -> None:
    """Plain data (the scrubber's shortcut) spends the section's budget as the walk does,
    and once it is spent the walk decides: the second span's data was kept on the fast
    path and filtered on the general one (found by hypothesis)."""
    spans = [
        {"span_id": "a", "op": "db", "start_timestamp": 0.0, "data": doubling(12, "x")},
        {"span_id": "b", "op": "db", "start_timestamp": 0.0, "data": {}},
        {"span_id": "c", "op": "db", "start_timestamp": 0.0, "data": {"rows": 3, "ok": True}},
    ]
    crumbs = {"values": [{"data": doubling(12, "x")}, {"data": {"rows": 3, "ok": True}}]}
    scrubber = EventScrubber()

    def run() -> Any:  # the scrubbed event itself: the serializer's own budget would
        ev = {"type": "transaction", "spans": clone(spans), "breadcrumbs": clone(crumbs)}
        scrubber.scrub_event(ev)  # cut these spans before their difference showed
        return ev

    run()  # the scrubber learns that these keys are harmless
    fast, general = both(run)
    assert fast == general
    assert '"password": "s' not in fast
    assert json.loads(fast)["spans"][2]["data"] == "[Filtered]"  # past the budget
