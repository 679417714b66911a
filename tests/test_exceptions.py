"""Side by side: sentry_lite's exception event data against sentry_sdk 2.x's.

Each scenario raises a real exception once and feeds the same exc_info to
``sentry_sdk.utils.event_from_exception`` and ``sentry_lite``'s. Everything is compared
exactly except frame ``vars``, whose values come from the (separately tested) serializer:
for those the variable names must match, and simple values must be equal.
"""

from __future__ import annotations

import errno
import json
import sys
from typing import Any, Dict, List, Optional, Tuple

import pytest
import sentry_sdk.utils as sdk_utils
from hypothesis import given, settings
from hypothesis import strategies as st

from sentry_lite.events.exceptions import (
    MAX_EXCEPTION_FRAMES,
    event_from_exception,
    exc_info_from_error,
)
from tests.child_python import run_python
from tests.sdk_compare import plain

OPTIONS: Dict[str, Any] = {
    "include_local_variables": True,
    "include_source_context": True,
    "max_value_length": None,
    "custom_repr": None,
    "max_stack_frames": 100,
    "add_full_stack": False,
    "in_app_include": [],
    "in_app_exclude": [],
    "project_root": None,
}


def _split_vars(event: Dict[str, Any]) -> List[Optional[Dict[str, Any]]]:
    """Pop and return the vars of every exception frame, in order."""
    found: List[Optional[Dict[str, Any]]] = []
    for value in event["exception"]["values"]:
        for frame in (value.get("stacktrace") or {}).get("frames", []):
            found.append(frame.pop("vars", None))
    return found


def _assert_vars_match(ours: Optional[Dict[str, Any]], theirs: Optional[Dict[str, Any]]) -> None:
    if theirs is None:
        assert ours is None
        return
    assert ours is not None
    assert set(ours) == set(theirs)
    for key, value in theirs.items():
        if isinstance(ours[key], (bool, int)) and not isinstance(ours[key], float):
            assert repr(ours[key]) == value  # sentry_sdk repr()s numbers in vars


def compare(
    exc_info: Any,
    options: Optional[Dict[str, Any]] = None,
    mechanism: Optional[Dict[str, Any]] = None,
) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    opts = dict(OPTIONS, **(options or {}))
    ours, our_hint = event_from_exception(exc_info, opts, mechanism)
    theirs, their_hint = sdk_utils.event_from_exception(
        exc_info, client_options=opts, mechanism=mechanism
    )
    assert our_hint == their_hint
    theirs = plain(theirs)
    ours_meta = ours.pop("_meta", None)
    our_vars, their_vars = _split_vars(ours), _split_vars(theirs)
    assert ours == theirs
    assert len(our_vars) == len(their_vars)
    for mine, other in zip(our_vars, their_vars):
        _assert_vars_match(mine, other)
    if ours_meta is not None:
        ours["_meta"] = ours_meta
    return ours, theirs


def raised(func: Any, *args: Any) -> BaseException:
    try:
        func(*args)
    except BaseException as e:
        return e
    raise AssertionError("did not raise")


# -- scenarios ------------------------------------------------------------------------


def level3(n: int) -> None:
    local_text = "héllo ✓"
    local_list = [1, 2, 3]
    raise ValueError(f"boom {n} {local_text} {local_list}")


def level2(n: int) -> None:
    level3(n + 1)


def level1() -> None:
    level2(1)


def test_plain_exception() -> None:
    ours, _ = compare(raised(level1))
    (value,) = ours["exception"]["values"]
    assert value["type"] == "ValueError"
    assert value["module"] is None
    assert value["mechanism"] == {"type": "generic", "handled": True}
    frames = value["stacktrace"]["frames"]
    assert [f["function"] for f in frames] == ["raised", "level1", "level2", "level3"]
    assert frames[-1]["context_line"].strip().startswith("raise ValueError")
    assert len(frames[-1]["pre_context"]) == 5 and len(frames[-1]["post_context"]) == 5


def test_exc_info_tuple_and_current_exception() -> None:
    try:
        level1()
    except ValueError:
        compare(sys.exc_info())
        ours, hint = event_from_exception(None, OPTIONS)  # type: ignore[arg-type]
        assert hint["exc_info"][0] is ValueError
        assert ours["exception"]["values"][0]["type"] == "ValueError"


def test_mechanism_passed_through_and_not_mutated() -> None:
    mechanism = {"type": "excepthook", "handled": False, "meta": {"signal": {"number": 2}}}
    err = raised(lambda: (_ for _ in ()).throw(OSError(errno.ENOENT, "missing")))
    ours, _ = compare(err, mechanism=dict(mechanism, meta={"signal": {"number": 2}}))
    event_from_exception(err, OPTIONS, mechanism)  # sentry_sdk would mutate meta here
    mech = ours["exception"]["values"][0]["mechanism"]
    assert mech["meta"]["errno"] == {"number": errno.ENOENT}
    assert mechanism == {"type": "excepthook", "handled": False, "meta": {"signal": {"number": 2}}}


def chained() -> None:
    try:
        level1()
    except ValueError as e:
        raise RuntimeError("wrapped") from e


def implicit() -> None:
    try:
        {}["missing"]
    except KeyError:
        raise TypeError("while handling")  # noqa: B904


def suppressed() -> None:
    try:
        level1()
    except ValueError:
        raise LookupError("clean") from None


def test_chained_from() -> None:
    ours, _ = compare(raised(chained), mechanism={"type": "logging", "handled": True})
    types = [v["type"] for v in ours["exception"]["values"]]
    assert types == ["ValueError", "RuntimeError"]
    assert all(
        v["mechanism"] == {"type": "logging", "handled": True} for v in ours["exception"]["values"]
    )


def test_implicit_context() -> None:
    ours, _ = compare(raised(implicit))
    assert [v["type"] for v in ours["exception"]["values"]] == ["KeyError", "TypeError"]
    assert ours["exception"]["values"][0]["value"] == "'missing'"


def test_suppressed_context() -> None:
    ours, _ = compare(raised(suppressed))
    assert [v["type"] for v in ours["exception"]["values"]] == ["LookupError"]


def test_context_cycle_terminates() -> None:
    a, b = ValueError("a"), KeyError("b")
    a.__context__, b.__context__ = b, a
    ours, _ = compare(a)
    assert [v["type"] for v in ours["exception"]["values"]] == ["KeyError", "ValueError"]


def test_long_chain_is_iterative() -> None:
    err: BaseException = ValueError("0")
    for i in range(1, 3000):
        nxt = ValueError(str(i))
        nxt.__context__ = err
        err = nxt
    ours, _ = event_from_exception(err, OPTIONS)
    assert len(ours["exception"]["values"]) == 3000


def test_notes() -> None:
    if sys.version_info < (3, 11):
        pytest.skip("add_note is 3.11+")
    err = ValueError("with notes")
    err.add_note("first note")
    err.add_note("second ✓")
    err.__notes__.append(42)  # type: ignore[attr-defined]  # non-strings are skipped
    ours, _ = compare(err)
    assert ours["exception"]["values"][0]["value"] == "with notes\nfirst note\nsecond ✓"


def test_message_and_detail_attributes() -> None:
    class WithMessage(Exception):
        message = "from message"

    class WithDetail(Exception):
        detail = {"code": 1}

    compare(raised(lambda: (_ for _ in ()).throw(WithMessage("str"))))
    ours, _ = compare(WithDetail("str"))
    assert ours["exception"]["values"][0]["value"] == "{'code': 1}"
    assert ours["exception"]["values"][0]["type"].endswith("WithDetail")
    assert ours["exception"]["values"][0]["module"] == __name__


class BadStr(Exception):
    def __str__(self) -> str:
        raise RuntimeError("no str for you")


class BadStrAndRepr(BadStr):
    def __repr__(self) -> str:
        raise RuntimeError("no repr either")


class BadMessage(Exception):
    @property
    def message(self) -> str:
        raise RuntimeError("property explodes")


def test_str_raises() -> None:
    ours, _ = compare(raised(lambda: (_ for _ in ()).throw(BadStr("x"))))
    assert ours["exception"]["values"][0]["value"] == "BadStr('x')"
    ours, _ = compare(BadStrAndRepr("x"))
    assert ours["exception"]["values"][0]["value"] == "<broken repr>"


def test_message_property_raises() -> None:
    # sentry_sdk itself raises here; we must not.
    ours, _ = event_from_exception(BadMessage("fine"), OPTIONS)
    assert ours["exception"]["values"][0]["value"] == "fine"


def test_syntax_error() -> None:
    err = raised(compile, "x = (\n", "<snippet>", "exec")
    ours, _ = compare(err)
    assert ours["exception"]["values"][0]["type"] == "SyntaxError"


def test_keyboard_interrupt() -> None:
    def interrupt() -> None:
        raise KeyboardInterrupt

    ours, _ = compare(raised(interrupt), mechanism={"type": "excepthook", "handled": False})
    assert ours["exception"]["values"][0]["value"] == ""


def test_never_raised_exception_has_no_stacktrace() -> None:
    ours, _ = compare(ValueError("never raised"))
    assert "stacktrace" not in ours["exception"]["values"][0]


def test_package_module_frames_and_huge_unicode_value() -> None:
    ours, _ = compare(raised(json.loads, "{"))
    frames = ours["exception"]["values"][0]["stacktrace"]["frames"]
    assert frames[-1]["filename"] == "json/decoder.py"
    assert frames[-1]["module"] == "json.decoder"
    big = "ü\ud800" + "x" * 1_000_000
    compare(raised(lambda: (_ for _ in ()).throw(ValueError(big))))


def test_code_without_source() -> None:
    namespace: Dict[str, Any] = {"__name__": "generated"}
    exec("def gen():\n    raise ValueError('generated')\n", namespace)
    ours, _ = compare(raised(namespace["gen"]))
    frame = ours["exception"]["values"][0]["stacktrace"]["frames"][-1]
    assert frame["context_line"] is None and frame["filename"] == "<string>"


@pytest.mark.parametrize(
    "options",
    [
        {"include_local_variables": False},
        {"include_source_context": False},
        {"include_local_variables": False, "include_source_context": False},
    ],
)
def test_options_switch_fields(options: Dict[str, Any]) -> None:
    compare(raised(chained), options)


def recurse(n: int) -> None:
    if n <= 0:
        raise RecursionError("bottom")
    recurse(n - 1)


def test_deep_recursion_1000_frames() -> None:
    ours, _ = compare(raised(recurse, 950), {"include_local_variables": False})
    assert len(ours["exception"]["values"][0]["stacktrace"]["frames"]) == 952


def forever() -> None:
    forever()


def test_real_recursion_error() -> None:
    ours, _ = compare(raised(forever), {"include_local_variables": False})
    frames = ours["exception"]["values"][0]["stacktrace"]["frames"]
    assert ours["exception"]["values"][0]["type"] == "RecursionError"
    assert len(frames) > 500 and frames[-1]["function"] == "forever"


def test_over_frame_limit_drops_stacktrace() -> None:
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(MAX_EXCEPTION_FRAMES + 500)
    try:
        err = raised(recurse, MAX_EXCEPTION_FRAMES + 10)
    finally:
        sys.setrecursionlimit(old)
    ours, _ = compare(err, {"include_local_variables": False})
    assert ours["exception"]["values"][0]["stacktrace"] is None
    assert ours["_meta"] == {
        "exception": {"values": {"0": {"stacktrace": {"": {"rem": [["!config", "x"]]}}}}}
    }


def _both_full_stack(err: BaseException, options: Dict[str, Any]) -> Tuple[Any, Any]:
    # Both calls on one line so the caller frame (lineno, context_line) is identical.
    o, t = event_from_exception(err, options), sdk_utils.event_from_exception(err, client_options=options)  # noqa: E501  # fmt: skip
    return o[0], plain(t[0])


@pytest.mark.parametrize(("depth", "max_stack_frames"), [(3, 100), (3, 5), (900, 100)])
def test_add_full_stack(depth: int, max_stack_frames: int) -> None:
    options = dict(OPTIONS, add_full_stack=True, max_stack_frames=max_stack_frames)
    err = raised(recurse, depth)
    ours, theirs = _both_full_stack(err, options)
    _split_vars(ours), _split_vars(theirs)
    assert ours == theirs
    frames = ours["exception"]["values"][0]["stacktrace"]["frames"]
    assert len(frames) <= max_stack_frames
    assert frames[-1]["function"] == "recurse"


def test_exc_info_from_error() -> None:
    err = ValueError("x")
    assert exc_info_from_error(err) == (ValueError, err, None)
    with pytest.raises(ValueError):
        exc_info_from_error("nope")  # type: ignore[arg-type]


# -- exception groups (3.11+) ---------------------------------------------------------

needs_groups = pytest.mark.skipif(sys.version_info < (3, 11), reason="ExceptionGroup is 3.11+")


def group_raiser() -> None:
    errors: List[Exception] = []
    for i in range(2):
        try:
            if i == 0:
                chained()
            else:
                raise KeyError(f"k{i}")
        except Exception as e:
            errors.append(e)
    try:
        raise ExceptionGroup("inner", [TypeError("t"), raised(implicit)])  # type: ignore[arg-type]  # noqa: F821
    except Exception as inner:
        errors.append(inner)
    try:
        level1()
    except ValueError:
        raise ExceptionGroup("outer", errors)  # noqa: B904, F821


@needs_groups
def test_nested_exception_group() -> None:
    ours, _ = compare(raised(group_raiser))
    values = ours["exception"]["values"]
    root = values[-1]
    assert root["type"] == "ExceptionGroup"
    assert root["mechanism"]["exception_id"] == 0
    assert root["mechanism"]["is_exception_group"] is True
    sources = {v["mechanism"].get("source") for v in values}
    assert {"__context__", "__cause__", "exceptions[0]", "exceptions[2]"} <= sources
    ids = [v["mechanism"]["exception_id"] for v in values]
    assert sorted(ids) == list(range(len(values)))
    assert all(v["mechanism"]["type"] == "chained" for v in values[:-1])


@needs_groups
def test_exception_group_with_mechanism_and_cycle() -> None:
    a = ValueError("a")
    group = ExceptionGroup("g", [a])  # type: ignore[name-defined]  # noqa: F821
    a.__context__ = group
    compare(group, mechanism={"type": "asyncio", "handled": False})


@needs_groups
def test_group_inside_chain_is_flagged() -> None:
    def wrap() -> None:
        try:
            raise ExceptionGroup("g", [ValueError("v")])  # type: ignore[name-defined]  # noqa: F821
        except Exception as e:
            raise RuntimeError("outer") from e

    ours, _ = compare(raised(wrap))
    assert ours["exception"]["values"][0]["mechanism"]["is_exception_group"] is True


# -- hiding frames ----------------------------------------------------------------------


def hidden_helper() -> None:
    __traceback_hide__ = True
    level1()


def test_traceback_hide_matches_sdk() -> None:
    ours, _ = compare(raised(hidden_helper))
    functions = [f["function"] for f in ours["exception"]["values"][0]["stacktrace"]["frames"]]
    assert "hidden_helper" not in functions and "level3" in functions


def test_sdk_frames_hidden() -> None:
    sdk_like: Dict[str, Any] = {"__name__": "sentry_lite.fake_integration"}
    exec("def wrapper(f):\n    f()\n", sdk_like)
    ours, _ = event_from_exception(raised(sdk_like["wrapper"], level1), OPTIONS)
    functions = [f["function"] for f in ours["exception"]["values"][0]["stacktrace"]["frames"]]
    assert functions == ["raised", "level1", "level2", "level3"]
    visible: Dict[str, Any] = {"__name__": "sentry_lite.tests.helper"}
    exec("def wrapper(f):\n    f()\n", visible)
    ours, _ = event_from_exception(raised(visible["wrapper"], level1), OPTIONS)
    assert ours["exception"]["values"][0]["stacktrace"]["frames"][1]["function"] == "wrapper"


@needs_groups
@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.booleans(),  # is a group (of earlier exceptions)
            st.lists(st.integers(0, 11), max_size=3),  # group members (earlier indices)
            st.one_of(st.none(), st.integers(0, 11)),  # __cause__
            st.one_of(st.none(), st.integers(0, 11)),  # __context__
            st.booleans(),  # __suppress_context__
        ),
        min_size=1,
        max_size=12,
    ),
    st.integers(0, 11),
)
def test_random_exception_graphs_match_sdk(spec: List[Any], root: int) -> None:
    """Any mix of causes, contexts, groups and cycles: same values, same order, same ids."""
    pool: List[BaseException] = []
    for i, (is_group, members, _, _, _) in enumerate(spec):
        children = [pool[m] for m in members if m < i and isinstance(pool[m], Exception)]
        if is_group and children:
            pool.append(ExceptionGroup(f"g{i}", children))  # type: ignore[name-defined]  # noqa: F821
        else:
            pool.append(ValueError(f"e{i}"))
    for exc, (_, _, cause, context, suppress) in zip(pool, spec):
        if cause is not None and cause < len(pool):
            exc.__cause__ = pool[cause]
        if context is not None and context < len(pool):
            exc.__context__ = pool[context]
        exc.__suppress_context__ = suppress
    compare(pool[root % len(pool)], mechanism={"type": "test", "handled": False})


@settings(max_examples=100, deadline=None)
@given(st.text(), st.lists(st.text(), max_size=3), st.sampled_from([ValueError, OSError, KeyError]))
def test_random_messages_match_sdk(message: str, notes: List[str], cls: type) -> None:
    err = cls(message)
    err.__notes__ = notes  # type: ignore[attr-defined]
    compare(err)


def test_full_stack_without_source_context() -> None:
    # sentry_sdk raises KeyError('context_line') here and loses the event; we merge.
    options = dict(OPTIONS, add_full_stack=True, include_source_context=False)
    ours, _ = event_from_exception(raised(level1), options)
    functions = [f["function"] for f in ours["exception"]["values"][0]["stacktrace"]["frames"]]
    assert functions[-5:] == [
        "test_full_stack_without_source_context",
        "raised",
        "level1",
        "level2",
        "level3",
    ]


_SHARED_CONTAINER_CHILD = r"""
import json
import sentry_lite

sizes = []
sentry_lite.init(
    dsn="http://key@127.0.0.1:9/1",
    before_send=lambda event, hint: sizes.append(len(json.dumps(event))),
)
shared = ["leaf"]
for _ in range(30):
    shared = [shared] * 10  # one container met at the depth limit in 10,000 places

def fail(local):
    raise ValueError("boom")

try:
    fail(shared)
except ValueError:
    sentry_lite.capture_exception()
print(sizes[0])
"""


def test_a_shared_container_in_locals_gives_a_bounded_event() -> None:
    """Each depth cut repr'd the same huge container again (up to max_value_length):
    800 MB of text and a minute on the capturing thread. The locals' text budget bounds
    both; a hang guard, not a benchmark (the child takes well under a second)."""
    output = run_python(_SHARED_CONTAINER_CHILD)
    size = int(output.strip().splitlines()[-1])
    assert size < 8_000_000  # two frames hold the container: about 1 MB of text each


# -- one frame in many tracebacks ----------------------------------------------------------


class CountedRepr:
    """A local whose repr counts how often the frame's locals were read."""

    def __init__(self) -> None:
        self.calls = 0

    def __repr__(self) -> str:
        self.calls += 1
        return "counted"


@needs_groups
def test_group_members_raised_in_one_frame_read_its_locals_once() -> None:
    """Members raised in one loop all hold that frame in their tracebacks, and its locals
    hold the group (whose repr grows with it): read once per capture, not once per
    member. Per member it made the capture quadratic (10,000 members: 20 s)."""
    watched = CountedRepr()
    members: List[Exception] = []
    for i in range(50):
        try:
            raise ValueError(f"v{i}")
        except ValueError as exc:
            members.append(exc)
    try:
        raise ExceptionGroup("many", members)  # noqa: F821
    except Exception as group:  # noqa: BLE001
        event, _ = event_from_exception(group, OPTIONS)
    values = event["exception"]["values"]
    assert len(values) == 51
    assert watched.calls == 1
    frame_vars = [value["stacktrace"]["frames"][-1]["vars"] for value in values]
    assert all(found == frame_vars[0] for found in frame_vars)
    assert frame_vars[0]["watched"] == "counted" and frame_vars[0]["i"] == "49"
    assert len({id(found) for found in frame_vars}) == 51  # a copy each, as fresh ones


def test_a_chain_raised_in_one_frame_reads_its_locals_once() -> None:
    watched = CountedRepr()
    try:
        try:
            try:
                raise ValueError("a")
            except ValueError:
                raise KeyError("b")  # noqa: B904
        except KeyError:
            raise TypeError("c")  # noqa: B904
    except TypeError as exc:
        event, _ = event_from_exception(exc, OPTIONS)
    assert [value["type"] for value in event["exception"]["values"]] == [
        "ValueError",
        "KeyError",
        "TypeError",
    ]
    assert watched.calls == 1


def test_each_capture_reads_the_locals_again() -> None:
    """The memory lasts one capture: a later capture shows the locals as they are then."""
    watched = CountedRepr()
    state = "before"
    try:
        raise ValueError("x")
    except ValueError as exc:
        first, _ = event_from_exception(exc, OPTIONS)
        state = "after"  # noqa: F841 - read through the frame's locals
        second, _ = event_from_exception(exc, OPTIONS)
    assert watched.calls == 2
    frames = [
        event["exception"]["values"][0]["stacktrace"]["frames"][-1] for event in (first, second)
    ]
    assert [frame["vars"]["state"] for frame in frames] == ["'before'", "'after'"]
