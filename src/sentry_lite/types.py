"""Type names for event data, shared by every layer and by users' hooks.

``from sentry_lite.types import Event, Hint`` is how a ``before_send`` is typed, as with
``sentry_sdk.types``. Events are plain dicts on purpose: hooks and processors written for
sentry_sdk read and change them with ordinary dict operations.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Callable, Dict, List, Literal, Mapping, Optional, Tuple, Type, Union

__all__ = [
    "Attributes",
    "Breadcrumb",
    "BreadcrumbHint",
    "DataCollectionUserOptions",
    "Event",
    "EventDataCategory",
    "EventProcessor",
    "ExcInfo",
    "Hint",
    "Log",
    "Metric",
    "MonitorConfig",
    "SamplingContext",
    "SpanJSON",
]

Event = Dict[str, Any]
"""An event (error, message or transaction) as it goes on the wire."""
Hint = Dict[str, Any]
"""What a hook is told besides the event: ``exc_info``, ``log_record``, attachments..."""
Breadcrumb = Dict[str, Any]
BreadcrumbHint = Dict[str, Any]
EventProcessor = Callable[[Event, Hint], Optional[Event]]
SamplingContext = Dict[str, Any]
SpanJSON = Dict[str, Any]
Log = Dict[str, Any]
Metric = Dict[str, Any]
MonitorConfig = Dict[str, Any]
DataCollectionUserOptions = Dict[str, Any]
AttributeValue = Union[str, bool, float, int, List[str], List[bool], List[float], List[int]]
Attributes = Mapping[str, AttributeValue]
EventDataCategory = Literal[
    "default",
    "error",
    "crash",
    "transaction",
    "security",
    "attachment",
    "session",
    "internal",
    "profile",
    "profile_chunk",
    "monitor",
    "span",
    "log_item",
    "log_byte",
    "trace_metric",
]
ExcInfo = Tuple[Optional[Type[BaseException]], Optional[BaseException], Optional[TracebackType]]
