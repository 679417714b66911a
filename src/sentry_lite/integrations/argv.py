"""Adds ``sys.argv`` to every error event's extra data, as sentry_sdk does (with the SDK's
defaults, not as an event processor: see events/process_extra.py)."""

from __future__ import annotations

import sys
from typing import List

from sentry_lite.integration_api import add_process_extra
from sentry_lite.integrations import Integration


class ArgvIntegration(Integration):
    identifier = "argv"

    @staticmethod
    def setup_once() -> None:
        add_process_extra("sys.argv", ArgvIntegration.identifier, _argv)


def _argv() -> List[str]:
    return list(sys.argv)
