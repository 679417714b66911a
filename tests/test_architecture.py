"""The shape of the package, checked from its source: one-way layers, no cycles, and
integrations that use only the public integration API.

Layers, from the app down (a module may import its own layer and the ones below):

    tools        cli, __main__, testing, devserver
    package      sentry_lite/__init__
    compat       hub (the 1.x API on top of the 2.x one)
    api          api, integration_api, crons
    scope        scope/*
    client       client, pipeline
    envelope     envelope, attachments
    profiler     profiler/* (reached by the scope and the client; hands them nothing back)
    data         events/*, tracing/*
    transport    transport/*
    base         consts, limits, shortcuts, dsn, timestamps, release, types, options...

``integrations/*`` sit beside the flow: they may import ``integration_api``, the
``integrations`` package, ``types``, ``consts``, ``limits`` and ``sdk_loggers``, and
nothing else of the SDK. The core never imports an integration: the package hands
``api`` the registry's setup function (``api.use_integration_setup``), so only the
package imports it.

Imports under ``if TYPE_CHECKING:`` count like any other: an annotation that needs an
import against the flow is a design smell too.
"""

from __future__ import annotations

import ast
import pathlib
from typing import Dict, Iterator, List, Optional, Set, Tuple

import pytest

SRC = pathlib.Path(__file__).resolve().parent.parent / "src"
PACKAGE = SRC / "sentry_lite"

LAYERS: List[Tuple[str, Tuple[str, ...]]] = [
    ("tools", ("cli", "__main__", "testing", "devserver")),
    ("package", ("__init__",)),
    ("compat", ("hub",)),
    (
        "api",
        (
            "api",
            "integration_api",
            "integration_privacy",
            "crons",
            "utils",
            "scrubber",
            "tracing_utils",
            "feature_flags",
            "logger",
            "metrics",
            "debug_logging",
            "traces",
        ),
    ),
    ("scope", ("scope",)),
    (
        "client",
        (
            "client",
            "client_base",
            "pipeline",
            "late_parts",
            "telemetry",
            "span_batcher",
            "span_capture",
            "trace_header",
        ),
    ),  # i13: telemetry
    ("envelope", ("envelope", "attachments", "span_item")),
    ("profiler", ("profiler",)),
    ("data", ("events", "tracing")),
    ("transport", ("transport",)),
    (
        "base",
        (
            "consts",
            "limits",
            "shortcuts",
            "fork_reset",
            "own_threads",
            "dsn",
            "timestamps",
            "release",
            "types",
            "options",
            "option_table",
            "init_options",
            "sdk_alias",
            "conventions",
            "internal_errors",
            "value_checks",
            "uwsgi_check",
            "data_collection",  # i11data
            "sdk_loggers",
            "lean_stdlib",
            "sdk_identity",
        ),
    ),
]
RANK = {name: len(LAYERS) - i for i, (name, _) in enumerate(LAYERS)}
INTEGRATIONS_MAY_IMPORT = (
    "sentry_lite.integration_api",
    "sentry_lite.integrations",
    "sentry_lite.types",
    "sentry_lite.consts",
    "sentry_lite.limits",
    "sentry_lite.sdk_loggers",  # the SDK's own loggers, without importing logging
)


def module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def all_modules() -> Dict[str, pathlib.Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


MODULES = all_modules()


def layer_of(module: str) -> Optional[str]:
    """The layer of a sentry_lite module, or None for an integration."""
    if module == "sentry_lite":
        return "package"
    first = module.split(".")[1]
    if first == "integrations":
        return None
    for layer, heads in LAYERS:
        if first in heads:
            return layer
    raise AssertionError(f"{module} is in no layer: add it to LAYERS in {__file__}")


def resolve(importer: str, node: ast.AST) -> Iterator[str]:
    """The sentry_lite modules an import statement loads (``from pkg import mod`` is the
    module ``pkg.mod``, ``from mod import name`` is ``mod``)."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name.startswith("sentry_lite"):
                yield alias.name
        return
    assert isinstance(node, ast.ImportFrom)
    if node.level:
        base = importer.split(".")
        if MODULES[importer].name != "__init__.py":
            base = base[:-1]
        base = base[: len(base) - (node.level - 1)]
        source = ".".join(base + ([node.module] if node.module else []))
    else:
        source = node.module or ""
    if not source.startswith("sentry_lite"):
        return
    for alias in node.names:
        candidate = f"{source}.{alias.name}"
        yield candidate if candidate in MODULES else source


def imports_of(module: str) -> Set[str]:
    tree = ast.parse(MODULES[module].read_text(), filename=str(MODULES[module]))
    found: Set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for target in resolve(module, node):
                if target in MODULES and target != module:
                    found.add(target)
    return found


GRAPH = {module: imports_of(module) for module in MODULES}


def strongly_connected(graph: Dict[str, Set[str]]) -> List[List[str]]:
    """Tarjan's algorithm: every cycle shows up as a component of two or more modules."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on_stack: Set[str] = set()
    out: List[List[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles() -> None:
    # Package __init__ modules import their own submodules to re-export them; a
    # submodule importing a name back from its package __init__ would be a cycle.
    cycles = strongly_connected(GRAPH)
    assert cycles == [], "import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_no_import_against_the_flow() -> None:
    wrong = []
    for module, targets in GRAPH.items():
        source_layer = layer_of(module)
        if source_layer is None:
            continue
        for target in targets:
            target_layer = layer_of(target)
            if target_layer is None:
                if module == "sentry_lite" and target == "sentry_lite.integrations":
                    continue  # the package hands init the registry's setup
                if source_layer == "tools" and "devserver" in module:
                    continue  # the demo app is a user of the SDK like any other
                wrong.append(f"{module} -> {target} (the core imports an integration)")
            elif RANK[target_layer] > RANK[source_layer]:
                wrong.append(f"{module} ({source_layer}) -> {target} ({target_layer})")
    assert wrong == [], "imports against the flow:\n" + "\n".join(sorted(wrong))


def test_integrations_use_only_the_integration_api() -> None:
    wrong = []
    may_import = INTEGRATIONS_MAY_IMPORT
    for module, targets in GRAPH.items():
        if layer_of(module) is not None:
            continue
        for target in targets:
            allowed = any(target == a or target.startswith(a + ".") for a in may_import)
            # the integration API is the package, not its parts
            if not allowed or target.startswith("sentry_lite.integration_api."):
                wrong.append(f"{module} -> {target}")
    assert wrong == [], "integrations reaching past the integration API:\n" + "\n".join(wrong)


def _own_private_names(tree: ast.AST) -> Set[str]:
    """Private names a module defines itself (functions, classes, attributes it sets)."""
    names: Set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names.add(node.value)  # __slots__ entries
    return {n for n in names if n.startswith("_")}


def _core_private_names() -> Set[str]:
    names: Set[str] = set()
    for module, path in MODULES.items():
        if layer_of(module) is not None:
            names |= _own_private_names(ast.parse(path.read_text()))
    return {n for n in names if not (n.startswith("__") and n.endswith("__"))}


def _package_of(module: str) -> str:
    return module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]


def test_no_integration_uses_a_private_name_of_another_module() -> None:
    core_private = _core_private_names()
    wrong = []
    for module, path in MODULES.items():
        if layer_of(module) is not None:
            continue
        tree = ast.parse(path.read_text())
        own = _own_private_names(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                if not node.module.startswith("sentry_lite"):
                    continue  # a library's own private names are the patch's business
                for alias in node.names:
                    inside = f"{node.module}.{alias.name}".startswith(_package_of(module) + ".")
                    if alias.name.startswith("_") and not inside:
                        wrong.append(f"{module}: from {node.module} import {alias.name}")
                private_module = any(p.startswith("_") for p in node.module.split("."))
                if private_module and not node.module.startswith(_package_of(module)):
                    wrong.append(f"{module}: imports private module {node.module}")
            elif isinstance(node, ast.Attribute) and not node.attr.startswith("__"):
                name = node.attr
                if name.startswith("_") and name in core_private and name not in own:
                    wrong.append(f"{module}:{node.lineno}: .{name}")
    assert wrong == [], "integrations using other modules' private names:\n" + "\n".join(wrong)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_stay_small(module: str) -> None:
    lines = MODULES[module].read_text().count("\n")
    assert lines <= 500, f"{module} has {lines} lines: split it by job"
