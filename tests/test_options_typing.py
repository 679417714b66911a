"""The option table, the typed ``init`` and the generated docs agree, and the types do
their job in user code (checked by running mypy on a small program)."""

from __future__ import annotations

import pathlib
import subprocess
import sys
import textwrap
from typing import get_type_hints

import pytest

import sentry_lite
from sentry_lite.init_options import InitOptions
from sentry_lite.option_table import OPTIONS

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_typed_init_lists_every_option() -> None:
    table = {spec.name for spec in OPTIONS} - {"dsn"}
    typed = set(get_type_hints(InitOptions))
    assert typed == table


def test_help_lists_every_option() -> None:
    doc = sentry_lite.init.__doc__ or ""
    for spec in OPTIONS:
        assert f"    {spec.name} = " in doc, spec.name


def test_options_page_is_generated_from_the_table() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "gen_options.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_options_without_effect_warn_once_at_init(caplog: pytest.LogCaptureFixture) -> None:
    from sentry_lite.options import build_options

    with caplog.at_level("WARNING", logger="sentry_lite"):
        build_options(enable_backpressure_handling=False, release="r")  # i13: enable_logs works now
    assert "enable_backpressure_handling=False is accepted but has no effect yet" in caplog.text
    caplog.clear()
    with caplog.at_level("WARNING", logger="sentry_lite"):
        build_options(release="r")  # defaults say nothing
    assert "no effect" not in caplog.text


USER_CODE = textwrap.dedent(
    """
    import sentry_lite
    from sentry_lite.tracing import Span

    sentry_lite.init(dsn="https://k@example.com/1", traces_sample_rate=1.0)
    sentry_lite.init(dsn="https://k@example.com/1", trace_sample_rate=1.0)  # line 6

    @sentry_lite.trace
    def add(a: int, b: int) -> int:
        return a + b

    @sentry_lite.trace(op="db")
    async def fetch(key: str) -> bytes:
        return b""

    total: int = add(1, 2)
    add("x", 2)  # line 17
    span: Span = sentry_lite.start_span(op="x")
    child: Span = span.start_child(op="y")
    sentry_lite.init(dsn="https://k@example.com/1", sample_rate="all")  # line 20
    """
)


def test_mypy_checks_options_and_decorated_signatures(tmp_path: pathlib.Path) -> None:
    program = tmp_path / "user_app.py"
    program.write_text(USER_CODE)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--cache-dir",
            str(tmp_path / "cache"),
            str(program),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    lines = [line for line in result.stdout.splitlines() if "user_app.py:" in line]
    flagged = {int(line.split(":")[1]) for line in lines if ": error:" in line}
    assert flagged == {6, 17, 20}, result.stdout
    assert "trace_sample_rate" in result.stdout
