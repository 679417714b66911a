"""Denylist scrubbing of secrets and PII, compatible with sentry_sdk's EventScrubber.

STUB: interface only; to be implemented.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

__all__ = ["DEFAULT_DENYLIST", "DEFAULT_PII_DENYLIST", "EventScrubber"]

DEFAULT_DENYLIST: List[str] = ["password", "secret", "token", "api_key", "authorization"]
DEFAULT_PII_DENYLIST: List[str] = ["x_forwarded_for", "x_real_ip", "ip_address", "remote_addr"]


class EventScrubber:
    def __init__(
        self,
        denylist: Optional[List[str]] = None,
        recursive: bool = False,
        send_default_pii: bool = False,
        pii_denylist: Optional[List[str]] = None,
    ) -> None:
        self.denylist = [k.lower() for k in (denylist or DEFAULT_DENYLIST)]
        self.recursive = recursive

    def scrub_event(self, event: Dict[str, Any]) -> None:
        """Replace denylisted values in place with '[Filtered]' and note it in _meta."""
