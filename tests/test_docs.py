"""The docs: every Python snippet of README.md and docs/ runs, every ``sentry-lite``
command line in them parses, the site builds with no broken link, and the generated
options page is current. Conventions: docs/writing-docs.md."""

from __future__ import annotations

import ast
import contextlib
import importlib.util
import io
import json
import re
import shlex
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import List, Tuple

import pytest

from sentry_lite.cli import _parser
from tests.conftest import require
from tests.docs_snippets import ROOT, RUNNER, Snippet, pages, snippets

PAGES = pages()
_OUTSIDE_THE_TEST_EXTRA = {"arq.md": "arq"}
"""Pages whose snippets import a library the ``test`` extra leaves out (see pyproject)."""


def _python(path: Path) -> List[Snippet]:
    return [s for s in snippets(path) if s.language in ("python", "py")]


@pytest.mark.parametrize("path", [p for p in PAGES if _python(p)], ids=lambda p: p.name)
def test_python_snippets_run(path: Path, tmp_path: Path) -> None:
    needs = _OUTSIDE_THE_TEST_EXTRA.get(path.name)
    if needs is not None:
        require(
            importlib.util.find_spec(needs) is not None,
            f"{needs} is not installed "
            "(not in the test extra: `pip install --no-deps arq`, as .ci/run does)",
        )
    found = _python(path)
    for snippet in found:
        where = f"{snippet.page}:{snippet.line}"
        assert snippet.mark in ("", "pytest", "excerpt"), f"{where}: unknown mark"
        if snippet.mark == "excerpt":
            _check_excerpt(snippet)
    plain = [s._asdict() for s in found if s.mark == ""]
    if plain:
        listing = tmp_path / "snippets.json"
        listing.write_text(json.dumps(plain))
        runner = tmp_path / "run_snippets.py"
        runner.write_text(RUNNER)
        result = subprocess.run(
            [sys.executable, str(runner), str(listing)],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
        )
        assert result.returncode == 0 and "snippets ok" in result.stdout, result.stderr[-3000:]
    for index, snippet in enumerate(s for s in found if s.mark == "pytest"):
        test_file = tmp_path / f"test_snippet_{index}.py"
        test_file.write_text(snippet.code)
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test_file)],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
        )
        assert result.returncode == 0, f"{snippet.page}:{snippet.line}\n{result.stdout[-3000:]}"


def _check_excerpt(snippet: Snippet) -> None:
    """An excerpt of a source file: it must be Python, and every function and class it
    shows must still be defined in that file."""
    where = f"{snippet.page}:{snippet.line}"
    source = ROOT / snippet.source
    assert snippet.source and source.is_file(), f"{where}: excerpt of a missing file"
    tree = ast.parse(textwrap.dedent(snippet.code), where)
    text = source.read_text()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            keyword = "class" if isinstance(node, ast.ClassDef) else "def"
            assert re.search(rf"\b{keyword} {node.name}\b", text), (
                f"{where}: {node.name} is no longer defined in {snippet.source}"
            )


def _command_lines() -> List[Tuple[str, str, str]]:
    """``(where, command, the output line shown right after it or "")``."""
    found = []
    for path in PAGES:
        for snippet in snippets(path):
            if snippet.language not in ("sh", "console", "bash", "shell", ""):
                continue
            lines = snippet.code.splitlines()
            for number, line in enumerate(lines):
                if snippet.language == "console" and not line.startswith("$ "):
                    continue  # output, not a command
                text = line.strip().removeprefix("$ ")
                after = lines[number + 1].strip() if number + 1 < len(lines) else ""
                shown = "" if after.startswith("$") else after
                for part in re.split(r"&&|\|", text):
                    part = part.split("#", 1)[0].strip()
                    if part.startswith(("sentry-lite ", "python -m sentry_lite ")):
                        found.append((f"{snippet.page}:{snippet.line}", part, shown))
    return found


def test_command_lines_in_the_docs_parse() -> None:
    """Each documented command parses; one shown failing prints exactly what is shown."""
    found = _command_lines()
    assert len(found) >= 10, found
    parser = _parser()
    for where, command, shown in found:
        words = shlex.split(command)
        argv = words[1:] if words[0] == "sentry-lite" else words[3:]
        errors = io.StringIO()
        try:
            with contextlib.redirect_stderr(errors):
                parser.parse_args(argv)
        except SystemExit:
            assert shown and errors.getvalue().strip() == shown, (
                f"{where}: `{command}` does not parse: {errors.getvalue()}"
            )


def test_generated_options_page_is_current() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "gen_options.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_readme_and_docs_links_resolve() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "check_links.py")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout


def test_site_builds_strict_with_no_broken_link(tmp_path: Path) -> None:
    pytest.importorskip("material", reason="pip install -e '.[docs]' (mkdocs-material)")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert (tmp_path / "site" / "devserver" / "index.html").exists()
    assert (tmp_path / "site" / "changelog" / "index.html").exists()
