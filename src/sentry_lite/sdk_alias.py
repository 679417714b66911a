"""``install_as_sentry_sdk()``: make ``import sentry_sdk`` anywhere in the process give
sentry-lite, so libraries that report through ``sentry_sdk`` themselves keep working
after the app switched.

Why a finder and not ``sys.modules["sentry_sdk"] = sentry_lite`` alone: libraries
import submodules too (``sentry_sdk.integrations.logging``, ``sentry_sdk.tracing``),
and each must resolve to the same module object as its ``sentry_lite`` twin, so that
``isinstance`` checks and module state are shared. A name sentry-lite does not have
fails with the usual ``ModuleNotFoundError``.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import sys
from types import ModuleType
from typing import Any, Optional, Sequence

from sentry_lite.sdk_loggers import logger

__all__ = ["install_as_sentry_sdk", "uninstall_as_sentry_sdk"]


ALIAS = "sentry_sdk"
TARGET = "sentry_lite"


def _target_name(fullname: str) -> Optional[str]:
    if fullname == ALIAS:
        return TARGET
    if fullname.startswith(ALIAS + "."):
        return TARGET + fullname[len(ALIAS) :]
    return None


class _AliasLoader:
    """Hands out the already imported ``sentry_lite`` module under the alias name."""

    def __init__(self, target: str) -> None:
        self.target = target

    def create_module(self, spec: Any) -> ModuleType:
        return importlib.import_module(self.target)

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: the target module executed when it was imported."""


class _AliasFinder:
    def find_spec(
        self, fullname: str, path: Optional[Sequence[str]] = None, target: Any = None
    ) -> Any:
        name = _target_name(fullname)
        if name is None:
            return None
        try:
            found = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            return None
        if found is None:
            return None
        spec = importlib.machinery.ModuleSpec(
            fullname,
            _AliasLoader(name),  # type: ignore[arg-type]  # duck-typed loader
            is_package=found.submodule_search_locations is not None,
        )
        return spec


_finder: Optional[_AliasFinder] = None


def install_as_sentry_sdk() -> bool:
    """From now on, ``import sentry_sdk`` (and its submodules) gives sentry-lite.

    Call it before the libraries that use sentry_sdk are imported; a module that
    imported the official sentry_sdk earlier keeps it (a warning says so). Returns
    True when the alias is in place.
    """
    global _finder
    loaded = [name for name in sys.modules if name == ALIAS or name.startswith(ALIAS + ".")]
    real = [
        name for name in loaded if not getattr(sys.modules[name], "__name__", "").startswith(TARGET)
    ]
    if real:
        logger.warning(
            "sentry_lite: sentry_sdk was imported before install_as_sentry_sdk(); "
            "modules that already hold it keep the official SDK (%d module(s))",
            len(real),
        )
        for name in real:
            del sys.modules[name]
    if _finder is None:
        _finder = _AliasFinder()
        sys.meta_path.insert(0, _finder)
    return True


def uninstall_as_sentry_sdk() -> None:
    """Undo :func:`install_as_sentry_sdk` (for tests): the alias names are forgotten."""
    global _finder
    if _finder is not None and _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
    _finder = None
    for name in [n for n in sys.modules if n == ALIAS or n.startswith(ALIAS + ".")]:
        if getattr(sys.modules[name], "__name__", "").startswith(TARGET):
            del sys.modules[name]
