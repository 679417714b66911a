"""Facts about the process that every event carries: runtime, os, sdk, modules.

They do not change while the process runs, so each is computed once and copied into
events (a shallow copy, so ``before_send`` edits never leak into the next event).
"""

from __future__ import annotations

import os
import re
import sys
from typing import Any, Dict, List, Optional, Tuple

from sentry_lite import shortcuts
from sentry_lite.limits import METADATA_HEAD_CHARS
from sentry_lite.sdk_identity import SDK_NAME, SDK_PACKAGE, VERSION

__all__ = [
    "installed_modules",
    "os_context",
    "runtime_context",
    "sdk_info",
]

_runtime: Optional[Dict[str, Any]] = None
_os: Optional[Dict[str, Any]] = None
_modules: Optional[Dict[str, str]] = None


def runtime_context() -> Dict[str, Any]:
    global _runtime
    if _runtime is None:
        import platform  # once, on the first event (2 ms at import)

        _runtime = {
            "name": platform.python_implementation(),
            "version": "{}.{}.{}".format(*sys.version_info[:3]),
            "build": sys.version,
        }
    return dict(_runtime)


def os_context() -> Dict[str, Any]:
    global _os
    if _os is None:
        import platform

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
    """Installed distributions and versions (the event's ``modules``), computed once."""
    global _modules
    if _modules is None:
        _modules = _read_modules()
    return _modules


def modules_known() -> bool:
    """Has :func:`installed_modules` read them already (is asking for them cheap)?"""
    return _modules is not None


_HEADER = re.compile(r"^(Name|Version):[ \t]*(.*?)[ \t]*$", re.M)


def _read_modules() -> Dict[str, str]:
    """Name and version of every distribution on ``sys.path``, as importlib lists them.

    ``importlib.metadata`` costs ~20 ms to import and runs the e-mail parser over each
    whole METADATA file (another ~40 ms for a hundred packages), all on the app's first
    event. The shortcut scans ``sys.path`` for ``*.dist-info``/``*.egg-info`` itself and
    reads the two headers from each file's header block: a few milliseconds, same pairs
    (tests compare both paths). Without the shortcut, importlib does it.
    """
    if shortcuts.enabled:
        try:
            return _scan_sys_path()
        except Exception:  # noqa: BLE001 - any surprise: the general path below
            pass
    modules: Dict[str, str] = {}
    try:
        from importlib import metadata

        for dist in metadata.distributions():
            try:
                name = dist.metadata["Name"]
                if name:
                    modules[name.lower()] = dist.version
            except Exception:  # noqa: BLE001 - one broken distribution costs only itself
                continue
    except Exception:  # noqa: BLE001 - broken metadata must never break capture
        pass
    return modules


def _scan_sys_path() -> Dict[str, str]:
    found: List[Tuple[str, str]] = []
    for entry in sys.path:
        try:
            listing = sorted(os.scandir(entry or "."), key=lambda item: item.name)
        except OSError:  # not a directory (a zip, a missing path): importlib finds none there
            continue
        for item in listing:
            if item.name.endswith(".dist-info"):
                fields = _head_fields(os.path.join(item.path, "METADATA"))
            elif item.name.endswith(".egg-info"):
                path = item.path if item.is_file() else os.path.join(item.path, "PKG-INFO")
                fields = _head_fields(path)
            else:
                continue
            if fields is not None:
                found.append(fields)
    # importlib lists path entries in order; the dict keeps the last one seen, as there.
    return {name.lower(): version for name, version in found}


def _head_fields(path: str) -> Optional[Tuple[str, str]]:
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as handle:
            head = handle.read(METADATA_HEAD_CHARS).split("\n\n", 1)[0]
    except OSError:
        return None
    fields: Dict[str, str] = {}
    for match in _HEADER.finditer(head):
        fields.setdefault(match.group(1), match.group(2))
    name, version = fields.get("Name"), fields.get("Version")
    return (name, version) if name and version else None
