"""Where in the app a slow query came from: ``code.*`` data on the span.

sentry_sdk's "query source": for a DB span slower than ``db_query_source_threshold_ms``
(with ``enable_db_query_source``), the first in-app frame of the calling stack goes on
the span as ``code.lineno``, ``code.namespace``, ``code.filepath`` and ``code.function``
(a streamed span gets the attributes ``code.line.number``, ``code.namespace``,
``code.file.path`` and ``code.function`` instead, as sentry_sdk names them there).
In-app follows the same rules as exception frames (``in_app_include`` wins, then
site-packages and ``in_app_exclude`` are out, then files under ``project_root`` are in).
The stack is walked only for slow queries, so fast ones cost one comparison.
"""

from __future__ import annotations

import sys
from types import FrameType
from typing import Any, Mapping, Optional

from sentry_lite.events.frames import filename_for_module
from sentry_lite.events.in_app import is_external_source, module_in

__all__ = ["add_query_source", "is_slow_query", "is_slow_request", "slow_query_threshold_ms"]

_SDK_PREFIX = "sentry_lite."
_LEGACY_NAMES = ("code.lineno", "code.namespace", "code.filepath", "code.function")
_STREAMED_NAMES = ("code.line.number", "code.namespace", "code.file.path", "code.function")


def slow_query_threshold_ms(options: Mapping[str, Any]) -> Optional[float]:
    """Above how many milliseconds a query gets its source; None when it never does."""
    if not options.get("enable_db_query_source", True):
        return None
    try:
        return float(options.get("db_query_source_threshold_ms") or 0)
    except (TypeError, ValueError):
        return None


def is_slow_query(options: Mapping[str, Any], duration_s: float) -> bool:
    """Does a query of this duration get its source added, under these options?"""
    threshold = slow_query_threshold_ms(options)
    return threshold is not None and duration_s * 1000.0 > threshold


def _in_app(frame: FrameType, options: Mapping[str, Any]) -> bool:
    try:
        module = frame.f_globals.get("__name__")
    except Exception:
        module = None
    if isinstance(module, str) and module.startswith(_SDK_PREFIX):
        return False
    if module_in(module, options.get("in_app_include")):
        return True
    path = frame.f_code.co_filename
    root = options.get("project_root")
    if not isinstance(root, str) or not path.startswith(root):
        return False
    return not is_external_source(path) and not module_in(module, options.get("in_app_exclude"))


def _first_in_app_frame(options: Mapping[str, Any]) -> Optional[FrameType]:
    frame: Optional[FrameType] = sys._getframe(2)
    while frame is not None:
        if _in_app(frame, options):
            return frame
        frame = frame.f_back
    return None


def _streamed_span(span: Any) -> Any:
    """The streamed span behind ``span`` (itself, or the one a ``StreamedSpanView`` shows),
    None for a transaction-era span. Until span streaming is used neither module is
    loaded, and no such span exists."""
    view = sys.modules.get("sentry_lite.tracing.streamed_view")
    if view is not None and isinstance(span, view.StreamedSpanView):
        return span.span
    streamed = sys.modules.get("sentry_lite.tracing.streamed")
    if streamed is not None and isinstance(span, streamed.StreamedSpan):
        return span
    return None


def add_query_source(span: Any, options: Mapping[str, Any]) -> None:
    """Put the first in-app caller on ``span`` (call it from inside the query's stack)."""
    try:
        frame = _first_in_app_frame(options)
        if frame is None:
            return
        namespace = frame.f_globals.get("__name__")
        path = frame.f_code.co_filename
        root = options.get("project_root")
        if namespace is not None:
            filepath = filename_for_module(namespace, path)
        elif isinstance(root, str) and path.startswith(root):
            filepath = path[len(root) :].lstrip("/\\")
        else:
            filepath = path
        streamed = _streamed_span(span)
        if streamed is not None:
            names, put = _STREAMED_NAMES, streamed.set_attribute
        else:
            names, put = _LEGACY_NAMES, span.set_data
        put(names[0], frame.f_lineno)
        if namespace is not None:
            put(names[1], namespace)
        if filepath is not None or streamed is None:  # sentry_sdk sends a None path as data only
            put(names[2], filepath)
        put(names[3], frame.f_code.co_name)
    except Exception:  # noqa: BLE001 - a missing source never costs the span
        pass


# -- i11core: the same for outgoing HTTP requests ------------------------------------------


def is_slow_request(options: Mapping[str, Any], duration_s: float) -> bool:
    """Does an outgoing request of this duration get its source (``enable_http_request_source``,
    ``http_request_source_threshold_ms``)?"""
    if not options.get("enable_http_request_source", True):
        return False
    try:
        threshold = float(options.get("http_request_source_threshold_ms") or 0)
    except (TypeError, ValueError):
        return False
    return duration_s * 1000.0 >= threshold
