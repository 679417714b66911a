"""Type aliases for event data, shared by every layer."""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional

Event = Dict[str, Any]
Hint = Dict[str, Any]
Breadcrumb = Dict[str, Any]
EventProcessor = Callable[[Event, Hint], Optional[Event]]
