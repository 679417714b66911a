"""The SDK's own two loggers, ``sentry_lite`` and ``sentry_lite.errors``, without importing
``logging`` at ``import sentry_lite``.

``logging`` costs about 5 ms to import (it brings ``traceback``, ``linecache``,
``tokenize``, ``textwrap``, ``string``, ``weakref`` and ``threading``), a third of what
``import sentry_lite`` cost. The modules on the import path use ``logger`` and
``internal_logger`` from here instead of ``logging.getLogger(...)`` at module level.

Each is a stand-in that loads ``logging`` on its first use (``init`` uses them, so after
``init`` they are loaded) and from then on hands out the real logger's bound methods,
kept in the stand-in's ``__dict__``: ``logger.debug(...)`` then costs what it costs on the
real logger, and the records come from the real ``logging.getLogger("sentry_lite")``,
with its level, handlers and ``caplog``. Modules loaded only by ``init`` keep using
``logging.getLogger`` directly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["internal_logger", "load", "logger"]

_METHODS = ("debug", "info", "warning", "error", "exception", "critical", "log", "isEnabledFor")


class _LoggerOnUse:
    """Stands for ``logging.getLogger(name)`` until ``logging`` is needed."""

    def __init__(self, name: str) -> None:
        self.name = name

    def _load(self) -> Any:
        import logging  # buys import time: logging loads on the first log call or at init

        real = logging.getLogger(self.name)
        for method in _METHODS:
            self.__dict__[method] = getattr(real, method)
        return real

    def __getattr__(self, attr: str) -> Any:
        # Only for names not in __dict__: the methods before the first use, and the rest
        # of the real logger's attributes (handlers, level, ...) always.
        return getattr(self._load(), attr)

    def __repr__(self) -> str:
        return f"<sentry_lite logger {self.name!r} (logging loads on first use)>"


if TYPE_CHECKING:
    from logging import Logger

    logger: Logger
    internal_logger: Logger
else:
    logger = _LoggerOnUse("sentry_lite")
    internal_logger = _LoggerOnUse("sentry_lite.errors")


def load() -> None:
    """Load ``logging`` and bind both loggers' methods now (``init`` calls this, so that
    no capture after it is the one that pays for ``logging``)."""
    logger.isEnabledFor  # noqa: B018 - the first attribute access loads
    internal_logger.isEnabledFor  # noqa: B018
