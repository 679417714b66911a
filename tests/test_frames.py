"""Stack frames and in_app, side by side with sentry_sdk 2.x."""

from __future__ import annotations

import importlib.util
import itertools
import json
import linecache
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Dict, Iterator, List, Optional

import pytest
import sentry_sdk.utils as sdk_utils
from sentry_sdk.serializer import serialize as sdk_serialize

from sentry_lite.events.exceptions import event_from_exception
from sentry_lite.events.frames import current_stacktrace, set_in_app
from sentry_lite.events.serialize import serialize_event
from tests.sdk_compare import plain

OPTIONS: Dict[str, Any] = {
    "include_local_variables": True,
    "include_source_context": True,
    "max_value_length": None,
    "custom_repr": None,
    "max_stack_frames": 100,
    "add_full_stack": False,
}


def _without_vars(frames: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [{k: v for k, v in f.items() if k != "vars"} for f in frames]


def _frames(event: Dict[str, Any], index: int = -1) -> List[Dict[str, Any]]:
    frames: List[Dict[str, Any]] = event["exception"]["values"][index]["stacktrace"]["frames"]
    return frames


def _raised(func: Any, *args: Any) -> BaseException:
    try:
        func(*args)
    except BaseException as e:
        return e
    raise AssertionError("did not raise")


def _both(err: BaseException, options: Optional[Dict[str, Any]] = None) -> Any:
    opts = dict(OPTIONS, **(options or {}))
    ours = event_from_exception(err, opts)[0]
    theirs = plain(sdk_utils.event_from_exception(err, client_options=opts)[0])
    return ours, theirs


@pytest.fixture
def temp_module(tmp_path: Path) -> Iterator[Any]:
    """Import a module written to a temp dir under a unique name; forget it afterwards."""
    names: List[str] = []

    def load(name: str, source: str) -> ModuleType:
        path = tmp_path / f"{name}.py"
        path.write_text(source, encoding="utf-8")
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        names.append(name)
        spec.loader.exec_module(module)
        return module

    yield load
    for name in names:
        sys.modules.pop(name, None)


# -- current_stacktrace -----------------------------------------------------------------


def _stacks(options: Dict[str, Any]) -> Any:
    # One line, so the innermost frame has the same lineno and context in both.
    return current_stacktrace(options), sdk_utils.current_stacktrace(include_local_variables=options["include_local_variables"], include_source_context=options["include_source_context"])  # noqa: E501  # fmt: skip


def _nested(depth: int, options: Dict[str, Any]) -> Any:
    marker = depth  # noqa: F841 - a local to capture
    if depth:
        return _nested(depth - 1, options)
    return _stacks(options)


@pytest.mark.parametrize("locals_", [True, False])
@pytest.mark.parametrize("source", [True, False])
def test_current_stacktrace_matches_sdk(locals_: bool, source: bool) -> None:
    options = dict(OPTIONS, include_local_variables=locals_, include_source_context=source)
    ours, theirs = _nested(3, options)
    theirs = plain(theirs)
    assert _without_vars(ours["frames"]) == _without_vars(theirs["frames"])
    assert [("vars" in f) for f in ours["frames"]] == [("vars" in f) for f in theirs["frames"]]
    functions = [f["function"] for f in ours["frames"]]
    assert functions[-5:] == ["_nested"] * 4 + ["_stacks"]
    if locals_:
        assert set(ours["frames"][-2]["vars"]) == {"depth", "options", "marker"}


def test_current_stacktrace_hides_sdk_frames() -> None:
    sdk_like: Dict[str, Any] = {"__name__": "sentry_lite.some_integration"}
    exec("def call(f, o):\n    return f(o)\n", sdk_like)
    stack = sdk_like["call"](current_stacktrace, OPTIONS)
    functions = [f["function"] for f in stack["frames"]]
    assert "call" not in functions
    assert functions[-1] == "test_current_stacktrace_hides_sdk_frames"


# -- frame fields -----------------------------------------------------------------------


class Thing:
    def method(self) -> None:
        raise ValueError("in method")

    @staticmethod
    def nested() -> None:
        def inner() -> None:
            raise ValueError("inner")

        inner()


def test_function_is_co_name_like_sdk() -> None:
    ours, theirs = _both(_raised(Thing().method))
    assert _without_vars(_frames(ours)) == _without_vars(_frames(theirs))
    assert _frames(ours)[-1]["function"] == "method"
    ours, theirs = _both(_raised(Thing.nested))
    assert _without_vars(_frames(ours)) == _without_vars(_frames(theirs))
    assert _frames(ours)[-1]["function"] == "inner"


def test_package_frame_filename_is_relative() -> None:
    ours, theirs = _both(_raised(json.loads, "[1,"))
    assert _without_vars(_frames(ours)) == _without_vars(_frames(theirs))
    last = _frames(ours)[-1]
    assert last["filename"] == "json/decoder.py"
    assert os.path.isabs(last["abs_path"])


def test_same_code_under_two_module_names() -> None:
    source = compile("def boom():\n    raise ValueError('x')\n", "/nonexistent/mod.py", "exec")
    for name in ("first_mod", "second_mod", "pkg.sub"):
        namespace: Dict[str, Any] = {"__name__": name}
        exec(source, namespace)
        ours, theirs = _both(_raised(namespace["boom"]))
        assert _without_vars(_frames(ours)) == _without_vars(_frames(theirs))
        assert _frames(ours)[-1]["module"] == name


def test_relative_code_filename_follows_cwd(tmp_path: Path) -> None:
    code = compile("def boom():\n    raise ValueError('x')\n", "relative/gen.py", "exec")
    namespace: Dict[str, Any] = {"__name__": "gen"}
    exec(code, namespace)
    err = _raised(namespace["boom"])
    first, _ = _both(err)
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        ours, theirs = _both(err)
    finally:
        os.chdir(old)
    assert _without_vars(_frames(ours)) == _without_vars(_frames(theirs))
    assert _frames(ours)[-1]["abs_path"] == str(tmp_path / "relative" / "gen.py")
    assert _frames(first)[-1]["abs_path"] == os.path.join(old, "relative", "gen.py")


def test_source_follows_linecache_reload(temp_module: Any) -> None:
    module = temp_module("reloaded_mod", "def boom():\n    raise ValueError('v1')\n")
    err = _raised(module.boom)
    ours, theirs = _both(err)
    assert _frames(ours)[-1]["context_line"] == "    raise ValueError('v1')"
    Path(module.__file__).write_text("def boom():\n    raise KeyError('v2 edited')\n# end\n")
    linecache.checkcache()
    ours, theirs = _both(err)
    assert _without_vars(_frames(ours)) == _without_vars(_frames(theirs))
    assert _frames(ours)[-1]["context_line"] == "    raise KeyError('v2 edited')"
    assert _frames(ours)[-1]["post_context"] == ["# end"]


def test_frame_near_file_start_and_end(temp_module: Any) -> None:
    module = temp_module("short_mod", "def boom():\n    raise ValueError('short')")
    ours, theirs = _both(_raised(module.boom))
    assert _without_vars(_frames(ours)) == _without_vars(_frames(theirs))
    assert _frames(ours)[-1]["pre_context"] == ["def boom():"]
    assert _frames(ours)[-1]["post_context"] == []


def test_traceback_hide_variants(temp_module: Any) -> None:
    module = temp_module(
        "hide_mod",
        "def closure():\n"
        "    __tracebackhide__ = True\n"
        "    def inner():\n"
        "        return __tracebackhide__ and boom()\n"
        "    return inner()\n"
        "def boom():\n"
        "    raise ValueError('hidden callers')\n"
        "def off():\n"
        "    __traceback_hide__ = False\n"
        "    boom()\n",
    )
    for func in (module.closure, module.off):
        ours, theirs = _both(_raised(func))
        assert _without_vars(_frames(ours)) == _without_vars(_frames(theirs))
    functions = [f["function"] for f in _frames(_both(_raised(module.closure))[0])]
    assert "closure" not in functions and "inner" not in functions and "boom" in functions
    module_hidden: Dict[str, Any] = {"__name__": "hidden_module", "__tracebackhide__": True}
    err = _raised(exec, "raise ValueError('module level')", module_hidden)
    ours, theirs = _both(err)
    assert _without_vars(_frames(ours)) == _without_vars(_frames(theirs))


def test_long_context_line_after_serializer_matches_sdk(temp_module: Any) -> None:
    """Context lines are trimmed by the event serializer; the wire result is sentry_sdk's."""
    long_line = "    value = '" + "ü" * 300 + "'; raise ValueError(value)"
    module = temp_module("long_line_mod", "def boom():\n" + long_line + "\n")
    options = dict(OPTIONS, max_value_length=120, include_local_variables=False)
    ours, _ = _both(_raised(module.boom), options)
    theirs = sdk_utils.event_from_exception(_raised(module.boom), client_options=options)[0]
    wire_ours = serialize_event(ours, max_value_length=120)
    wire_theirs = sdk_serialize(theirs, max_value_length=120)
    assert _frames(wire_ours)[-1] == _frames(wire_theirs)[-1]
    assert (
        wire_ours["exception"]["values"][-1]["value"]
        == (wire_theirs["exception"]["values"][-1]["value"])
    )
    assert len(_frames(wire_ours)[-1]["context_line"].encode()) <= 120


# -- in_app -----------------------------------------------------------------------------

MODULES = [None, "myapp", "myapp.views", "myappx", "django.core", "sentry_lite.x"]
PATHS = [
    None,
    "/srv/app/x.py",
    "/srv/application/x.py",
    "/usr/lib/python3/site-packages/x.py",
    "/usr/lib/python3/dist-packages/x.py",
    "C:\\Python\\Lib\\site-packages\\x.py",
    "/srv/app/.venv/lib/site-packages/y.py",
    "/x/site-packagesfoo/y.py",
    "/x/my-packages/y.py",
]
PREMARKED = [None, True, False]
INCLUDES: List[List[str]] = [[], ["myapp"], ["django", "myappx"]]
EXCLUDES: List[List[str]] = [[], ["myapp"], ["django"]]
ROOTS = [None, "/srv/app"]


def _matrix_frames() -> List[Dict[str, Any]]:
    frames = []
    for module, path, marked in itertools.product(MODULES, PATHS, PREMARKED):
        frame: Dict[str, Any] = {"function": "f"}
        if module is not None:
            frame["module"] = module
        if path is not None:
            frame["abs_path"] = path
        if marked is not None:
            frame["in_app"] = marked
        frames.append(frame)
    return frames


@pytest.mark.parametrize(
    ("include", "exclude", "root"), list(itertools.product(INCLUDES, EXCLUDES, ROOTS))
)
def test_set_in_app_matches_sdk(
    include: List[str], exclude: List[str], root: Optional[str]
) -> None:
    options = {"in_app_include": include, "in_app_exclude": exclude, "project_root": root}
    ours = {
        "exception": {"values": [{"stacktrace": {"frames": _matrix_frames()}}, {"type": "x"}]},
        "threads": {"values": [{"stacktrace": {"frames": _matrix_frames()}}, {}]},
        "stacktrace": {"frames": _matrix_frames()},
    }
    theirs = json.loads(json.dumps(ours))
    set_in_app(ours, options)
    sdk_utils.handle_in_app(theirs, exclude, include, root)
    assert ours == theirs


def test_set_in_app_on_real_event_and_odd_shapes() -> None:
    options = {"in_app_include": [], "in_app_exclude": [], "project_root": os.getcwd()}
    ours, theirs = _both(_raised(json.loads, "{"))
    set_in_app(ours, options)
    sdk_utils.handle_in_app(theirs, [], [], os.getcwd())
    assert [f.get("in_app") for f in _frames(ours)] == [f.get("in_app") for f in _frames(theirs)]
    for odd in (
        {},
        {"exception": None},
        {"exception": {"values": None}},
        {"exception": {"values": [{"stacktrace": None}]}},
        {"threads": {"values": ["x"]}},
        {"stacktrace": {"frames": ["not a frame", {"abs_path": 3}]}},
    ):
        set_in_app(odd, options)  # must not raise
    set_in_app({"stacktrace": {"frames": [{}]}}, {})  # options missing entirely
