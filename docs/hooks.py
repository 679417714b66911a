"""MkDocs hooks for this site (listed under ``hooks:`` in mkdocs.yml).

* Every page under ``docs/`` is published even when nobody added it to ``nav``: pages
  in ``integrations/`` or ``frameworks/`` join the "Integrations" section, any other
  page a "More" section. Engineers adding pages in parallel need not edit mkdocs.yml.
* ``changelog.md`` is the repository's ``CHANGELOG.md``, so there is one changelog.
"""

from __future__ import annotations

import pathlib
from typing import Any, Dict, List, Set

from mkdocs.structure.files import File, Files

ROOT = pathlib.Path(__file__).resolve().parent.parent
_SECTIONS = {"integrations": "Integrations", "frameworks": "Integrations"}


def _listed(items: Any, out: Set[str]) -> Set[str]:
    if isinstance(items, str):
        out.add(items)
    elif isinstance(items, list):
        for item in items:
            _listed(item, out)
    elif isinstance(items, dict):
        for value in items.values():
            _listed(value, out)
    return out


def _section(nav: List[Any], title: str) -> List[Any]:
    for entry in nav:
        if isinstance(entry, dict) and title in entry and isinstance(entry[title], list):
            return entry[title]  # type: ignore[no-any-return]
    entries: List[Any] = []
    nav.append({title: entries})
    return entries


def on_files(files: Files, config: Dict[str, Any]) -> Files:
    changelog = ROOT / "CHANGELOG.md"
    if changelog.exists() and files.get_file_from_path("changelog.md") is None:
        files.append(File.generated(config, "changelog.md", content=changelog.read_text("utf-8")))
    nav = config.get("nav")
    if isinstance(nav, list):
        listed = _listed(nav, set())
        for file in sorted(files.documentation_pages(), key=lambda f: f.src_uri):
            if file.src_uri in listed:
                continue
            folder = file.src_uri.split("/", 1)[0] if "/" in file.src_uri else ""
            _section(nav, _SECTIONS.get(folder, "More")).append(file.src_uri)
    return files
