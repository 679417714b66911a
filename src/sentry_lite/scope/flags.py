"""The feature flags a scope saw evaluated, for the ``flags`` context of error events.

The most recent ``capacity`` evaluations are kept (oldest dropped first), each flag
once with its latest result, so an error shows which variant the user was in.
"""

from __future__ import annotations

from _thread import allocate_lock as Lock
from collections import OrderedDict
from typing import Any, Dict, List

from sentry_lite.limits import DEFAULT_FLAG_CAPACITY

__all__ = ["DEFAULT_FLAG_CAPACITY", "FlagBuffer"]


class FlagBuffer:
    def __init__(self, capacity: int = DEFAULT_FLAG_CAPACITY) -> None:
        self.capacity = capacity
        self.lock = Lock()
        self._buffer: OrderedDict[str, bool] = OrderedDict()

    def clear(self) -> None:
        with self.lock:
            self._buffer = OrderedDict()

    def __deepcopy__(self, memo: Dict[int, Any]) -> FlagBuffer:
        with self.lock:
            rv = FlagBuffer(self.capacity)
            rv._buffer = self._buffer.copy()
            return rv

    def get(self) -> List[Dict[str, Any]]:
        with self.lock:
            return [{"flag": key, "result": value} for key, value in self._buffer.items()]

    def set(self, flag: str, result: bool) -> None:
        if isinstance(result, FlagBuffer):
            raise ValueError("FlagBuffer instances can not be inserted into the dictionary.")
        with self.lock:
            self._buffer[flag] = result
            self._buffer.move_to_end(flag)
            while len(self._buffer) > self.capacity:
                self._buffer.popitem(last=False)
