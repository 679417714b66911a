"""Loaded by every scenario child that ``tests/sdk_child.py`` starts (this folder leads its
``PYTHONPATH``): keeps sentry_sdk's start-up as cheap as it was before the test extra
grew libraries such as openai, anthropic, boto3 or strawberry.

sentry_sdk's ``init`` imports the library of every auto-enabling integration that is
installed, whether or not the app uses it: with the AI SDKs and the GraphQL libraries in
the venv that is several seconds per child, paid by every side-by-side test. Here an
auto-enabling integration that was not in sentry_sdk's list of libraries installed before
(``_BASELINE``) is set up only when the scenario has imported its library before ``init``,
which is what a scenario for that library does. What sentry_sdk does with the libraries a
scenario uses is unchanged; sentry-lite's children are not touched (it turns integrations
on when their library is imported, at no cost).
"""

from __future__ import annotations

import importlib.machinery
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not loaded at start-up: a child measuring imports must not see it
    from types import ModuleType
    from typing import Any, List, Optional, Sequence

# Integrations whose libraries the suite had installed before the lean start was needed:
# always offered to sentry_sdk, as before.
_BASELINE = frozenset(
    {
        "asyncpg",
        "bottle",
        "celery",
        "django",
        "falcon",
        "fastapi",
        "flask",
        "httpx",
        "httpx2",
        "loguru",
        "pyramid",
        "redis",
        "rq",
        "sqlalchemy",
        "starlette",
        "typer",
    }
)

# sentry_sdk integration module -> the library's module, where the names differ.
_LIBRARY = {
    "google_genai": "google.genai",
    "mistral": "mistralai",
    "openai_agents": "agents",
    "spark": "pyspark",
    "huggingface_hub": "huggingface_hub",
}


def _offered(import_string: str) -> bool:
    integration = import_string.split(".")[2]
    if integration in _BASELINE:
        return True
    return _LIBRARY.get(integration, integration) in sys.modules


def _lean(module: ModuleType) -> None:
    full: List[str] = list(module._AUTO_ENABLING_INTEGRATIONS)
    listed: List[str] = module._AUTO_ENABLING_INTEGRATIONS
    setup = module.setup_integrations

    def setup_integrations(*args: Any, **kwargs: Any) -> Any:
        listed[:] = [entry for entry in full if _offered(entry)]
        return setup(*args, **kwargs)

    module.setup_integrations = setup_integrations


class _Loader:
    def __init__(self, loader: Any) -> None:
        self._loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> Optional[ModuleType]:
        created: Optional[ModuleType] = self._loader.create_module(spec)
        return created

    def __getattr__(self, name: str) -> Any:  # the wrapped loader's other methods
        return getattr(self._loader, name)

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        _lean(module)


class _Finder:
    def find_spec(
        self, fullname: str, path: Optional[Sequence[str]], target: Any = None
    ) -> Optional[importlib.machinery.ModuleSpec]:
        if fullname != "sentry_sdk.integrations":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader)
        return spec


sys.meta_path.insert(0, _Finder())
