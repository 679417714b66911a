"""Sessions: tests on every CPython 3.9-3.13 found here, lint, types, docs, bench."""

from __future__ import annotations

import glob
import os
import shutil

import nox

nox.options.sessions = ["tests", "lint", "types", "docs"]
nox.options.reuse_existing_virtualenvs = True

WANTED = ["3.9", "3.10", "3.11", "3.12", "3.13"]


def _available(versions: list[str]) -> list[str]:
    """Versions with an interpreter on PATH or under pyenv (shims alone may not resolve)."""
    found = []
    for version in versions:
        pyenv = sorted(
            glob.glob(os.path.expanduser(f"~/.pyenv/versions/{version}.*/bin/python{version}"))
        )
        if pyenv:
            found.append(pyenv[-1])
        elif shutil.which(f"python{version}"):
            found.append(version)
    return found


@nox.session(python=_available(WANTED))
def tests(session: nox.Session) -> None:
    """The unit and integration tests (the same command README.md gives)."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session(python=False)
def lint(session: nox.Session) -> None:
    session.run("ruff", "check", "src", "tests", "bench", "examples", "noxfile.py", "docs")


@nox.session(python=False)
def types(session: nox.Session) -> None:
    session.run("mypy", "--strict", "src/sentry_lite")


@nox.session
def docs(session: nox.Session) -> None:
    """The docs site, built strict (a broken link or anchor fails), the generated options
    page current, README's links to repository files resolving, every snippet running."""
    session.install("-e", ".[docs,test]")
    session.run("python", "docs/gen_options.py", "--check")
    session.run("python", "docs/check_links.py")
    session.run("mkdocs", "build", "--strict", "--site-dir", f"{session.create_tmp()}/site")
    session.run("python", "-m", "pytest", "-q", "tests/test_docs.py")


@nox.session(python=False)
def bench(session: nox.Session) -> None:
    """No SDK vs sentry_sdk vs sentry_lite, in one run per scenario (prints ratio tables)."""
    # Compiled like an installed package, so import times compare like with like.
    session.run("python", "-m", "compileall", "-q", "src/sentry_lite")
    for script in sorted(glob.glob("bench/bench_*.py")):
        session.run("python", script, *session.posargs)
