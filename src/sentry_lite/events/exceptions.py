"""exc_info -> Sentry exception values (chains, groups, mechanism).

The output matches ``sentry_sdk.utils.event_from_exception`` 2.x field for field:

* A plain exception and its ``__cause__`` / ``__context__`` chain (``__cause__`` when
  ``__suppress_context__`` is set) become one value each, oldest first, every one with
  the same mechanism and without ``exception_id``/``source``.
* When the reported exception is an ``ExceptionGroup``, the tree is walked depth first
  (cause or context, then ``exceptions[i]``) and each value carries
  ``mechanism.exception_id``; every value but the root has ``source``, ``parent_id`` and
  type ``"chained"``, groups have ``is_exception_group``. Like sentry_sdk, a
  ``__cause__``/``__context__`` reached inside a group gets ``parent_id`` 0 (the root),
  not its own parent: we keep that so issues group the same way as with sentry_sdk.
* ``value`` is ``message`` / ``detail`` / ``str(exc)`` plus string ``__notes__``;
  ``mechanism.meta.errno.number`` is set from ``errno``.
* More than ``MAX_EXCEPTION_FRAMES`` visible frames: the stacktrace is dropped
  (``null`` with a ``_meta`` remark), as sentry_sdk does.
* ``add_full_stack`` prepends the caller's frames that are not already in the
  traceback and keeps the newest ``max_stack_frames``.

Intentional differences: nothing here raises for a hostile exception (a ``message``
property, ``__str__``, ``__repr__``, ``__notes__`` or ``exceptions`` that raises);
the chain walk is iterative, so a very long chain cannot exhaust the recursion limit;
the caller's ``mechanism`` dict is copied deeply enough never to be mutated; frames
over the limit are counted before any of them is serialized; ``add_full_stack`` with
``include_source_context=False`` works (sentry_sdk raises ``KeyError('context_line')``
there and loses the event); see ``frames.py`` for frame-level differences.
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any, Dict, List, Optional, Tuple, Type, Union

from sentry_lite.consts import DEFAULT_MAX_STACK_FRAMES
from sentry_lite.events.frames import (
    FrameOptions,
    FrameVars,
    frame_options,
    frames_from_traceback,
    stack_frames,
)
from sentry_lite.events.meta import annotate
from sentry_lite.limits import MAX_EXCEPTION_FRAMES

__all__ = ["MAX_EXCEPTION_FRAMES", "ExcInfo", "event_from_exception", "exc_info_from_error"]

ExcInfo = Tuple[Optional[Type[BaseException]], Optional[BaseException], Optional[TracebackType]]

_REM_OVER_LIMIT = ["!config", "x"]
"""Remark sentry_sdk records for a stacktrace dropped for having too many frames."""

try:
    _BaseExceptionGroup: Optional[type] = BaseExceptionGroup  # type: ignore[name-defined,unused-ignore]
except NameError:  # Python < 3.11
    _BaseExceptionGroup = None


def exc_info_from_error(error: Union[BaseException, ExcInfo, None]) -> ExcInfo:
    """Normalise an exception or exc_info tuple (None: the one being handled)."""
    if error is None:
        return sys.exc_info()
    if isinstance(error, tuple) and len(error) == 3:
        return error
    if isinstance(error, BaseException):
        tb = error.__traceback__
        if tb is None:
            current = sys.exc_info()
            if current[1] is error:
                tb = current[2]
        return (type(error), error, tb)
    raise ValueError(f"Expected Exception object to report, got {type(error)}!")


def _safe_str(value: Any) -> str:
    try:
        return str(value)
    except Exception:
        try:
            return repr(value)
        except Exception:
            return "<broken repr>"


def _error_message(exc: Any) -> str:
    try:
        raw = getattr(exc, "message", "") or getattr(exc, "detail", "")
    except Exception:
        raw = ""
    message = _safe_str(raw or _safe_str(exc))
    try:
        notes = getattr(exc, "__notes__", None)
        if isinstance(notes, list) and notes:
            message += "\n" + "\n".join(n for n in notes if isinstance(n, str))
    except Exception:
        pass
    return message


def _type_name(cls: Any) -> Optional[str]:
    try:
        return getattr(cls, "__qualname__", None) or getattr(cls, "__name__", None)
    except Exception:
        return None


def _type_module(cls: Any) -> Optional[str]:
    try:
        module = getattr(cls, "__module__", None)
    except Exception:
        return None
    return None if module in (None, "builtins", "__builtins__") else module


def _mechanism(base: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    if not base:
        return {"type": "generic", "handled": True}
    mechanism = dict(base)
    if isinstance(mechanism.get("meta"), dict):
        mechanism["meta"] = dict(mechanism["meta"])
    return mechanism


def _single_exception(
    exc_type: Any,
    exc: Any,
    tb: Optional[TracebackType],
    opts: FrameOptions,
    mechanism: Optional[Dict[str, Any]],
    full_stack: Optional[List[Dict[str, Any]]],
    max_stack_frames: Optional[int],
    exception_id: Optional[int] = None,
    parent_id: Optional[int] = None,
    source: Optional[str] = None,
    seen_vars: Optional[FrameVars] = None,
) -> Dict[str, Any]:
    mech = _mechanism(mechanism)
    if exception_id is not None:
        mech["exception_id"] = exception_id
    try:
        errno = getattr(exc, "errno", None) if exc is not None else None
    except Exception:
        errno = None
    if errno is not None:
        meta = mech.setdefault("meta", {})
        if isinstance(meta, dict):
            errno_meta = meta.setdefault("errno", {})
            if isinstance(errno_meta, dict):
                meta["errno"] = errno_meta = dict(errno_meta)
                errno_meta.setdefault("number", errno)
    if source is not None:
        mech["source"] = source
    if exception_id == 0:
        mech.setdefault("type", "generic")
    elif parent_id is not None:
        mech["parent_id"] = parent_id
        mech["type"] = "chained"
    if _BaseExceptionGroup is not None and isinstance(exc, _BaseExceptionGroup):
        mech["is_exception_group"] = True

    value: Dict[str, Any] = {
        "mechanism": mech,
        "module": _type_module(exc_type),
        "type": _type_name(exc_type),
        "value": _error_message(exc),
    }
    frames = frames_from_traceback(tb, opts, MAX_EXCEPTION_FRAMES, seen_vars)
    if frames is None:
        value["stacktrace"] = None  # too many frames: dropped, remark added in _meta
    elif frames:
        if full_stack:
            frames = _merge_full_stack(frames, full_stack, max_stack_frames)
        value["stacktrace"] = {"frames": frames}
    return value


def _frame_key(frame: Dict[str, Any]) -> Tuple[Any, ...]:
    return (
        frame.get("abs_path"),
        frame.get("context_line"),
        frame.get("lineno"),
        frame.get("function"),
    )


def _merge_full_stack(
    frames: List[Dict[str, Any]],
    full_stack: List[Dict[str, Any]],
    max_stack_frames: Optional[int],
) -> List[Dict[str, Any]]:
    """Caller frames missing from the traceback, then the traceback, newest N kept."""
    seen = {_frame_key(f) for f in frames}
    merged = [f for f in full_stack if _frame_key(f) not in seen]
    merged.extend(frames)
    if max_stack_frames is not None:
        merged = merged[len(merged) - max_stack_frames :]
    return merged


def _chain_children(exc: Any) -> List[Tuple[Any, str]]:
    """(child, source) pairs in the order sentry_sdk visits them."""
    children: List[Tuple[Any, str]] = []
    try:
        if getattr(exc, "__suppress_context__", False):
            cause = getattr(exc, "__cause__", None)
            if cause is not None:
                children.append((cause, "__cause__"))
        else:
            context = getattr(exc, "__context__", None)
            if context is not None:
                children.append((context, "__context__"))
        if exc and hasattr(exc, "exceptions"):
            for index, child in enumerate(exc.exceptions):
                children.append((child, f"exceptions[{index}]"))
    except Exception:
        pass
    return children


def _group_values(
    exc_info: ExcInfo,
    opts: FrameOptions,
    mechanism: Optional[Dict[str, Any]],
    full_stack: Optional[List[Dict[str, Any]]],
    max_stack_frames: Optional[int],
) -> List[Dict[str, Any]]:
    """Depth-first walk of an exception group tree, numbering values as visited."""
    values: List[Dict[str, Any]] = []
    seen_vars: FrameVars = {}
    seen: Dict[int, Any] = {}  # id -> exception (kept alive so ids stay unique)
    # (type, exception, traceback, parent_id, source)
    stack: List[Tuple[Any, Any, Any, int, Optional[str]]] = [
        (exc_info[0], exc_info[1], exc_info[2], 0, None)
    ]
    next_id = 0
    while stack:
        exc_type, exc, tb, parent_id, source = stack.pop()
        if exc is not None:
            if id(exc) in seen:
                continue
            seen[id(exc)] = exc
        own_id = next_id
        next_id += 1
        values.append(
            _single_exception(
                exc_type, exc, tb, opts, mechanism, full_stack, max_stack_frames,
                exception_id=own_id, parent_id=parent_id, source=source, seen_vars=seen_vars,
            )
        )  # fmt: skip
        children = []
        for child, child_source in _chain_children(exc):
            child_parent = own_id if child_source.startswith("exceptions[") else 0
            try:
                child_tb = getattr(child, "__traceback__", None)
            except Exception:
                child_tb = None
            children.append((type(child), child, child_tb, child_parent, child_source))
        stack.extend(reversed(children))
    return values


def _chain_values(
    exc_info: ExcInfo,
    opts: FrameOptions,
    mechanism: Optional[Dict[str, Any]],
    full_stack: Optional[List[Dict[str, Any]]],
    max_stack_frames: Optional[int],
) -> List[Dict[str, Any]]:
    """The reported exception followed by its cause/context chain, newest first."""
    values: List[Dict[str, Any]] = []
    seen: Dict[int, BaseException] = {}
    seen_vars: FrameVars = {}
    exc_type, exc, tb = exc_info
    while exc_type is not None and exc is not None and id(exc) not in seen:
        values.append(
            _single_exception(
                exc_type, exc, tb, opts, mechanism, full_stack, max_stack_frames,
                seen_vars=seen_vars,
            )
        )  # fmt: skip
        seen[id(exc)] = exc
        try:
            nxt = exc.__cause__ if exc.__suppress_context__ else exc.__context__
        except Exception:
            break
        if nxt is None:
            break
        exc_type, exc, tb = type(nxt), nxt, getattr(nxt, "__traceback__", None)
    return values


def event_from_exception(
    exc_info: Union[BaseException, ExcInfo, None],
    options: Dict[str, Any],
    mechanism: Optional[Dict[str, Any]] = None,
) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """Build ``({"level": "error", "exception": {"values": [...]}}, {"exc_info": ...})``."""
    info = exc_info_from_error(exc_info)
    opts = frame_options(options)
    full_stack: Optional[List[Dict[str, Any]]] = None
    max_stack_frames: Optional[int] = None
    if options.get("add_full_stack"):
        # sentry_sdk builds the full stack with source context on and no custom_repr.
        full_opts = FrameOptions(opts.include_local_variables, True, opts.max_value_length, None)
        full_opts.vars_filter = opts.vars_filter  # data_collection's rule holds here too
        full_stack = stack_frames(sys._getframe(1), full_opts)
        max_stack_frames = options.get("max_stack_frames", DEFAULT_MAX_STACK_FRAMES)

    if _BaseExceptionGroup is not None and isinstance(info[1], _BaseExceptionGroup):
        values = _group_values(info, opts, mechanism, full_stack, max_stack_frames)
    else:
        values = _chain_values(info, opts, mechanism, full_stack, max_stack_frames)
    values.reverse()

    event: Dict[str, Any] = {"level": "error", "exception": {"values": values}}
    for index, value in enumerate(values):
        if "stacktrace" in value and value["stacktrace"] is None:
            annotate(event, ("exception", "values", index, "stacktrace"), rem=[_REM_OVER_LIMIT])
    return event, {"exc_info": info if info[0] is not None else None}


safe_str = _safe_str
"""``str(value)``, falling back to ``repr`` and then a placeholder: never raises."""
get_error_message = _error_message
"""An exception's message as the event shows it (``message``/``detail``, then notes)."""
