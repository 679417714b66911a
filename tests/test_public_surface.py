"""sentry_sdk 2.75's public surface exists under sentry_lite, so it cannot silently shrink.

Walks the reference (a test dependency): the top-level and ``api`` ``__all__``, the
public modules users and libraries import from, and every integration module with its
``*Integration`` / ``*Middleware`` / ``*Handler`` classes, and checks each name exists
under ``sentry_lite`` (integration constructors: same parameter names). Names that
belong to a feature of an open issue are listed in PENDING with the issue; delete a
line there when its issue lands (the test fails if a pending name appears, so the list
cannot go stale either).
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import os
import pkgutil
import types
from typing import Dict, Iterator, List, Set, Tuple

import pytest

from sentry_lite.integrations import DidNotEnable
from tests.conftest import IN_CI, require

sentry_sdk = pytest.importorskip("sentry_sdk")

PENDING: Dict[str, str] = {}
"""Public names whose feature is another open issue's work (name -> issue)."""

PUBLIC_NAMES: Dict[str, Tuple[str, ...]] = {
    "sentry_sdk.scrubber": ("EventScrubber", "DEFAULT_DENYLIST", "DEFAULT_PII_DENYLIST"),
    "sentry_sdk.transport": ("Transport", "HttpTransport"),
    "sentry_sdk.crons": ("monitor", "capture_checkin"),
    "sentry_sdk.hub": ("Hub",),
    "sentry_sdk.scope": ("Scope", "should_send_default_pii", "add_global_event_processor"),
    "sentry_sdk.client": ("Client",),
    "sentry_sdk.feature_flags": ("add_feature_flag", "FlagBuffer", "DEFAULT_FLAG_CAPACITY"),
    "sentry_sdk.integrations": (
        "Integration",
        "DidNotEnable",
        "_DEFAULT_INTEGRATIONS",
        "_AUTO_ENABLING_INTEGRATIONS",
        "_check_minimum_version",
    ),
    "sentry_sdk.integrations.logging": ("ignore_logger", "unignore_logger"),
    "sentry_sdk.integrations.asyncio": ("enable_asyncio_integration",),
    "sentry_sdk.tracing_utils": (
        "Baggage",
        "EnvironHeaders",
        "PropagationContext",
        "extract_sentrytrace_data",
        "get_current_span",
        "has_tracing_enabled",
        "normalize_incoming_data",
        "should_propagate_trace",
    ),
    "sentry_sdk.utils": (
        "BadDsn",
        "Components",
        "Dsn",
        "SENSITIVE_DATA_SUBSTITUTE",
        "capture_internal_exception",
        "capture_internal_exceptions",
        "current_stacktrace",
        "datetime_from_isoformat",
        "env_to_bool",
        "event_from_exception",
        "event_hint_with_exc_info",
        "exc_info_from_error",
        "filename_for_module",
        "format_timestamp",
        "get_current_thread_meta",
        "get_default_release",
        "get_error_message",
        "get_git_revision",
        "is_sentry_url",
        "is_valid_sample_rate",
        "iter_stacks",
        "logger",
        "match_regex_list",
        "parse_url",
        "qualname_from_function",
        "reraise",
        "safe_repr",
        "safe_str",
        "sanitize_url",
        "serialize_frame",
        "to_string",
        "transaction_from_function",
        "walk_exception_chain",
    ),
}
"""Modules without an ``__all__`` that users reach: the names they import from them."""

ALL_NON_PRIVATE = ("sentry_sdk.types", "sentry_sdk.consts")
"""Modules whose every public name is part of the API (sentry_sdk defines them there)."""

NOT_API = {"TYPE_CHECKING", "ClientConstructor"}
"""typing helpers: ``ClientConstructor`` only types ``Client(...)``'s keywords."""


def _lite(name: str) -> str:
    return "sentry_lite" + name[len("sentry_sdk") :]


def _pending(name: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in PENDING)


def _resolve(qualname: str) -> object:
    """The sentry_lite object for a dotted sentry_sdk name; raises if it is missing."""
    parts = _lite(qualname).split(".")
    for split in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:split]))
        except ModuleNotFoundError:
            continue
        for attr in parts[split:]:
            obj = getattr(obj, attr)
        return obj
    raise ModuleNotFoundError(qualname)


def _integration_modules() -> List[str]:
    import sentry_sdk.integrations as ref

    return sorted(
        f"sentry_sdk.integrations.{m.name}"
        for m in pkgutil.iter_modules(ref.__path__)
        if not m.name.startswith("_")
    )


def _integration_classes(module: str) -> Iterator[Tuple[str, ast.ClassDef]]:
    """Public classes of a reference integration module, read from its source (importing
    it would need the framework)."""
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None
    with open(spec.origin, encoding="utf-8") as source:
        tree = ast.parse(source.read())
    for node in tree.body:
        if (
            isinstance(node, ast.ClassDef)
            and not node.name.startswith("_")
            and node.name.endswith(("Integration", "Middleware", "Handler"))
        ):
            yield f"{module}.{node.name}", node


def expected_names() -> Set[str]:
    names = {f"sentry_sdk.{n}" for n in sentry_sdk.__all__}
    ref_api = importlib.import_module("sentry_sdk.api")
    names |= {f"sentry_sdk.api.{n}" for n in ref_api.__all__}
    for module in ALL_NON_PRIVATE:
        ref = importlib.import_module(module)
        for n in getattr(ref, "__all__", None) or dir(ref):
            value = getattr(ref, n)
            if n.startswith("_") or n in NOT_API or isinstance(value, types.ModuleType):
                continue
            if getattr(value, "__module__", module) not in (module, "typing", "builtins"):
                continue
            names.add(f"{module}.{n}")
    for module, public in PUBLIC_NAMES.items():
        names |= {f"{module}.{n}" for n in public}
    for module in _integration_modules():
        names.add(module)
        names |= {qualname for qualname, _ in _integration_classes(module)}
    return names


def test_every_public_name_exists_or_is_pending() -> None:
    missing = []
    for name in sorted(expected_names()):
        try:
            _resolve(name)
        except DidNotEnable:
            if IN_CI:  # CI installs every library: there, this is a name that fails
                missing.append(name)
            # else: the module is there; its library is not installed on this Python
        except (ImportError, AttributeError):
            if not _pending(name):
                missing.append(name)
    assert missing == [], "sentry_sdk names missing under sentry_lite:\n" + "\n".join(missing)


def test_pending_list_is_not_stale() -> None:
    landed = []
    for name in PENDING:
        if "(" in name:
            continue
        try:
            _resolve(name)
        except (ImportError, AttributeError):
            continue
        landed.append(name)
    assert landed == [], f"these exist now: remove them from PENDING: {landed}"


def _init_params(node: ast.ClassDef) -> List[str]:
    for item in node.body:
        if isinstance(item, ast.FunctionDef) and item.name == "__init__":
            args = item.args
            return [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs][1:]
    return []


@pytest.mark.parametrize("module", _integration_modules())
def test_integration_constructors_take_sentry_sdks_arguments(module: str) -> None:
    if _pending(module):
        pytest.skip(PENDING[module])
    for qualname, node in _integration_classes(module):
        if not qualname.endswith("Integration") or qualname in PENDING:
            continue
        wanted = _init_params(node)
        try:
            cls = _resolve(qualname)
        except DidNotEnable as exc:  # e.g. httpx2 and arq need Python 3.11+ (test extra)
            require(False, f"{module}: {exc}")
        params = inspect.signature(cls).parameters  # type: ignore[arg-type]
        if any(p.kind is p.VAR_KEYWORD for p in params.values()):
            continue
        absent = [n for n in wanted if n not in params and f"{qualname}({n})" not in PENDING]
        assert absent == [], qualname


def test_lite_packages_match_sdk_names() -> None:
    """Sanity: the walk found the reference's surface (not an empty list)."""
    names = expected_names()
    assert "sentry_sdk.integrations.httpx.HttpxIntegration" in names
    assert "sentry_sdk.utils.event_from_exception" in names
    assert len(names) > 300
    assert os.path.basename(sentry_sdk.__file__) == "__init__.py"
