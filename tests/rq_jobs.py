"""Job functions for the RQ tests (a worker imports them by their module path)."""

from __future__ import annotations

from typing import Any


def ok_job(x: Any) -> Any:
    return x


def crashing_job(x: Any, password: Any = None) -> Any:
    return x / 0
