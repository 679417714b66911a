"""Typer: reports the exception a Typer command raised. Not on by default, as with
sentry_sdk.

Why it is needed: a Typer app puts its own ``sys.excepthook`` in place of the one
``init`` installed each time it runs, and for its commands' errors that hook prints a
pretty traceback without calling the previous one, so the error would go unreported. The
hook Typer installs is ``typer.main.except_hook``, looked up when the app runs: that
name is wrapped (report, then Typer's own printing)."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Callable, Optional, Type

from sentry_lite.integration_api import active_integration, capture_caught
from sentry_lite.integrations import DidNotEnable, Integration

try:
    import typer.main
except ImportError as exc:  # pragma: no cover - exercised without typer installed
    raise DidNotEnable("Typer is not installed") from exc

__all__ = ["TyperIntegration"]

Hook = Callable[[Type[BaseException], BaseException, Optional[TracebackType]], Any]


class TyperIntegration(Integration):
    identifier = "typer"

    @staticmethod
    def setup_once() -> None:
        current = typer.main.except_hook
        if not getattr(current, "_sentry_lite", False):
            typer.main.except_hook = _wrap(current)  # type: ignore[assignment]


def _wrap(previous: Hook) -> Hook:
    def sentry_lite_typer_except_hook(
        ty: Type[BaseException], value: BaseException, tb: Optional[TracebackType]
    ) -> Any:
        if active_integration(TyperIntegration.identifier) is not None:
            capture_caught((ty, value, tb), "typer")
        return previous(ty, value, tb)

    sentry_lite_typer_except_hook._sentry_lite = True  # type: ignore[attr-defined]
    return sentry_lite_typer_except_hook
