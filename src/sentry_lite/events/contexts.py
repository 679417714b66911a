"""Facts about the process that every event carries: runtime, os, sdk, modules.

They do not change while the process runs, so each is computed once and copied into
events (a shallow copy, so ``before_send`` edits never leak into the next event).
"""

from __future__ import annotations

import platform
import sys
import threading
from typing import Any, Dict, List, Optional

from sentry_lite.consts import SDK_NAME, SDK_PACKAGE, VERSION

__all__ = [
    "installed_modules",
    "os_context",
    "runtime_context",
    "sdk_info",
    "warm_installed_modules",
]

_runtime: Optional[Dict[str, Any]] = None
_os: Optional[Dict[str, Any]] = None
_modules: Optional[Dict[str, str]] = None
_modules_lock = threading.Lock()
_modules_warming = False


def runtime_context() -> Dict[str, Any]:
    global _runtime
    if _runtime is None:
        _runtime = {
            "name": platform.python_implementation(),
            "version": "{}.{}.{}".format(*sys.version_info[:3]),
            "build": sys.version,
        }
    return dict(_runtime)


def os_context() -> Dict[str, Any]:
    global _os
    if _os is None:
        uname = platform.uname()
        name = {"Darwin": "macOS"}.get(uname.system, uname.system)
        context: Dict[str, Any] = {"name": name, "kernel_version": uname.release}
        if uname.system == "Linux":
            try:
                info = platform.freedesktop_os_release()  # type: ignore[attr-defined,unused-ignore]
                context["distribution_name"] = info.get("ID")
                context["distribution_version"] = info.get("VERSION_ID")
                context["distribution_pretty_name"] = info.get("PRETTY_NAME")
            except (OSError, AttributeError):
                pass
        elif uname.system == "Darwin":
            context["version"] = platform.mac_ver()[0]
        elif uname.system == "Windows":
            context["version"] = uname.version
        _os = {k: v for k, v in context.items() if v}
    return dict(_os)


FRAMEWORKS = (
    "django", "flask", "fastapi", "bottle", "falcon", "quart", "sanic", "starlette",
    "litestar", "starlite", "chalice", "serverless", "pyramid", "tornado", "aiohttp",
    "aws_lambda", "gcp", "beam", "asgi", "wsgi",
)  # fmt: skip
"""Web framework integrations in the order sentry_sdk picks one to name the SDK by."""


def sdk_name(integrations: List[str]) -> str:
    """``sentry.python.<framework>`` for the app's framework, as sentry_sdk reports it."""
    for framework in FRAMEWORKS:
        if framework in integrations:
            return f"{SDK_NAME}.{framework}"
    return SDK_NAME


def sdk_info(integrations: List[str]) -> Dict[str, Any]:
    return {
        "name": sdk_name(integrations),
        "version": VERSION,
        "packages": [{"name": SDK_PACKAGE, "version": VERSION}],
        "integrations": integrations,
    }


def installed_modules() -> Dict[str, str]:
    """Installed distributions and versions (the event's ``modules``), computed once.

    Reading every distribution's metadata takes tens of milliseconds, so ``init`` starts
    it on a thread (:func:`warm_installed_modules`); a capture that comes first waits for
    that one computation instead of starting a second.
    """
    if _modules is None:
        with _modules_lock:
            if _modules is None:
                _compute_modules()
    return _modules if _modules is not None else {}


def _compute_modules() -> None:
    global _modules
    modules: Dict[str, str] = {}
    try:
        from importlib import metadata

        for dist in metadata.distributions():
            name = dist.metadata["Name"]
            if name:
                modules[name.lower()] = dist.version
    except Exception:  # noqa: BLE001 - broken metadata must never break capture
        pass
    _modules = modules


def warm_installed_modules() -> None:
    """Compute :func:`installed_modules` off the app thread, once per process."""
    global _modules_warming
    if _modules is not None or _modules_warming:
        return
    _modules_warming = True
    try:
        threading.Thread(target=installed_modules, name="sentry-lite.modules", daemon=True).start()
    except Exception:  # noqa: BLE001 - no thread (interpreter shutting down): compute lazily
        _modules_warming = False
