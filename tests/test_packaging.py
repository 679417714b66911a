"""The package as a user gets it: ``python -m build`` with no warnings, an sdist that
carries what README.md links to, and the wheel installed in a clean virtualenv (no
source tree in sight) running ``sentry-lite demo`` and ``sentry-lite tail``."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tarfile
import textwrap
import time
import venv
import zipfile
from pathlib import Path
from typing import Dict, Iterator

import pytest

from tests.docs_snippets import ROOT

pytest.importorskip("build", reason="pip install build (in the dev extra)")

_PIP_NOISE = re.compile(r"Location '.*' is ignored|pip version")
"""pip's own notices about this machine's package indexes: not the project's."""


def _env() -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SENTRY_", "PYTHONPATH"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # else setuptools warns it cannot byte-compile
    return env


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
        env=_env(),
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    text = result.stdout + result.stderr
    warnings = [
        line
        for line in text.splitlines()
        if re.search(r"warn", line, re.I) and not _PIP_NOISE.search(line)
    ]
    assert warnings == [], "\n".join(warnings)
    yield out


def test_sdist_carries_what_the_readme_links_to(dist: Path) -> None:
    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    readme = (ROOT / "README.md").read_text()
    linked = set(re.findall(r"/blob/main/([^)#\s]+)", readme))
    assert linked, "README links into the repository"
    assert linked <= names, sorted(linked - names)
    assert {"LICENSE", "CHANGELOG.md", "mkdocs.yml", "examples/flask_app.py"} <= names


def test_wheel_metadata(dist: Path) -> None:
    (wheel,) = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read(
            next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        ).decode()
        names = archive.namelist()
    assert "License-Expression: MIT" in metadata
    assert "Project-URL: Repository," in metadata and "Project-URL: Changelog," in metadata
    assert "Classifier: Programming Language :: Python :: 3.13" in metadata
    assert "Provides-Extra: examples" in metadata
    assert any(n.endswith("licenses/LICENSE") for n in names)
    assert "sentry_lite/devserver/static/app.js" in names


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_wheel_in_a_clean_venv_runs_demo_and_tail(dist: Path, tmp_path: Path) -> None:
    (wheel,) = dist.glob("*.whl")
    home = tmp_path / "venv"
    venv.create(home, with_pip=True)
    python = home / "bin" / "python"
    cli = home / "bin" / "sentry-lite"
    env = _env()
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = subprocess.run(
        [str(python), "-c", "import sentry_lite; print(sentry_lite.__file__)"],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
        timeout=60,
    )
    assert str(home) in where.stdout and str(ROOT) not in where.stdout

    demo = subprocess.run(
        [str(cli), "demo", "--exit", "--port", "0"],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
        timeout=120,
    )
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert "The receiver got: 2 error events" in demo.stdout

    port = _free_port()
    tail = subprocess.Popen(
        [str(cli), "tail", "--url", f"http://127.0.0.1:{port}", "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=elsewhere,
        env={**env, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert tail.stderr is not None and tail.stdout is not None
        assert "started one at" in tail.stderr.readline()
        send = textwrap.dedent(
            f"""
            import sentry_lite
            sentry_lite.init(dsn="http://public@127.0.0.1:{port}/1")
            sentry_lite.capture_message("from the installed wheel")
            sentry_lite.flush(10)
            """
        )
        sent = subprocess.run(
            [str(python), "-c", send],
            capture_output=True,
            text=True,
            cwd=elsewhere,
            env=env,
            timeout=60,
        )
        assert sent.returncode == 0, sent.stderr
        deadline = time.monotonic() + 20
        line = tail.stdout.readline()
        assert '"title": "from the installed wheel"' in line, line
        assert time.monotonic() < deadline
    finally:
        tail.terminate()
        tail.wait(10)
