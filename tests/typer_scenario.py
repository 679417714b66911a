"""A Typer command that fails, under sentry_sdk or sentry_lite with TyperIntegration.

Usage: python -m tests.typer_scenario <sdk module> <dsn>
Exits with the error, as a Typer app does; the event goes out at interpreter exit.
"""

from __future__ import annotations

import importlib
import sys


def main() -> None:
    module, dsn = sys.argv[1:3]
    sdk = importlib.import_module(module)
    integration = importlib.import_module(f"{module}.integrations.typer").TyperIntegration
    sdk.init(dsn=dsn, release="typer@1", integrations=[integration()])
    import typer

    app = typer.Typer()

    @app.command()
    def convert(count: int = 3) -> None:
        total = count * 2
        raise ValueError(f"cannot convert {total}")

    app(["--count", "4"])


if __name__ == "__main__":
    main()
