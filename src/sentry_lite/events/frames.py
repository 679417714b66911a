"""Stack frames: source context, locals, in_app, and hiding the SDK's own frames.

Frames are built on the application thread inside ``capture_exception``, so the work per
frame is kept to dictionary look-ups: everything that depends only on the code object
(function name, paths, whether the frame can ever be hidden) is computed once and cached,
source lines come from :mod:`linecache`, and locals are handed to the serializer as one
snapshot.

The frame dicts match ``sentry_sdk`` 2.x field for field (``filename``, ``abs_path``,
``function`` = ``co_name``, ``module``, ``lineno``, ``pre_context``, ``context_line``,
``post_context``, ``vars``; ``in_app`` is filled later by :func:`set_in_app`).

Intentional differences from sentry_sdk:

* Source lines are read through ``linecache`` (with the module's loader as fallback)
  instead of calling ``loader.get_source()`` for every frame. Lines are therefore split the
  way Python numbers them: a file containing form feeds or U+2028 gets the right
  ``context_line`` here, while sentry_sdk's ``str.splitlines()`` shifts them.
* Context lines are not trimmed to ``max_value_length`` here; the event serializer trims
  every string of the event (and records the trim in ``_meta``), which gives the same wire
  result.
* ``current_stacktrace`` honours ``include_source_context`` and ``custom_repr``
  (sentry_sdk ignores both for ``attach_stacktrace``).
* A frame with ``lineno`` < 1 gets empty source context (sentry_sdk slices from the end).
* Reading a frame's locals or source never raises; a frame whose locals cannot be read
  has no ``vars``.
"""

from __future__ import annotations

import linecache
import os
import sys
from collections.abc import Mapping
from types import CodeType, FrameType, TracebackType
from typing import Any, Callable, Dict, List, Optional, Tuple

from sentry_lite.consts import CONTEXT_LINES
from sentry_lite.data_collection import filter_key_values, provided_by_user
from sentry_lite.events.in_app import set_in_app
from sentry_lite.events.serialize import serialize_value

__all__ = [
    "FrameOptions",
    "FrameVars",
    "current_stacktrace",
    "filename_for_module",
    "frame_options",
    "frames_from_traceback",
    "serialize_frame",
    "set_in_app",
    "stack_frames",
]

FrameVars = Dict[int, Tuple[FrameType, Any]]
"""Each frame's serialized locals, by frame, for one capture. The members of an exception
group are often raised in one loop, so every one of their tracebacks holds that frame,
whose locals hold the group: read once per capture, not once per member (quadratic)."""

_SDK_PREFIX = "sentry_lite."
_SDK_VISIBLE_PREFIXES = ("sentry_lite.tests.", "sentry_lite.examples.")
"""Our own test and example modules are app code, not SDK internals."""
_HIDE_FLAGS = ("__traceback_hide__", "__tracebackhide__")
_CO_OPTIMIZED = 0x0001
"""inspect.CO_OPTIMIZED (function code: locals live in fast slots), without importing inspect."""
_CODE_CACHE_SIZE = 4096
"""Code objects remembered by the per-code cache before it is reset (bounds memory)."""


class FrameOptions:
    """The options frame building needs, read once per event instead of per frame.

    Plain slotted classes here rather than NamedTuple: defining a NamedTuple costs
    about 0.25 ms at import, and import time is part of our budget.
    """

    __slots__ = (
        "custom_repr",
        "include_local_variables",
        "include_source_context",
        "max_value_length",
        "vars_filter",
    )

    def __init__(
        self,
        include_local_variables: bool,
        include_source_context: bool,
        max_value_length: Optional[int],
        custom_repr: Optional[Callable[[object], Optional[str]]],
    ) -> None:
        self.include_local_variables = include_local_variables
        self.include_source_context = include_source_context
        self.max_value_length = max_value_length
        self.custom_repr = custom_repr
        self.vars_filter: Optional[Mapping[str, Any]] = None
        """``data_collection``'s ``stack_frame_variables`` key/value rule, when it has one."""


def frame_options(options: Dict[str, Any]) -> FrameOptions:
    """Pick the frame options out of the client's option dict (sentry_sdk defaults).

    With ``data_collection`` set, its ``stack_frame_variables`` decides over
    ``include_local_variables`` (as in sentry_sdk 2.75), and a key/value rule there
    filters the variables by name before their values are read."""
    opts = FrameOptions(
        bool(options.get("include_local_variables", True)),
        bool(options.get("include_source_context", True)),
        options.get("max_value_length"),
        options.get("custom_repr"),
    )
    if provided_by_user(options):
        setting = options["data_collection"].get("stack_frame_variables", True)
        if isinstance(setting, Mapping):
            opts.include_local_variables = setting.get("mode") != "off"
            opts.vars_filter = setting
        else:
            opts.include_local_variables = bool(setting)
    return opts


class _CodeInfo:
    """What a frame's code object determines, computed once per code object."""

    __slots__ = (
        "abs_path",
        "code",
        "cwd",
        "filename",
        "function",
        "may_hide",
        "module",
        "sdk_frame",
    )

    def __init__(
        self,
        code: CodeType,
        module: Any,
        filename: Optional[str],
        abs_path: Optional[str],
        function: str,
        sdk_frame: bool,
        may_hide: bool,
        cwd: Optional[str],
    ) -> None:
        self.code = code
        self.module = module
        self.filename = filename
        self.abs_path = abs_path
        self.function = function
        self.sdk_frame = sdk_frame
        self.may_hide = may_hide
        """True when the code has a local that could be ``__traceback_hide__``."""
        self.cwd = cwd
        """For a relative ``co_filename`` naming a file, the cwd abs_path was made in (checked
        again on each use, since the app may have changed directory)."""


_code_cache: Dict[int, _CodeInfo] = {}
_CONTEXT_CACHE_SIZE = 4096
"""(file, line) source contexts remembered before that cache is reset (bounds memory)."""
_context_cache: Dict[Tuple[str, int], Tuple[List[str], Tuple[str, ...], str, Tuple[str, ...]]] = {}


def filename_for_module(module: Any, abs_path: Optional[str]) -> Optional[str]:
    """Path relative to the directory holding the top-level package, as sentry_sdk does."""
    if not abs_path or not module:
        return abs_path
    try:
        if abs_path.endswith(".pyc"):
            abs_path = abs_path[:-1]
        top = module.split(".", 1)[0]
        if top == module:
            return os.path.basename(abs_path)
        top_file = sys.modules[top].__file__
        if not top_file:
            return abs_path
        root = top_file.rsplit(os.sep, 2)[0]
        rel: str = abs_path.split(root, 1)[-1].lstrip(os.sep)
        return rel
    except Exception:
        return abs_path


def _abspath(path: str) -> Optional[str]:
    try:
        return os.path.abspath(path)
    except Exception:
        return None


def _cwd() -> Optional[str]:
    try:
        return os.getcwd()
    except Exception:
        return None


def _is_sdk_module(module: Any) -> bool:
    return (
        isinstance(module, str)
        and module.startswith(_SDK_PREFIX)
        and not module.startswith(_SDK_VISIBLE_PREFIXES)
    )


def _build_code_info(code: CodeType, module: Any) -> _CodeInfo:
    co_filename = code.co_filename
    # A pseudo-file (``<string>``, ``<stdin>``, a notebook cell) is resolved against the cwd
    # once: checking the cwd again is a system call, which lets the sending thread take the
    # GIL in the middle of the capture (+20 µs per capture, measured with ``python -c``).
    relative = (
        bool(co_filename)
        and not os.path.isabs(co_filename)
        and not (co_filename.startswith("<") and co_filename.endswith(">"))
    )
    if code.co_flags & _CO_OPTIMIZED:
        names = (*code.co_varnames, *code.co_cellvars, *code.co_freevars)
        may_hide = any(flag in names for flag in _HIDE_FLAGS)
    else:  # module / class body / exec: locals is a real dict, always check it
        may_hide = True
    return _CodeInfo(
        code,
        module,
        filename_for_module(module, co_filename) or None,
        _abspath(co_filename) if co_filename else None,
        code.co_name or "<unknown>",
        _is_sdk_module(module),
        may_hide,
        _cwd() if relative else None,
    )


def _code_info(code: CodeType, module: Any) -> _CodeInfo:
    if type(module) is not str:
        return _build_code_info(code, module)
    info = _code_cache.get(id(code))
    if (
        info is not None
        and info.code is code
        and info.module == module
        and (info.cwd is None or info.cwd == _cwd())
    ):
        return info
    info = _build_code_info(code, module)
    if len(_code_cache) >= _CODE_CACHE_SIZE:
        _code_cache.clear()
    _code_cache[id(code)] = info
    return info


def _hidden_by_flag(frame: FrameType) -> bool:
    try:
        f_locals = frame.f_locals
    except Exception:
        return False
    for flag in _HIDE_FLAGS:
        try:
            if f_locals[flag]:
                return True
        except Exception:
            pass
    return False


hidden_frame = _hidden_by_flag
"""Does the frame ask to be left out of stack traces (``__tracebackhide__``)?"""


def _frame_info(frame: FrameType) -> Optional[_CodeInfo]:
    """The frame's code info, or None when the frame must be hidden."""
    try:
        module = frame.f_globals.get("__name__")
    except Exception:
        module = None
    info = _code_info(frame.f_code, module)
    if info.sdk_frame or (info.may_hide and _hidden_by_flag(frame)):
        return None
    return info


def _source_context(
    frame: FrameType, info: _CodeInfo, lineno: Optional[int]
) -> Tuple[List[str], Optional[str], List[str]]:
    filename = info.code.co_filename
    if lineno is None or lineno < 1 or not filename or info.module is None:
        return [], None, []
    try:
        lines = linecache.getlines(filename, frame.f_globals)
    except Exception:
        return [], None, []
    key = (filename, lineno)
    cached = _context_cache.get(key)
    if cached is None or cached[0] is not lines:
        index = lineno - 1
        if index >= len(lines):
            return [], None, []
        start = index - CONTEXT_LINES if index > CONTEXT_LINES else 0
        cached = (
            lines,  # linecache's list: a reload gives a new one and invalidates this entry
            tuple(line.strip("\r\n") for line in lines[start:index]),
            lines[index].strip("\r\n"),
            tuple(line.strip("\r\n") for line in lines[index + 1 : index + 1 + CONTEXT_LINES]),
        )
        if len(_context_cache) >= _CONTEXT_CACHE_SIZE:
            _context_cache.clear()
        _context_cache[key] = cached
    return list(cached[1]), cached[2], list(cached[3])


def serialize_frame(
    frame: FrameType,
    lineno: Optional[int],
    opts: FrameOptions,
    info: Optional[_CodeInfo] = None,
    memo: Optional[Dict[int, Tuple[Any, ...]]] = None,
    seen_vars: Optional[FrameVars] = None,
) -> Dict[str, Any]:
    """One Sentry stack frame dict (without ``in_app``) for ``frame`` at ``lineno``.

    ``memo`` is shared by the frames of one stack so an object passed down many frames
    is serialised once; ``seen_vars`` by the stacks of one capture (see FrameVars)."""
    if info is None:
        try:
            module = frame.f_globals.get("__name__")
        except Exception:
            module = None
        info = _code_info(frame.f_code, module)
    if lineno is None:
        lineno = frame.f_lineno
    rv: Dict[str, Any] = {
        "filename": info.filename,
        "abs_path": info.abs_path,
        "function": info.function,
        "module": info.module,
        "lineno": lineno,
    }
    if opts.include_source_context:
        rv["pre_context"], rv["context_line"], rv["post_context"] = _source_context(
            frame, info, lineno
        )
    if opts.include_local_variables:
        seen = seen_vars.get(id(frame)) if seen_vars is not None else None
        if seen is not None and seen[0] is frame:
            # A copy of the top level, as a fresh serialization would give.
            rv["vars"] = dict(seen[1]) if type(seen[1]) is dict else seen[1]
            return rv
        try:
            local_vars = dict(frame.f_locals)
        except Exception:
            local_vars = None
        if local_vars is not None and opts.vars_filter is not None:
            local_vars = filter_key_values(local_vars, opts.vars_filter)
        if local_vars is not None:
            rv["vars"] = serialize_value(
                local_vars,
                is_vars=True,
                max_value_length=opts.max_value_length,
                custom_repr=opts.custom_repr,
                memo=memo,
            )
            if seen_vars is not None:
                seen_vars[id(frame)] = (frame, rv["vars"])
    return rv


def _visible_tracebacks(tb: Optional[TracebackType], limit: int) -> List[Tuple[Any, ...]]:
    """Up to ``limit`` (traceback, info) pairs of the frames that are not hidden."""
    out: List[Tuple[Any, ...]] = []
    while tb is not None and len(out) < limit:
        info = _frame_info(tb.tb_frame)
        if info is not None:
            out.append((tb, info))
        tb = tb.tb_next
    return out


def frames_from_traceback(
    tb: Optional[TracebackType],
    opts: FrameOptions,
    limit: int,
    seen_vars: Optional[FrameVars] = None,
) -> Optional[List[Dict[str, Any]]]:
    """Frames of ``tb``, oldest first; None when there are more than ``limit`` of them."""
    visible = _visible_tracebacks(tb, limit + 1)
    if len(visible) > limit:
        return None
    memo: Dict[int, Tuple[Any, ...]] = {}
    return [
        serialize_frame(t.tb_frame, t.tb_lineno, opts, info, memo, seen_vars) for t, info in visible
    ]


def stack_frames(start: Optional[FrameType], opts: FrameOptions) -> List[Dict[str, Any]]:
    """Frames from ``start`` outwards through ``f_back``, oldest first, hidden ones left out."""
    frames = []
    memo: Dict[int, Tuple[Any, ...]] = {}
    f = start
    while f is not None:
        info = _frame_info(f)
        if info is not None:
            frames.append(serialize_frame(f, f.f_lineno, opts, info, memo))
        f = f.f_back
    frames.reverse()
    return frames


def current_stacktrace(options: Dict[str, Any]) -> Dict[str, Any]:
    """The calling thread's stack (for attach_stacktrace), SDK frames removed."""
    return {"frames": stack_frames(sys._getframe(1), frame_options(options))}
