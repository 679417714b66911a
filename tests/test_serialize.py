"""The event serializer: sentry_sdk-identical output for normal data, bounded and strict
JSON for anything else (property tests with hostile objects)."""

from __future__ import annotations

import copy
import datetime
import decimal
import enum
import json
import math
import sys
import time
import uuid
from array import array
from collections import OrderedDict, deque
from types import MappingProxyType
from typing import Any, Dict, List

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sentry_sdk.serializer import serialize as sdk_serialize

from sentry_lite.consts import DEFAULT_MAX_VALUE_LENGTH, MAX_DATABAG_BREADTH
from sentry_lite.events.serialize import (
    BROKEN_REPR,
    CYCLE_MARKER,
    safe_repr,
    serialize_event,
    serialize_value,
    serialize_value_with_meta,
)
from sentry_lite.events.trim import encoded_size

# -- hostile objects ---------------------------------------------------------------------


class RaisingRepr:
    def __repr__(self) -> str:
        raise ValueError("no repr for you")


class NonStrRepr:
    def __repr__(self) -> Any:
        return 42


class HugeRepr:
    def __repr__(self) -> str:
        return "h" * 3_000_000


class RecursiveRepr:
    def __repr__(self) -> str:
        return repr(self)


class SurrogateRepr:
    def __repr__(self) -> str:
        return "bad \ud800 repr"


class RaisingStr:
    def __str__(self) -> str:
        raise RuntimeError("no str")

    def __repr__(self) -> str:
        raise RuntimeError("no repr")

    def __hash__(self) -> int:
        return 7


class BrokenMapping(dict):  # type: ignore[type-arg]
    def items(self) -> Any:
        raise RuntimeError("items exploded")


class BrokenList(list):  # type: ignore[type-arg]
    def __iter__(self) -> Any:
        raise RuntimeError("iter exploded")


class Color(enum.IntEnum):
    RED = 1


class FloatSub(float):
    pass


def strict_json(value: Any) -> str:
    text = json.dumps(value, allow_nan=False)
    json.dumps(value, allow_nan=False, ensure_ascii=False).encode("utf-8")  # no surrogates
    return text


# -- side by side with sentry_sdk ----------------------------------------------------------


class Plain:
    pass


PLAIN = Plain()
NORMAL_VALUES: Dict[str, Any] = {
    "int": 1,
    "neg": -5,
    "big": 2**80,
    "float": 1.5,
    "bool": True,
    "none": None,
    "str": "hello",
    "unicode": "grüße ☃",
    "bytes": b"raw\xff",
    "bytearray": bytearray(b"ba"),
    "list": [1, "a", None],
    "tuple": (1, 2),
    "set": {3},
    "frozenset": frozenset(),
    "array": array("i", [1, 2]),
    "dict": {"a": {"b": [1, {"c": 2}]}},
    "datetime": datetime.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=datetime.timezone.utc),
    "date": datetime.date(2024, 5, 6),
    "decimal": decimal.Decimal("1.25"),
    "uuid": uuid.UUID(int=5),
    "object": PLAIN,
    "raising": RaisingRepr(),
    "nan": float("nan"),
    "inf": float("inf"),
    "ninf": float("-inf"),
    "intenum": Color.RED,
    "floatsub": FloatSub(2.5),
    "long_list": list(range(25)),
    "wide": {f"k{i}": i for i in range(15)},
    "deep": {"1": {"2": {"3": {"4": {"5": {"6": "x"}}}}}},
    "deep_list": [[[[[["x"]]]]]],
    "intkeys": {1: "a", None: "b", (1, 2): "c"},
    "ordered": OrderedDict([("z", 1), ("a", 2)]),
    "proxy": MappingProxyType({"p": 1}),
    "deque": deque([1, 2]),
    "memoryview": memoryview(b"mv"),
    "type": int,
}


def _chunks(values: Dict[str, Any]) -> List[Dict[str, Any]]:
    keys = sorted(values)
    return [{k: values[k] for k in keys[i : i + 10]} for i in range(0, len(keys), 10)]


@pytest.mark.parametrize("chunk", _chunks(NORMAL_VALUES))
def test_vars_match_sentry_sdk(chunk: Dict[str, Any]) -> None:
    assert serialize_value(chunk, is_vars=True) == sdk_serialize(chunk, is_vars=True)


@pytest.mark.parametrize("name", sorted(NORMAL_VALUES))
def test_each_vars_value_matches_sentry_sdk(name: str) -> None:
    local = {name: NORMAL_VALUES[name]}
    assert serialize_value(local, is_vars=True) == sdk_serialize(local, is_vars=True)


def _normal_event(data: Dict[str, Any]) -> Dict[str, Any]:
    return {
        "event_id": "a" * 32,
        "timestamp": datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc),
        "level": "error",
        "platform": "python",
        "message": "something happened",
        "tags": {"t": "v", "n": 3},
        "user": {"id": 7, "email": "a@b.c"},
        "extra": dict(data),
        "contexts": {
            "trace": {"trace_id": "1" * 32, "span_id": "2" * 16},
            "os": {"name": "Linux"},
            "runtime": {"name": "CPython", "version": "3.11.4"},
        },
        "request": {
            "url": "http://localhost/x",
            "method": "POST",
            "headers": {f"H{i}": str(i) for i in range(12)},
            "data": dict(data),
            "cookies": {"a": "b"},
        },
        "breadcrumbs": {
            "values": [
                {"message": f"crumb {i}", "category": "c", "data": dict(data)} for i in range(3)
            ]
        },
        "exception": {
            "values": [
                {
                    "type": "ValueError",
                    "value": "bad",
                    "mechanism": {"type": "generic", "handled": False},
                    "stacktrace": {
                        "frames": [
                            {
                                "function": "f",
                                "lineno": 3,
                                "pre_context": ["a", "b"],
                                "vars": sdk_serialize(data, is_vars=True),
                            }
                        ]
                    },
                }
            ]
        },
        "spans": [{"span_id": "3" * 16, "description": "x" * 50, "data": {"db": "pg"}}],
    }


@pytest.mark.parametrize("chunk", _chunks(NORMAL_VALUES))
@pytest.mark.parametrize("max_value_length", [None, 8])
def test_event_matches_sentry_sdk(chunk: Dict[str, Any], max_value_length: Any) -> None:
    event = _normal_event(chunk)
    # sentry_sdk 2.75 does not cut strings by default; we cut at DEFAULT_MAX_VALUE_LENGTH.
    limit = DEFAULT_MAX_VALUE_LENGTH if max_value_length is None else max_value_length
    ours = serialize_event(copy.copy(event), max_value_length=max_value_length)
    theirs = sdk_serialize(event, max_value_length=limit)
    assert ours == theirs
    strict_json(ours)


def test_request_body_always_kept_like_sentry_sdk() -> None:
    event = {"request": {"data": {f"k{i}": list(range(30)) for i in range(30)}}}
    ours = serialize_event(event, max_request_body_size="always")
    theirs = sdk_serialize(event, max_request_body_size="always")
    assert ours == theirs
    assert len(ours["request"]["data"]) == 30


def test_user_contexts_are_databags_but_sdk_contexts_are_not() -> None:
    wide = {f"k{i}": i for i in range(20)}
    out = serialize_event({"contexts": {"mine": dict(wide), "trace": dict(wide)}})
    assert len(out["contexts"]["mine"]) == MAX_DATABAG_BREADTH
    assert out["_meta"]["contexts"]["mine"] == {"": {"len": 20}}
    assert len(out["contexts"]["trace"]) == 20


# -- limits and _meta -------------------------------------------------------------------


def test_breadth_and_depth_meta() -> None:
    extra = {"wide": list(range(100)), "deep": {"a": {"b": {"c": {"d": {"e": {"f": 1}}}}}}}
    out = serialize_event({"extra": extra})
    assert out["extra"]["wide"] == list(range(10))
    assert out["_meta"]["extra"]["wide"] == {"": {"len": 100}}
    assert out["extra"]["deep"]["a"]["b"]["c"]["d"] == "{'e': {'f': 1}}"
    assert out["_meta"]["extra"]["deep"]["a"]["b"]["c"]["d"] == {"": {"rem": [["!limit", "x"]]}}


def test_string_cut_meta_counts_utf8_bytes() -> None:
    out = serialize_event({"extra": {"s": "é" * 10}}, max_value_length=8)
    assert out["extra"]["s"] == "éé..."
    assert out["_meta"]["extra"]["s"] == {"": {"len": 20, "rem": [["!limit", "x", 5, 8]]}}


def test_default_max_value_length_applies() -> None:
    out = serialize_event({"message": "m" * (DEFAULT_MAX_VALUE_LENGTH + 50)})
    assert len(out["message"]) == DEFAULT_MAX_VALUE_LENGTH
    assert out["_meta"]["message"][""]["len"] == DEFAULT_MAX_VALUE_LENGTH + 50


def test_existing_meta_is_merged() -> None:
    event = {
        "breadcrumbs": {"values": []},
        "extra": {"w": list(range(20))},
        "_meta": {
            "breadcrumbs": {"": {"len": 150}},
            "extra": {"password": {"": {"rem": [["!config", "s"]]}}},
        },
    }
    out = serialize_event(event)
    assert out["_meta"]["breadcrumbs"] == {"": {"len": 150}}
    assert out["_meta"]["extra"]["password"] == {"": {"rem": [["!config", "s"]]}}
    assert out["_meta"]["extra"]["w"] == {"": {"len": 20}}


def test_serialize_value_with_meta() -> None:
    value, meta = serialize_value_with_meta({"l": list(range(12))})
    assert value == {"l": list(range(10))}
    assert meta == {"l": {"": {"len": 12}}}


# -- hostile data -----------------------------------------------------------------------


def test_hostile_objects_in_vars() -> None:
    cyclic: List[Any] = [1]
    cyclic.append(cyclic)
    cyclic_dict: Dict[str, Any] = {}
    cyclic_dict["self"] = cyclic_dict
    local = {
        "raising": RaisingRepr(),
        "nonstr": NonStrRepr(),
        "huge": HugeRepr(),
        "recursive": RecursiveRepr(),
        "surrogate": SurrogateRepr(),
        "cycle": cyclic,
        "cycle_dict": cyclic_dict,
        "broken_map": BrokenMapping(a=1),
        "broken_list": BrokenList([1]),
        RaisingStr(): "key with broken str",
    }
    out = serialize_value(local, is_vars=True)
    strict_json(out)
    assert out["raising"] == BROKEN_REPR
    assert out["nonstr"] == BROKEN_REPR
    assert len(out["huge"]) == DEFAULT_MAX_VALUE_LENGTH
    assert out["recursive"] == BROKEN_REPR
    assert out["surrogate"] == "bad \ufffd repr"
    assert out["cycle"] == ["1", CYCLE_MARKER]
    assert out["cycle_dict"] == {"self": CYCLE_MARKER}
    assert out["broken_map"].startswith("<failed to serialize")
    assert out["broken_list"].startswith("<failed to serialize")
    assert out[BROKEN_REPR] == "'key with broken str'"


def test_huge_containers_are_not_walked_or_repred() -> None:
    huge = list(range(10_000_000))
    start = time.perf_counter()
    out = serialize_value({"h": huge, "d": deque(huge), "deep": [[[[[huge]]]]]}, is_vars=True)
    elapsed = time.perf_counter() - start
    assert out["h"] == [repr(i) for i in range(10)]
    assert out["d"] == "<deque with 10000000 items>"
    assert len(out["deep"][0][0][0][0]) <= DEFAULT_MAX_VALUE_LENGTH
    assert elapsed < 2.0  # generous: a full repr of this list takes ~10x longer


def test_deep_nesting_outside_databags_does_not_recurse_forever() -> None:
    deep: Any = "leaf"
    for _ in range(sys.getrecursionlimit() * 2):
        deep = [deep]
    out = serialize_event({"tags": deep, "extra": {"d": deep}})
    strict_json(out)
    assert "tags" in out["_meta"]


def test_nan_inf_become_strings_like_sentry_sdk() -> None:
    out = serialize_event({"extra": {"n": math.nan, "i": math.inf, "m": -math.inf}})
    assert out["extra"] == {"n": "nan", "i": "inf", "m": "-inf"}
    strict_json(out)


def test_non_utf8_bytes_and_surrogates() -> None:
    out = serialize_event({"extra": {"b": b"\xff\xfe", "s": "a\udc80b", "\ud800k": 1}})
    assert out["extra"]["b"] == "\ufffd\ufffd"
    assert out["extra"]["s"] == "a\ufffdb"
    assert out["extra"]["\ufffdk"] == 1
    strict_json(out)


def test_custom_repr_hook() -> None:
    def hook(value: object) -> Any:
        if isinstance(value, Plain):
            return "<plain!>"
        if isinstance(value, RaisingRepr):
            raise RuntimeError("hook fails")
        return None

    out = serialize_value(
        {"p": Plain(), "r": RaisingRepr(), "i": 1}, is_vars=True, custom_repr=hook
    )
    assert out == {"p": "<plain!>", "r": BROKEN_REPR, "i": "1"}


def test_sentry_repr_dunder() -> None:
    class Custom:
        def __sentry_repr__(self) -> str:
            return "custom!"

    assert serialize_event({"extra": {"c": Custom()}})["extra"]["c"] == "custom!"


def test_non_dict_event_and_safe_repr() -> None:
    assert serialize_event("nope") == {}  # type: ignore[arg-type]
    assert safe_repr(RaisingRepr()) == BROKEN_REPR
    assert len(safe_repr(HugeRepr())) == DEFAULT_MAX_VALUE_LENGTH
    assert safe_repr(list(range(3))) == "[0, 1, 2]"
    assert (
        safe_repr({"a": (1,), "b": {2}, "c": frozenset()})
        == "{'a': (1,), 'b': {2}, 'c': frozenset()}"
    )


def test_vars_serialization_is_fast() -> None:
    """Not a benchmark: a generous bound that catches pathological slowness only."""
    local = {
        "self": Plain(),
        "i": 1,
        "s": "hello world",
        "l": [1, 2, 3],
        "d": {"a": 1},
        "n": None,
        "f": 1.5,
        "t": (1, "a"),
        "b": True,
        "req": "GET /x",
    }
    rounds = 2000
    start = time.perf_counter()
    for _ in range(rounds):
        serialize_value(local, is_vars=True)
    per_call = (time.perf_counter() - start) / rounds
    assert per_call < 500e-6


# -- property tests ---------------------------------------------------------------------


def _hostile_leaf() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(st.characters(blacklist_categories=()), max_size=40),
        st.binary(max_size=40),
        st.sampled_from(
            [
                RaisingRepr,
                NonStrRepr,
                RecursiveRepr,
                SurrogateRepr,
                RaisingStr,
                Plain,
                lambda: Color.RED,
                lambda: decimal.Decimal("nan"),
                lambda: datetime.datetime(1, 1, 1),
                lambda: "\ud800",
                lambda: "x" * 5000,
            ]
        ).map(lambda make: make()),
    )


def _keys() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.text(max_size=8),
        st.integers(),
        st.sampled_from([None, RaisingStr, b"k", (1, "t")]).map(
            lambda k: k() if k is RaisingStr else k
        ),
    )


def _hostile_tree() -> st.SearchStrategy[Any]:
    return st.recursive(
        _hostile_leaf(),
        lambda children: st.one_of(
            st.lists(children, max_size=14),
            st.dictionaries(_keys(), children, max_size=14),
            st.tuples(children, children),
            st.builds(BrokenList, st.lists(children, max_size=2)),
        ),
        max_leaves=60,
    )


def _with_cycle(tree: Any) -> Any:
    holder: List[Any] = [tree]
    holder.append(holder)
    return holder


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    tree=_hostile_tree(),
    other=_hostile_tree(),
    budget=st.integers(min_value=200, max_value=20_000),
    max_value_length=st.one_of(st.none(), st.integers(min_value=0, max_value=300)),
)
def test_property_event_never_raises_strict_json_within_budget(
    tree: Any, other: Any, budget: int, max_value_length: Any
) -> None:
    event = {
        "event_id": "f" * 32,
        "extra": {"tree": tree, "cycle": _with_cycle(other)},
        "contexts": {"mine": {"tree": tree}, "trace": {"trace_id": "1" * 32}},
        "request": {"data": other, "headers": {"h": tree}},
        "breadcrumbs": {"values": [{"data": {"t": tree}}, tree]},
        "exception": {"values": [{"type": "E", "stacktrace": {"frames": [{"vars": tree}]}}]},
        "tags": tree,
        tree if isinstance(tree, str) else "odd": other,
    }
    out = serialize_event(event, max_value_length=max_value_length, size_budget=budget)
    strict_json(out)
    assert encoded_size(out) <= budget


@settings(max_examples=150, deadline=None)
@given(tree=_hostile_tree())
def test_property_vars_never_raise_and_are_strict_json(tree: Any) -> None:
    strict_json(serialize_value({"v": tree, "c": _with_cycle(tree)}, is_vars=True))
    strict_json(serialize_value(tree))


@settings(max_examples=100, deadline=None)
@given(size=st.integers(min_value=11, max_value=200), depth=st.integers(min_value=6, max_value=30))
def test_property_meta_present_where_cut(size: int, depth: int) -> None:
    deep: Any = "leaf"
    for _ in range(depth):
        deep = {"d": deep}
    out = serialize_event({"extra": {"wide": list(range(size)), "deep": deep}})
    assert len(out["extra"]["wide"]) == MAX_DATABAG_BREADTH
    assert out["_meta"]["extra"]["wide"][""]["len"] == size
    node = out["_meta"]["extra"]["deep"]
    while "" not in node:
        node = node["d"]
    assert node[""]["rem"] == [["!limit", "x"]]
